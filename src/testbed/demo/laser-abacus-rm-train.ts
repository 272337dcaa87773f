/**
 * The reliable arms of LASeR's testbed measurement, trained live (docs/laser.md, "Amendment 2"):
 * an ORM LoRA adapter of abacus-1m per family from policy samples of that family's training
 * prompts plus their gold answers, labelled exactly, and the RM precondition (each adapter's AUROC
 * on held-out policy samples of its own family). Kept in `<run>/rms/` so a resumed run reuses them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import type { Interval } from "../../evals/bootstrap.ts";
import { auroc, aurocInterval } from "../../evals/metrics/auroc.ts";
import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { UsageError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import {
  isRight,
  type LaserFamily,
  laserAbacusPrompts,
  laserFamilyNames,
} from "./laser-abacus-items.ts";
import { ormExamples, policySamples } from "./laser-abacus-rm-data.ts";
import { AdapterOrm } from "./laser-abacus-rms.ts";
import { trainLoraAdapter } from "./lora-sft.ts";

/** How the RM adapters are trained and checked (registered in docs/laser.md, Amendment 2). */
export interface RmSettings {
  /** Training prompts per family; each gives `samplesPerPrompt` samples + its gold answer. */
  trainPrompts: number;
  samplesPerPrompt: number;
  /** Held-out prompts per family for the precondition (× samplesPerPrompt samples). */
  heldoutPrompts: number;
  epochs: number;
  lr: number;
  rank: number;
  seed: number;
  /** The precondition: each reliable RM's AUROC on held-out samples of its own family. */
  minAuroc: number;
}

/** 80 prompts × (4 samples + gold) = 400 examples; 100 held-out prompts × 4 = 400 samples. */
export const rmSettings: RmSettings = {
  trainPrompts: 80,
  samplesPerPrompt: 4,
  heldoutPrompts: 100,
  epochs: 1,
  lr: 3e-3,
  rank: 8,
  seed: 1,
  minAuroc: 0.75,
};

/** The RM recipes: the registered one and Amendment 4's single larger one (docs/laser.md). */
export const rmRecipes = {
  registered: rmSettings,
  /** 4× the RM data: 320 prompts per family × (4 samples + gold) = 1,600 examples. */
  large: { ...rmSettings, trainPrompts: 320 },
} satisfies Record<string, RmSettings>;

export type RmRecipe = keyof typeof rmRecipes;

/** One family's trained RM and its precondition. */
export interface TrainedRm {
  family: LaserFamily;
  /** Adapter file, relative to the run folder. */
  adapter: string;
  examples: number;
  positives: number;
  steps: number;
  firstLoss: number;
  loss: number;
  seconds: number;
  /**
   * The precondition on held-out samples; `ci` is a 95% bootstrap interval over prompts (reported
   * only: the registered rule reads the point estimate). Scores in `rms/heldout-<family>.jsonl`.
   */
  heldout: { samples: number; right: number; auroc: number; ci?: Interval; pass: boolean };
}

export interface TrainedRms {
  settings: RmSettings;
  rms: Record<LaserFamily, TrainedRm>;
  /** Every reliable RM's AUROC ≥ minAuroc. */
  pass: boolean;
}

/** Loads the base model with a family's adapter, as an arm named `rm-<family>`. */
export async function loadAdapterOrm(
  basePath: string,
  adapter: string,
  family: string,
  threads: number,
): Promise<{ rm: AdapterOrm; model: LanguageModel }> {
  const model = await loadLlamaCppModel({
    modelPath: basePath,
    lora: [{ path: adapter }],
    threads,
  });
  return { rm: new AdapterOrm(`rm-${family}`, model), model };
}

/**
 * Trains (or, when `<run>/rms/rms.json` exists, reads) both RM adapters and measures the
 * precondition. Streams: adapters on `rm-train` prompts, AUROC on `rm-heldout` prompts.
 */
export async function trainLaserRms(
  basePath: string,
  runDir: string,
  o: { settings?: RmSettings; threads: number; stage?: (line: string) => void },
): Promise<TrainedRms> {
  const s = o.settings ?? rmSettings;
  const stage = o.stage ?? (() => {});
  const dir = join(runDir, "rms");
  const saved = join(dir, "rms.json");
  if (existsSync(saved)) {
    const stored = JSON.parse(readFileSync(saved, "utf8")) as TrainedRms;
    // RMs trained on another recipe would silently stand in for this run's
    if (JSON.stringify(stored.settings) !== JSON.stringify(s))
      throw new UsageError(
        `${saved} holds RMs trained with other settings (${JSON.stringify(stored.settings)}, this run: ${JSON.stringify(s)}); use RMs of the same --rm-recipe or let this run train its own`,
      );
    stage(`RM adapters and precondition from ${saved}`);
    return stored;
  }
  mkdirSync(dir, { recursive: true });
  const train = laserAbacusPrompts(s.seed, "rm-train", s.trainPrompts);
  const heldout = laserAbacusPrompts(s.seed, "rm-heldout", s.heldoutPrompts);
  const base = await loadLlamaCppModel({ modelPath: basePath, threads: o.threads });
  const rms = {} as Record<LaserFamily, TrainedRm>;
  try {
    for (const family of laserFamilyNames) {
      const mine = train.filter((it) => it.family === family);
      stage(`${family}: ${s.samplesPerPrompt} policy samples of ${mine.length} training prompts`);
      const samples = await policySamples(base, mine, s.samplesPerPrompt, s.seed);
      const examples = new SeededRandom(deriveSeed(s.seed, `laser-rm-${family}`)).shuffle(
        ormExamples(mine, samples),
      );
      const adapter = join("rms", `rm-${family}.lora.gguf`);
      stage(`${family}: training the ORM adapter on ${examples.length} examples`);
      const t = await trainLoraAdapter(
        basePath,
        examples,
        { epochs: s.epochs, lr: s.lr, rank: s.rank, seed: s.seed },
        join(runDir, adapter),
      );
      const held = heldout.filter((it) => it.family === family);
      stage(`${family}: precondition on ${held.length} held-out prompts × ${s.samplesPerPrompt}`);
      const heldSamples = await policySamples(base, held, s.samplesPerPrompt, s.seed + 1000);
      const { rm, model } = await loadAdapterOrm(
        basePath,
        join(runDir, adapter),
        family,
        o.threads,
      );
      let scores: number[];
      try {
        scores = await rm.scoreOutcomes(
          held.flatMap((it, i) =>
            heldSamples[i]!.map((solution) => ({ question: it.prompt, solution })),
          ),
        );
      } finally {
        await model.close?.();
      }
      const rows = held.flatMap((it, i) =>
        heldSamples[i]!.map((text) => ({ id: it.id, right: isRight(it, text), text })),
      );
      writeFileSync(
        join(dir, `heldout-${family}.jsonl`),
        rows.map((r, k) => `${JSON.stringify({ ...r, score: scores[k] })}\n`).join(""),
      );
      const labels = rows.map((r) => r.right);
      const value = auroc(
        scores.filter((_, k) => labels[k]),
        scores.filter((_, k) => !labels[k]),
      );
      const ci = aurocInterval(
        held.map((_, i) =>
          scores
            .slice(i * s.samplesPerPrompt, (i + 1) * s.samplesPerPrompt)
            .map((score, j) => ({ score, positive: labels[i * s.samplesPerPrompt + j]! })),
        ),
        { seed: s.seed },
      );
      rms[family] = {
        family,
        adapter,
        examples: examples.length,
        positives: examples.filter((e) => e.completion === " +").length,
        steps: t.steps,
        firstLoss: t.firstLoss,
        loss: t.loss,
        seconds: t.seconds,
        heldout: {
          samples: labels.length,
          right: labels.filter(Boolean).length,
          auroc: value,
          ci,
          pass: value >= s.minAuroc,
        },
      };
      stage(`${family}: AUROC ${value.toFixed(3)} on ${labels.length} held-out samples`);
    }
  } finally {
    await base.close?.();
  }
  const result: TrainedRms = {
    settings: s,
    rms,
    pass: laserFamilyNames.every((f) => rms[f].heldout.pass),
  };
  writeFileSync(saved, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
