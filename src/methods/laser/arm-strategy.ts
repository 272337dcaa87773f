import { SeededRandom } from "../../math/seeded-random.ts";
import { UsageError } from "../../model/errors.ts";

/**
 * How the reward model of a batch is picked: LASeR's LinUCB, or a baseline: a uniformly random
 * arm per batch, the ensemble of all arms (mean score, K× the RM calls), sequential (arm
 * (m−1) mod K in iteration m) or one fixed arm.
 */
export type ArmStrategy =
  | { kind: "laser" }
  | { kind: "random" }
  | { kind: "ensemble" }
  | { kind: "sequential" }
  | { kind: "single"; arm: number };

/** `laser`, `random`, `ensemble`, `sequential` or `single:<arm name or index>`. */
export function parseArmStrategy(text: string, armNames: readonly string[]): ArmStrategy {
  if (text === "laser" || text === "random" || text === "ensemble" || text === "sequential")
    return { kind: text };
  const m = /^single:(.+)$/.exec(text);
  if (m) {
    const byName = armNames.indexOf(m[1]!);
    const arm = byName >= 0 ? byName : /^\d+$/.test(m[1]!) ? Number(m[1]) : -1;
    if (arm < 0 || arm >= armNames.length)
      throw new UsageError(
        `no reward model "${m[1]}"; the arms are ${armNames.map((n, i) => `${i}:${n}`).join(", ")}`,
      );
    return { kind: "single", arm };
  }
  throw new UsageError(
    `strategy must be laser, random, ensemble, sequential or single:<arm>; got "${text}"`,
  );
}

/** The strategy as text (the inverse of parseArmStrategy, by index). */
export function strategyName(s: ArmStrategy): string {
  return s.kind === "single" ? `single:${s.arm}` : s.kind;
}

/**
 * The arms a non-bandit strategy calls for batch `index` of iteration `iteration` (1-based).
 * The random arm comes from a generator seeded by the run seed and the batch, so a resumed run
 * draws the same arms.
 */
export function fixedArms(
  s: Exclude<ArmStrategy, { kind: "laser" }>,
  arms: number,
  iteration: number,
  index: number,
  seed: number,
): number[] {
  switch (s.kind) {
    case "random":
      return [new SeededRandom(`laser-random-arm:${seed}:${index}`).int(arms)];
    case "ensemble":
      return Array.from({ length: arms }, (_, a) => a);
    case "sequential":
      return [(iteration - 1) % arms];
    case "single":
      return [s.arm];
  }
}
