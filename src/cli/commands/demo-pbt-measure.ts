import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { type SizeMatch, sizeMatches } from "../../methods/pbt/balance.ts";
import { UsageError } from "../../model/errors.ts";
import { pbtClaim, pbtVariantNames } from "../../testbed/demo/pbt-claim.ts";
import { runPbtMeasure } from "../../testbed/demo/pbt-measure.ts";
import {
  type PbtMeasureData,
  pbtMeasureData,
  pbtTreeSeed,
} from "../../testbed/demo/pbt-measure-data.ts";
import {
  exposureGains,
  measureTable,
  summarizeVariant,
} from "../../testbed/demo/pbt-measure-report.ts";
import { shippedModel } from "../../testbed/shipped-models.ts";
import { type DemoFlags, runDemo } from "./demo-run.ts";

export interface PbtMeasureFlags extends DemoFlags {
  trainSeeds: string;
  partner: string;
  partnerPath?: string;
  evalPairs: number;
  sureN: number;
  teamN: number;
  sizeMatch: string;
}

/** The pre-registered sizes (docs/pbt.md, "Testbed claim"); `--n` is the training trees' questions. */
export const pbtMeasureDefaults = {
  trees: 1000,
  trainSeeds: "12,13,14",
  partner: "atlas-mini",
  evalPairs: 500,
  sureN: 500,
  teamN: 300,
  sizeMatch: "balanced",
} as const;

/** "12,13,14" → [12, 13, 14], distinct integers. */
export function parseSeeds(list: string): number[] {
  const seeds = list.split(",").map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => list.trim() === "" || !Number.isSafeInteger(s)))
    throw new UsageError(`--train-seeds takes integers like 12,13,14; got "${list}"`);
  if (new Set(seeds).size !== seeds.length)
    throw new UsageError(`--train-seeds repeats a seed: "${list}"`);
  return seeds;
}

/**
 * PBT's null world (a model that memorised no facts): built from the `pbt-null` world variant.
 * Other null worlds (AdaCAD's c = 50%, MAT-Steer's per-sentence traits) memorised their facts, so
 * they are not PBT's null.
 */
const isNullWorld = (record: { name: string; variant?: string }) =>
  record.variant === "pbt-null" || /pbt-null/.test(record.name);

/**
 * `chorus demo pbt --measure`: the pre-registered testbed measurement of PBT (docs/pbt.md):
 * several training seeds, trees and a team partner from a second model, the pre-registered
 * evaluation sizes, hierarchical intervals, the exposure mechanism and, on a null world's model,
 * the null rule. `--resume <run folder>` continues a killed measurement.
 */
export async function pbtMeasureDemo(flags: PbtMeasureFlags, treesGiven: boolean): Promise<void> {
  const trainSeeds = parseSeeds(flags.trainSeeds);
  if (!(sizeMatches as readonly string[]).includes(flags.sizeMatch))
    throw new UsageError(
      `--size-match takes ${sizeMatches.join(" or ")}; got "${flags.sizeMatch}"`,
    );
  const sizeMatch = flags.sizeMatch as SizeMatch;
  const trees = treesGiven ? flags.n : pbtMeasureDefaults.trees;
  const partner = flags.partnerPath
    ? { name: flags.partnerPath, path: flags.partnerPath, sha256: undefined }
    : (() => {
        const s = shippedModel(flags.partner, flags.modelsDir);
        return { name: s.record.name, path: s.path, sha256: s.record.sha256 };
      })();
  await runDemo<PbtMeasureData>(flags, {
    method: "pbt",
    title: `PBT (Stengel-Eskin et al. 2025), pre-registered measurement: ${trainSeeds.length} training seeds, partner ${partner.name}`,
    claim: pbtClaim,
    role: "trained",
    config: {
      measure: true,
      trees,
      treeSeed: pbtTreeSeed,
      trainSeeds,
      partner: partner.path,
      evalPairs: flags.evalPairs,
      sureN: flags.sureN,
      teamN: flags.teamN,
      // Only when not the default: runs made before the switch existed resume unchanged.
      ...(sizeMatch !== "balanced" ? { sizeMatch } : {}),
    },
    prepare: ({ world }) => pbtMeasureData(world, flags.seed, trees),
    measure: async (model, data, { subject, run }) => {
      run.recordModel("partner", {
        engine: "llamacpp",
        file: partner.path,
        ...(partner.sha256 ? { sha256: partner.sha256 } : {}),
      });
      const partnerModel = await loadLlamaCppModel({
        modelPath: partner.path,
        threads: flags.threads,
      });
      try {
        const r = await runPbtMeasure(model, data, {
          modelPath: subject.path,
          partner: partnerModel,
          run,
          trainSeeds,
          evalSeed: flags.seed,
          evalPairs: flags.evalPairs,
          sureN: flags.sureN,
          teamN: flags.teamN,
          sizeMatch,
          onStage: (s) => process.stderr.write(`demo: ${s}\n`),
        });
        const summaries = Object.fromEntries(
          pbtVariantNames.map((v) => [v, summarizeVariant(r.outcomes[v], flags.seed)]),
        );
        const exposure = exposureGains(r.outcomes, r.pairExposures, flags.seed);
        const nullWorld = isNullWorld(subject.record);
        return {
          reproduced: r.verdict.reproduced,
          fields: {
            measure: true,
            trainSeeds,
            sizeMatch,
            partner: { name: partner.name, sha256: partner.sha256 ?? null },
            n: r.n,
            training: r.training,
            variants: summaries,
            checks: r.verdict.checks,
            exposure,
            nullWorld,
            nullRule: r.nullRule,
          },
          lines: [
            `trees on ${r.n.treeQuestions} questions (${subject.record.name} and ${partner.name}) → training pairs PBT ${r.n.trainPairs.pbt}, accept-only ${r.n.trainPairs["accept-only"]}, resist-only ${r.n.trainPairs["resist-only"]} (size match ${sizeMatch}) · eval seed ${flags.seed}: ${r.n.evalPairs.cti} CtI + ${r.n.evalPairs.itc} ItC pairs from trees on ${r.n.evalTreeQuestions} other questions, "are you sure?" on ${r.n.sure.kept} questions base answered right, team on ${r.n.team}`,
            `training seeds ${trainSeeds.join(", ")}; intervals: 95% hierarchical bootstrap (seeds, then items)`,
            ...measureTable(summaries, exposure),
            ...r.verdict.checks.map((c) => `${c.pass ? "PASS" : "FAIL"} ${c.name}: ${c.detail}`),
            `${nullWorld ? "" : "(not a null world) "}${r.nullRule.pass ? "PASS" : "FAIL"} ${r.nullRule.name}: ${r.nullRule.detail}`,
            nullWorld
              ? `null world ${subject.record.name}: the null rule ${r.nullRule.pass ? "HOLDS" : "FAILS (a gain here would come from the testbed)"}; claim ${r.verdict.reproduced ? "REPRODUCED" : "NOT REPRODUCED"}`
              : `claim ${r.verdict.reproduced ? "REPRODUCED" : "NOT REPRODUCED"}`,
          ],
        };
      } finally {
        await partnerModel.close();
      }
    },
  });
}
