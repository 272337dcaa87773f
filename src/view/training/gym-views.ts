import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CycleRecord, StoredDatum, TestAnswer } from "../../methods/dataenvgym/run-folder.ts";
import { type ArmRun, judgeTeachers } from "../../methods/dataenvgym/teacher-comparison.ts";
import { readJsonl } from "../../runtime/jsonl-file.ts";
import type { GymEpisodeView, GymView } from "../shared/training-data.ts";

const noSkill = "(none)";

/**
 * One episode folder (`cycles.jsonl`, `data.jsonl`, `test-answers.jsonl`): accuracy and data
 * per skill per cycle, and (when `withProblems`) each test problem's answers across cycles.
 */
export function episodeView(dir: string, label: string, withProblems: boolean): GymEpisodeView {
  const records = readJsonl<CycleRecord>(join(dir, "cycles.jsonl"));
  const made = new Map<number, Record<string, number>>();
  for (const d of readJsonl<StoredDatum>(join(dir, "data.jsonl"))) {
    const bySkill = made.get(d.cycle) ?? {};
    const skill = d.skill ?? noSkill;
    bySkill[skill] = (bySkill[skill] ?? 0) + 1;
    made.set(d.cycle, bySkill);
  }
  const skills: string[] = [];
  for (const r of records)
    for (const s of [...(r.test ?? r.validation).slices, ...r.validation.slices])
      if (!skills.includes(s.name)) skills.push(s.name);
  // a cycle rerun after a kill appended its answers again: the last line per (cycle, id) wins
  const answers = new Map<string, Map<number, TestAnswer>>();
  if (withProblems)
    for (const a of readJsonl<TestAnswer>(join(dir, "test-answers.jsonl"))) {
      const byCycle = answers.get(a.id) ?? new Map<number, TestAnswer>();
      byCycle.set(a.cycle, a);
      answers.set(a.id, byCycle);
    }
  return {
    label,
    skills,
    cycles: records.map((r) => ({
      cycle: r.cycle,
      accumulated: r.accumulated,
      validation: r.validation.accuracy,
      test: r.test?.accuracy ?? null,
      bySkill: Object.fromEntries((r.test ?? r.validation).slices.map((s) => [s.name, s.accuracy])),
      dataBySkill: made.get(r.cycle) ?? {},
    })),
    problems: [...answers.values()].map((byCycle) => {
      const list = [...byCycle.values()].sort((a, b) => a.cycle - b.cycle);
      const first = list[0]!;
      return {
        id: first.id,
        skill: first.skill ?? "",
        question: first.question,
        gold: first.gold,
        answers: list.map((a) => ({ cycle: a.cycle, response: a.response, correct: a.correct })),
      };
    }),
  };
}

const subfolders = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory()) : [];

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * `gym compare` and `demo dataenvgym` folders (`arms/<arm>/seed-<n>/`): every finished episode,
 * re-judged by the command's own checks (the command prints its verdicts but does not file
 * them), per-arm test curves, and each arm's first-seed episode in full.
 */
export function comparisonView(dir: string, config: Record<string, unknown>): GymView {
  const armsDir = join(dir, "arms");
  const arms = String(config["arms"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((a) => subfolders(armsDir).includes(a));
  for (const a of subfolders(armsDir)) if (!arms.includes(a)) arms.push(a);
  const seedOf = (name: string) => Number(name.replace(/^seed-/, ""));
  const seeds = [...new Set(arms.flatMap((a) => subfolders(join(armsDir, a)).map(seedOf)))].sort(
    (a, b) => a - b,
  );
  const runs: ArmRun[] = [];
  for (const seed of seeds)
    for (const arm of arms) {
      const episode = join(armsDir, arm, `seed-${seed}`);
      const items = join(episode, "test-items.json");
      // test-items.json is written when the episode ends: only finished episodes are judged
      if (!existsSync(items)) continue;
      runs.push({
        arm,
        seed,
        records: readJsonl<CycleRecord>(join(episode, "cycles.jsonl")),
        testItems: JSON.parse(readFileSync(items, "utf8")) as Record<string, boolean>,
      });
    }
  const baseline = String(config["baseline"] ?? "uniform");
  const finished = arms.filter((a) => runs.some((r) => r.arm === a));
  const targeted = typeof config["targeted"] === "string" ? config["targeted"].split(",") : null;
  const judged =
    finished.includes(baseline) && finished.length > 1
      ? judgeTeachers(runs, {
          arms: finished,
          baseline,
          ...(targeted ? { targetedSkills: targeted.map((s) => s.trim()) } : {}),
          ...(typeof config["minEffect"] === "number" ? { minEffect: config["minEffect"] } : {}),
        })
      : null;
  const curves = Object.fromEntries(
    finished.map((arm) => {
      const mine = runs.filter((r) => r.arm === arm);
      const cycles = Math.min(...mine.map((r) => r.records.length));
      return [
        arm,
        Array.from({ length: cycles }, (_, c) =>
          mean(mine.map((r) => r.records[c]?.test?.accuracy ?? Number.NaN)),
        ),
      ];
    }),
  );
  const firstSeed = seeds[0];
  return {
    kind: "gym",
    episodes: arms
      .filter((a) => firstSeed !== undefined && existsSync(join(armsDir, a, `seed-${firstSeed}`)))
      .map((a) =>
        episodeView(join(armsDir, a, `seed-${firstSeed}`), `${a} · seed ${firstSeed}`, false),
      ),
    comparison: judged
      ? {
          baseline,
          seeds,
          targetedSkills: judged.targetedSkills,
          accuracy: judged.accuracy,
          curves,
          verdicts: judged.verdicts.map((v) => ({
            arm: v.arm,
            delta: { mean: v.delta.mean, low: v.delta.low, high: v.delta.high },
            targetedDelta: v.targetedDelta,
            otherDelta: v.otherDelta,
            checks: v.checks,
            reproduced: v.reproduced,
          })),
        }
      : null,
  };
}
