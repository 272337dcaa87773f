import {
  laserClaim,
  laserDemoSettings,
  renderLaserReport,
  runLaserDemo,
} from "../../testbed/demo/laser-demo.ts";
import { type LaserDemoItem, laserDemoItems } from "../../testbed/demo/laser-demo-data.ts";
import { type DemoFlags, runDemo } from "./demo-run.ts";

/** Training prompts per family when `--n` is not given (the other demos' 200 would take ~20 min). */
export const laserDefaultN = 48;

/** `chorus demo laser`: the LASeR smoke on atlas-1m (docs/laser.md), offline. */
export async function laserDemo(
  flags: DemoFlags & { trainSeed?: number },
  nGiven: boolean,
): Promise<void> {
  const perFamily = nGiven ? flags.n : laserDefaultN;
  const trainSeed = flags.trainSeed ?? 1;
  await runDemo<LaserDemoItem[]>(flags, {
    method: "laser",
    title: "LASeR (Nguyen et al. 2025), smoke",
    claim: laserClaim,
    role: "policy",
    config: { perFamily, trainSeed, ...laserDemoSettings },
    prepare: ({ world }) => laserDemoItems(world, flags.seed, perFamily),
    measure: async (model, items, { subject, run }) => {
      const report = await runLaserDemo(model, subject.path, items, {
        run,
        trainSeed,
        onBatch: (condition, done, total) => {
          if (process.stderr.isTTY)
            process.stderr.write(
              `\r${condition} batch ${done}/${total}${done === total ? "\n" : ""}`,
            );
        },
      });
      return {
        reproduced: report.reproduced,
        fields: {
          n: { perFamily, trainPrompts: items.length },
          trainSeed,
          accuracyBefore: report.accuracyBefore,
          conditions: Object.fromEntries(
            Object.entries(report.conditions).map(([name, c]) => [
              name,
              {
                accuracyAfter: c.accuracyAfter,
                rmCalls: c.train.rmCalls,
                totalRmCalls: c.train.totalRmCalls,
                lateSelection: c.train.selection.late,
                lossByIteration: c.train.lossByIteration,
              },
            ]),
          ),
          checks: report.checks,
        },
        lines: [
          `${items.length} training prompts (${perFamily} city + ${perFamily} job questions on facts seen 5–49 times) · eval seed ${flags.seed} · training seed ${trainSeed}`,
          ...renderLaserReport(report),
        ],
      };
    },
  });
}
