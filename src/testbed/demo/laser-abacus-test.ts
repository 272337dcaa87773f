/** The greedy test of a trained policy in LASeR's testbed measurement, resumable per item. */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { LaserPolicy } from "../../methods/laser/policy.ts";
import { type AbacusLaserItem, isRight, laserSampleTokens } from "./laser-abacus-items.ts";

/** One test item's outcome. */
export interface TestOutcome {
  id: string;
  family: string;
  correct: boolean;
}

/**
 * Greedy answers to the test items, one line each appended to `path` (a killed test continues
 * at its next item), cut at `stop`, right iff the skill's final answer is exactly the gold one.
 */
export async function greedyTest(
  policy: Pick<LaserPolicy, "sample">,
  items: readonly AbacusLaserItem[],
  path: string,
  stop: readonly string[],
): Promise<TestOutcome[]> {
  const done = new Map<string, TestOutcome>();
  if (existsSync(path))
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        const r = JSON.parse(line) as TestOutcome;
        done.set(r.id, r);
      } catch {
        // a line torn by a kill: that item is answered again
      }
    }
  const out: TestOutcome[] = [];
  for (const item of items) {
    let r = done.get(item.id);
    if (!r) {
      const [[response]] = (await policy.sample([item.prompt], {
        n: 1,
        temperature: 0,
        maxTokens: laserSampleTokens,
        stop: [...stop],
        seed: 0,
      })) as [[string]];
      r = { id: item.id, family: item.family, correct: isRight(item, response) };
      appendFileSync(path, `${JSON.stringify({ ...r, response })}\n`);
    }
    out.push({ id: r.id, family: r.family, correct: r.correct });
  }
  return out;
}
