import { join } from "node:path";
import type { Interval } from "../../evals/bootstrap.ts";
import type { ArmStrategy } from "../../methods/laser/arm-strategy.ts";
import { accuracyOf, evaluateGreedy } from "../../methods/laser/evaluate.ts";
import { type LaserTrainReport, laserTrain } from "../../methods/laser/laser-train.ts";
import { TrainablePolicy } from "../../methods/laser/trainable-policy.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { Run } from "../../runtime/run.ts";
import { Trainable } from "../../train/trainable.ts";
import { answerPhrase } from "./context-items.ts";
import { type LaserDemoItem, laserDemoFamilies, WorldRewardModel } from "./laser-demo-data.ts";

/** The smoke's claim, as docs/laser.md pre-registers it. */
export const laserClaim =
  "LASeR's bandit picks each family's reliable RM in ≥ 80% of late batches, at 1/K of the ensemble's RM calls";

/** The smoke's fixed settings (docs/laser.md, "chorus demo laser"). */
export const laserDemoSettings = {
  batchSize: 8,
  samples: 8,
  maxTokens: 4,
  pairsPerPrompt: 4,
  iterations: 3,
  lr: 1e-3,
  lora: { rank: 8, alpha: 16, targets: ["attn_q", "attn_v"], dropout: 0.1 },
} as const;

const conditions: Array<{ name: string; strategy: ArmStrategy }> = [
  { name: "laser", strategy: { kind: "laser" } },
  { name: "random", strategy: { kind: "random" } },
  { name: "ensemble", strategy: { kind: "ensemble" } },
];

/** One condition's outcome. */
export interface LaserDemoCondition {
  train: LaserTrainReport;
  /** Greedy accuracy on the training prompts after training (before: `accuracyBefore`). */
  accuracyAfter: Interval;
}

/** The smoke's report: conditions, the two checks, the verdict. */
export interface LaserDemoReport {
  accuracyBefore: Interval;
  conditions: Record<string, LaserDemoCondition>;
  checks: {
    lateChoice: { shares: Record<string, number>; pass: boolean };
    rmCallRatio: { ratio: number; pass: boolean };
  };
  reproduced: boolean;
}

/**
 * Runs LASeR, the random arm and the ensemble on atlas-1m (each from the loaded weights, LoRA reset),
 * every condition in its own run folder under `run.dir`, with the world RMs as arms.
 */
export async function runLaserDemo(
  model: LanguageModel,
  modelPath: string,
  items: readonly LaserDemoItem[],
  options: {
    run: Run;
    trainSeed: number;
    onBatch?: (condition: string, done: number, total: number) => void;
  },
): Promise<LaserDemoReport> {
  const s = laserDemoSettings;
  const arms = [
    new WorldRewardModel("rm-city", "city", items),
    new WorldRewardModel("rm-job", "job", items),
    new WorldRewardModel("rm-noise", undefined, items),
  ];
  const reading = { extract: (_i: unknown, r: string) => answerPhrase(r) };
  const trainable = await Trainable.load(modelPath, {
    lora: { ...s.lora, targets: [...s.lora.targets], seed: options.trainSeed },
  });
  try {
    const policyFor = (name: string) => {
      trainable.reset();
      return new TrainablePolicy(trainable, model, {
        maxPairsPerStep: s.batchSize * s.pairsPerPrompt,
        lr: s.lr,
        appendEos: false,
        seed: options.trainSeed,
        workDir: join(options.run.dir, name, "adapters"),
      });
    };
    const before = await evaluateGreedy(policyFor("base"), items, {
      ...reading,
      maxTokens: s.maxTokens,
    });
    const out: Record<string, LaserDemoCondition> = {};
    for (const c of conditions) {
      const policy = policyFor(c.name);
      const run = Run.create({
        dir: join(options.run.dir, c.name),
        config: { condition: c.name, ...s },
      });
      try {
        const train = await laserTrain(policy, arms, items, run, {
          strategy: c.strategy,
          iterations: s.iterations,
          batchSize: s.batchSize,
          batching: "by-family",
          samples: s.samples,
          maxTokens: s.maxTokens,
          pairsPerPrompt: s.pairsPerPrompt,
          earlyStopLoss: 0,
          seed: options.trainSeed,
          onBatch: (_r, g, total) => options.onBatch?.(c.name, g + 1, total),
        });
        const after = await evaluateGreedy(policy, items, { ...reading, maxTokens: s.maxTokens });
        out[c.name] = { train, accuracyAfter: accuracyOf(after).accuracy };
      } finally {
        run.close();
      }
    }
    const late = out.laser!.train.selection.late;
    const shares = Object.fromEntries(
      laserDemoFamilies.map((f) => {
        const counts = late[f] ?? {};
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        return [f, total > 0 ? (counts[`rm-${f}`] ?? 0) / total : 0];
      }),
    );
    const lateChoice = { shares, pass: Object.values(shares).every((v) => v >= 0.8) };
    const ratio = out.laser!.train.totalRmCalls / out.ensemble!.train.totalRmCalls;
    const rmCallRatio = { ratio, pass: ratio <= 1.05 / arms.length };
    return {
      accuracyBefore: accuracyOf(before).accuracy,
      conditions: out,
      checks: { lateChoice, rmCallRatio },
      reproduced: lateChoice.pass && rmCallRatio.pass,
    };
  } finally {
    await trainable.close();
  }
}

/** The smoke's table lines. */
export function renderLaserReport(r: LaserDemoReport): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const ci = (i: Interval) => `${pct(i.mean)} [${pct(i.low)}, ${pct(i.high)}]`;
  const lines = [
    `greedy accuracy on the training prompts before training: ${ci(r.accuracyBefore)}`,
  ];
  for (const [name, c] of Object.entries(r.conditions)) {
    const choice = Object.entries(c.train.selection.late)
      .map(
        ([f, arms]) =>
          `${f}: ${Object.entries(arms)
            .map(([a, n]) => `${a}×${n}`)
            .join(" ")}`,
      )
      .join(" · ");
    lines.push(
      `${name.padEnd(8)} after ${ci(c.accuracyAfter)} · RM calls ${c.train.totalRmCalls} · late batches ${choice}`,
    );
  }
  const { lateChoice, rmCallRatio } = r.checks;
  lines.push(
    `check 1 late choice of the family's RM ≥ 80%: ${Object.entries(lateChoice.shares)
      .map(([f, v]) => `${f} ${pct(v)}`)
      .join(", ")} → ${lateChoice.pass ? "pass" : "MISS"}`,
    `check 2 RM calls LASeR / ensemble ≤ 1.05/3: ${rmCallRatio.ratio.toFixed(3)} → ${rmCallRatio.pass ? "pass" : "MISS"}`,
    `${laserClaim}: ${r.reproduced ? "REPRODUCED" : "NOT REPRODUCED"}`,
  );
  return lines;
}
