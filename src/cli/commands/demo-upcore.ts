import type { UnlearnMethod } from "../../methods/upcore/unlearn.ts";
import { UsageError } from "../../model/errors.ts";
import { upcoreFacts } from "../../testbed/atlas/upcore-facts.ts";
import { upcoreClaim } from "../../testbed/demo/upcore-claim.ts";
import {
  runUpcoreDemo,
  type UpcoreDemoSettings,
  unlearnRecipes,
  upcoreFullSettings,
  upcoreSmokeSettings,
} from "../../testbed/demo/upcore-demo.ts";
import { relationSizes } from "../../testbed/demo/upcore-sets.ts";
import { type DemoFlags, runDemo } from "./demo-run.ts";

export interface UpcoreDemoFlags extends DemoFlags {
  full?: boolean;
  nullWorld?: boolean;
  recipe?: string;
  evalBatch?: number;
}

const f3 = (x: number) => x.toFixed(3);

/** The demo's settings: the smoke or (`--full`) the design's, on clusters or (`--null-world`) relations. */
export function upcoreDemoSettings(flags: {
  full?: boolean;
  nullWorld?: boolean;
  recipe?: string;
  evalBatch?: number;
}): UpcoreDemoSettings {
  const base = flags.full ? upcoreFullSettings : upcoreSmokeSettings;
  const name = flags.recipe ?? "spec";
  if (!Object.hasOwn(unlearnRecipes, name))
    throw new UsageError(
      `--recipe ${name} is not an unlearning recipe: use ${Object.keys(unlearnRecipes).join(" or ")}`,
    );
  const recipe = unlearnRecipes[name as keyof typeof unlearnRecipes];
  return {
    ...base,
    recipe,
    ...(flags.nullWorld ? { grouping: "relations", sizes: relationSizes(base.sizes) } : {}),
    ...(flags.evalBatch !== undefined ? { evalBatch: flags.evalBatch } : {}),
  };
}

/**
 * The run folder's settings: all but `evalBatch`, which is how the evaluation is computed (like
 * threads), not what is measured; each unlearning run's record says which it used, so a run
 * folder can be resumed with either.
 */
export function upcoreRunConfig(settings: UpcoreDemoSettings): Record<string, unknown> {
  const { evalBatch: _, ...measured } = settings;
  return measured;
}

/** `chorus demo upcore`: UPCORE vs complete and random forget sets on a shipped Atlas model. */
export async function upcoreDemo(flags: UpcoreDemoFlags): Promise<void> {
  const settings = upcoreDemoSettings(flags);
  const size = flags.full ? "full" : "smoke";
  await runDemo(flags, {
    method: "upcore",
    title: `UPCORE (Patil et al. 2025), ${size}, recipe ${settings.recipe.name}${flags.nullWorld ? ", null world (one relation and template per forget set)" : ""}`,
    claim: upcoreClaim,
    role: "unlearned",
    config: { size, nullWorld: !!flags.nullWorld, ...upcoreRunConfig(settings) },
    prepare: ({ world }) => upcoreFacts(world, flags.seed, { oneTemplate: !!flags.nullWorld }),
    measure: async (model, facts, { subject, run }) => {
      const r = await runUpcoreDemo(model, facts, {
        modelPath: subject.path,
        settings,
        evalSeed: flags.seed,
        run,
        onStage: (s) => process.stderr.write(`demo: ${s}\n`),
      });
      const v = r.verdict;
      const byMethod = (pick: (m: (typeof v.methods)[number]) => unknown) =>
        Object.fromEntries(v.methods.map((m) => [m.method, pick(m)])) as Record<
          UnlearnMethod,
          unknown
        >;
      return {
        reproduced: v.reproduced,
        fields: {
          size,
          nullWorld: !!flags.nullWorld,
          n: {
            ...r.n,
            forgetSets: r.selections.length,
            seeds: settings.seeds,
            methods: settings.methods,
            runs: r.runs.length,
          },
          selections: r.selections,
          auc: byMethod((m) => m.meanAuc),
          deltaAuc: byMethod((m) => ({ vsComplete: m.deltaVsComplete, vsRandom: m.deltaVsRandom })),
          prunedRouge: byMethod((m) => m.prunedRouge),
          varianceDamageRho: v.varianceDamageRho,
          noDifference: v.noDifference,
          recipe: settings.recipe,
          precondition: v.precondition,
          checks: v.checks,
        },
        lines: [
          `${r.n.known} of ${r.n.facts} facts known · ${settings.grouping === "clusters" ? "k-means" : "relation"} groups ${r.n.groupSizes.join(", ")} · retain ${r.n.retain} (${r.n.retainEval} evaluated)`,
          ...r.selections.map(
            (s) =>
              `${s.forgetSet}: ${s.forget} facts (of ${s.groupSize}) → UPCORE keeps ${s.kept}, prunes ${s.pruned} · variance ${f3(s.varBefore)} → ${f3(s.varAfter)} · ${s.neighbours} neighbours`,
          ),
          "method   AUC UPCORE  random  complete   Δ vs complete [95% CI]    Δ vs random [95% CI]",
          ...v.methods.map(
            (m) =>
              `${m.method.padEnd(8)} ${f3(m.meanAuc.upcore).padStart(10)} ${f3(m.meanAuc.random).padStart(7)} ${f3(m.meanAuc.complete).padStart(9)}   ${f3(m.deltaVsComplete.mean)} [${f3(m.deltaVsComplete.low)}, ${f3(m.deltaVsComplete.high)}]   ${f3(m.deltaVsRandom.mean)} [${f3(m.deltaVsRandom.low)}, ${f3(m.deltaVsRandom.high)}]`,
          ),
          ...[...(v.precondition ? [v.precondition] : []), ...v.checks].map(
            (c) => `${c.pass ? "PASS" : "FAIL"} ${c.name}: ${c.detail}`,
          ),
          ...(flags.nullWorld
            ? [
                `null world: ${v.noDifference ? "no difference (as expected)" : "UPCORE differs from random (unexpected)"}`,
              ]
            : []),
          `claim ${v.reproduced ? "REPRODUCED" : v.precondition?.pass === false ? "NOT REPRODUCED (precondition failed)" : "NOT REPRODUCED"} (${size}, recipe ${settings.recipe.name}: ${r.selections.length} forget sets × ${settings.seeds.length} seed(s), ${settings.methods.join("/")}; pre-registered in docs/upcore.md)`,
        ],
      };
    },
  });
}
