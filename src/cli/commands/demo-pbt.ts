import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { pbtClaim, pbtVariantNames } from "../../testbed/demo/pbt-claim.ts";
import { type PbtDemoData, pbtDemoData, runPbtDemo } from "../../testbed/demo/pbt-demo.ts";
import { type DemoFlags, runDemo } from "./demo-run.ts";

export interface PbtDemoFlags extends DemoFlags {
  trainSeed: number;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** `chorus demo pbt`: the PBT claim, smoke-sized, on a shipped Atlas model (one training seed). */
export async function pbtDemo(flags: PbtDemoFlags): Promise<void> {
  await runDemo<PbtDemoData>(flags, {
    method: "pbt",
    title: "PBT (Stengel-Eskin et al. 2025), smoke: one seed, the model argues with itself",
    claim: pbtClaim,
    role: "trained",
    config: { n: flags.n, trainSeed: flags.trainSeed },
    prepare: ({ world }) => pbtDemoData(world, flags.seed, flags.n),
    measure: async (model, data, { subject, run }) => {
      const scratch = await mkdtemp(join(tmpdir(), "chorus-demo-pbt-"));
      const partner = await loadLlamaCppModel({ modelPath: subject.path, threads: flags.threads });
      try {
        const r = await runPbtDemo(model, data, {
          modelPath: subject.path,
          partner,
          scratchDir: scratch,
          trainSeed: flags.trainSeed,
          run,
          onStage: (s) => process.stderr.write(`demo: ${s}\n`),
        });
        const s = r.summaries;
        return {
          reproduced: r.verdict.reproduced,
          fields: {
            trainSeed: flags.trainSeed,
            n: r.n,
            training: r.training,
            balanced: Object.fromEntries(pbtVariantNames.map((v) => [v, s[v]!.persuasion])),
            flipRate: Object.fromEntries(
              pbtVariantNames.map((v) => [v, s[v]!.areYouSure.flipRate]),
            ),
            team: Object.fromEntries(pbtVariantNames.map((v) => [v, s[v]!.debate])),
            checks: r.verdict.checks,
          },
          lines: [
            `trees on ${r.n.treeQuestions} questions → ${r.n.trainPairs} balanced training pairs; eval: ${r.n.evalPairs} balanced pairs from trees on ${r.n.evalQuestions} other questions`,
            "variant       balanced  CtI    ItC    flip rate  team (both orders)",
            ...pbtVariantNames.map((v) => {
              const x = s[v]!;
              const team = (x.debate.orders[0]!.final.mean + x.debate.orders[1]!.final.mean) / 2;
              return `${v.padEnd(13)} ${pct(x.persuasion.overall.mean).padStart(7)}  ${pct(x.persuasion.cti.mean).padStart(6)} ${pct(x.persuasion.itc.mean).padStart(6)} ${pct(x.areYouSure.flipRate.mean).padStart(8)}  ${pct(team).padStart(6)} (gap ${pct(x.debate.orderGap.mean)})`;
            }),
            ...r.verdict.checks.map((c) => `${c.pass ? "PASS" : "FAIL"} ${c.name}: ${c.detail}`),
            `claim ${r.verdict.reproduced ? "REPRODUCED" : "NOT REPRODUCED"} (smoke: one seed, ${r.n.evalPairs} pairs; the pre-registered measurement is in docs/pbt.md)`,
          ],
        };
      } finally {
        await partner.close();
        await rm(scratch, { recursive: true, force: true });
      }
    },
  });
}
