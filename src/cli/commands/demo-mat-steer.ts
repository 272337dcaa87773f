import { runSteerDemo } from "../../testbed/demo/steer-demo.ts";
import { type SteerDemoData, steerDemoData } from "../../testbed/demo/steer-demo-data.ts";
import {
  renderSteerExample,
  renderSteerReport,
  renderSteerTraining,
} from "../../testbed/demo/steer-render.ts";
import { steerClaim } from "../../testbed/demo/steer-report.ts";
import { type DemoFlags, runDemo } from "./demo-run.ts";

export interface SteerDemoFlags extends DemoFlags {
  trainSeed: number;
}

/** Contrast pairs per attribute (design §5: 600 statements per attribute). */
const pairs = 300;
/** Undesirable validation items per attribute (and neutral validation prompts) for α tuning. */
const validationSize = 30;

/** `chorus demo mat-steer`: MAT-Steer vs mean-difference steering on a shipped Atlas model. */
export async function matSteerDemo(flags: SteerDemoFlags): Promise<void> {
  await runDemo<SteerDemoData>(flags, {
    method: "mat-steer",
    title: "MAT-Steer (Nguyen et al. 2025)",
    claim: steerClaim,
    role: "steered",
    config: { trainSeed: flags.trainSeed, n: flags.n, pairs, validation: validationSize },
    prepare: ({ world }) =>
      steerDemoData(world, flags.seed, {
        pairs,
        n: flags.n,
        neutral: flags.n,
        validation: Math.min(validationSize, flags.n),
      }),
    measure: async (model, data, { run, stats, progress }) => {
      const result = await runSteerDemo(model, data, {
        trainSeed: flags.trainSeed,
        run,
        stats,
        progress,
        onStage: (s) => process.stderr.write(`demo: ${s}\n`),
      });
      const { report, training } = result;
      return {
        reproduced: report.reproduced,
        fields: {
          trainSeed: flags.trainSeed,
          setting: report.setting,
          training,
          n: report.n,
          accuracy: report.accuracy,
          single: report.single,
          preservation: report.preservation,
          qa: report.qa,
          kl: report.kl,
          gates: report.gates,
          delta: report.delta,
          interference: report.interference,
          checks: report.checks,
        },
        lines: [
          `data: ${pairs} contrast pairs per attribute (80% train, 20% held out) · eval seed ${flags.seed} · gate-training seed ${flags.trainSeed}`,
          renderSteerTraining(training),
          "e.g.",
          ...result.examples.map((e) =>
            renderSteerExample(
              e.item,
              e.outcome,
              report.setting,
              result.ownGates[report.setting][e.item.attribute],
            ),
          ),
          renderSteerReport(report),
        ],
      };
    },
  });
}
