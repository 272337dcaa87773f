import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SeededRandom } from "../../math/seeded-random.ts";
import type { OutcomeInput, OutcomeRewardModel } from "../../scoring/reward-model.ts";
import type { LaserItem } from "./laser-items.ts";
import type { LaserPolicy, SampleOptions, TextPair } from "./policy.ts";

/**
 * The spec's acceptance-test-5 world, without an LLM: prompts of two families ("math",
 * "trivia"); a stub policy whose samples are labelled right or wrong; reward models that judge
 * one family and guess on the other; a stub update whose loss is lower when the chosen
 * responses are right. Used by the tests and nothing else.
 */
export function toyItems(perFamily: number): LaserItem[] {
  return ["math", "trivia"].flatMap((family) =>
    Array.from({ length: perFamily }, (_, i) => ({
      id: `${family}-${i}`,
      prompt: `${family} question ${i}`,
      family,
    })),
  );
}

/** A response's label: `right|wrong <prompt> #j`. */
const isRight = (response: string) => response.startsWith("right ");

/** A reward model that knows `family` (1 for right, 0 for wrong) and scores others at random. */
export class ToyRewardModel implements OutcomeRewardModel {
  calls = 0;
  responses = 0;
  constructor(
    readonly name: string,
    private readonly family: string | undefined,
    private readonly seed: number,
  ) {}

  async scoreOutcomes(inputs: readonly OutcomeInput[]): Promise<number[]> {
    this.calls++;
    this.responses += inputs.length;
    return inputs.map((input) => {
      const noise = new SeededRandom(
        `${this.name}:${this.seed}:${input.question}:${input.solution}`,
      );
      if (this.family !== undefined && input.question.startsWith(this.family))
        return (isRight(input.solution) ? 0.8 : 0.2) + 0.1 * noise.next();
      return noise.next();
    });
  }
}

/** The stub policy: 50% right samples, pooled states by family, loss lower for right chosen. */
export class ToyPolicy implements LaserPolicy {
  updates = 0;
  references = 0;
  /** Every pair the policy was trained on (tests check none crosses prompts). */
  readonly seen: TextPair[] = [];

  constructor(private readonly seed: number) {}

  async sample(prompts: readonly string[], o: SampleOptions): Promise<string[][]> {
    return prompts.map((p, i) => {
      const rng = new SeededRandom(o.seed + i);
      return Array.from(
        { length: o.n },
        (_, j) => `${rng.next() < 0.5 ? "right" : "wrong"} ${p} #${j}`,
      );
    });
  }

  async pooledStates(prompts: readonly string[]): Promise<Float64Array[]> {
    // A large shared direction (as real hidden states have) plus a family direction and noise.
    return prompts.map((p) => {
      const rng = new SeededRandom(`${this.seed}:${p}`);
      const v = Float64Array.from({ length: 16 }, () => 0.3 * rng.normal());
      v[0]! += 5;
      v[p.startsWith("math") ? 1 : 2]! += 2;
      return v;
    });
  }

  async setReference(): Promise<void> {
    this.references++;
  }

  async update(pairs: readonly TextPair[]): Promise<number> {
    this.seen.push(...pairs);
    const rng = new SeededRandom(`${this.seed}:update:${this.updates++}`);
    const rightShare = pairs.filter((p) => isRight(p.chosen)).length / pairs.length;
    // Drifts down over training, as a real loss does (what the quantile scaling corrects for).
    return 1.2 - 0.8 * rightShare - 0.002 * this.updates + 0.05 * rng.normal();
  }

  async meanLogProb(_prompt: string, completion: string): Promise<number> {
    return isRight(completion) ? -0.5 : -2;
  }

  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "toy.json"),
      JSON.stringify({ updates: this.updates, references: this.references }),
    );
  }

  async load(dir: string): Promise<void> {
    const s = JSON.parse(await readFile(join(dir, "toy.json"), "utf8")) as {
      updates: number;
      references: number;
    };
    this.updates = s.updates;
    this.references = s.references;
  }
}
