import {
  type AttributeActivations,
  gates,
  type MatSteerTrainOptions,
  type Steerer,
} from "../../methods/mat-steer/index.ts";

/**
 * The two MAT-Steer training settings the demo compares (docs/mat-steer.md):
 * - `spec`: the spec's weights as it states them (σ = 2, λ 1/0.9/0.1/0.9, lr 1e-3, 100 epochs);
 * - `median`: the median-σ setting of the stories260K end-to-end test (σ = median pairwise
 *   distance, λ_sparse = λ_pos = 0.05, lr 1e-2, 300 epochs).
 */
export const gateSettings = {
  spec: { label: "MAT spec", options: {} },
  median: {
    label: "MAT median-σ",
    options: {
      sigma: "median",
      lambdaSparse: 0.05,
      lambdaPos: 0.05,
      learningRate: 1e-2,
      epochs: 300,
    },
  },
} as const satisfies Record<string, { label: string; options: Partial<MatSteerTrainOptions> }>;
export type GateSetting = keyof typeof gateSettings;
export const gateSettingNames = Object.keys(gateSettings) as GateSetting[];

/**
 * Which gate belongs to which attribute. The objective is symmetric under relabelling (gate,
 * vector) pairs (docs/mat-steer.md), so an attribute's gate is the one that opens most on its
 * training negatives relative to its training positives.
 */
export function ownGates(
  steerer: Steerer,
  training: Readonly<Record<string, AttributeActivations>>,
): Record<string, number> {
  const mean = (xs: readonly ArrayLike<number>[], k: number) =>
    xs.reduce((s, h) => s + gates(steerer, h)[k]!, 0) / Math.max(1, xs.length);
  return Object.fromEntries(
    Object.entries(training).map(([name, { positive, negative }]) => {
      const gaps = steerer.gateW.map((_, k) => mean(negative, k) - mean(positive, k));
      return [name, gaps.indexOf(Math.max(...gaps))];
    }),
  );
}

/** Mean own-gate value on held-out undesirable and desirable statements, averaged over attributes. */
export interface GateBehaviour {
  undesirable: number;
  desirable: number;
}

export function gateBehaviour(
  steerer: Steerer,
  own: Readonly<Record<string, number>>,
  heldOut: Readonly<Record<string, AttributeActivations>>,
): GateBehaviour {
  const names = Object.keys(heldOut);
  const mean = (xs: readonly ArrayLike<number>[], k: number) =>
    xs.reduce((s, h) => s + gates(steerer, h)[k]!, 0) / Math.max(1, xs.length);
  let undesirable = 0;
  let desirable = 0;
  for (const name of names) {
    undesirable += mean(heldOut[name]!.negative, own[name]!) / names.length;
    desirable += mean(heldOut[name]!.positive, own[name]!) / names.length;
  }
  return { undesirable, desirable };
}

/** The paper's gate behaviour, as thresholds (written in docs/mat-steer.md before any run). */
export const gateRule = { openAtLeast: 0.5, closedAtMost: 0.1 } as const;

/**
 * The demo's default setting, by the rule in docs/mat-steer.md: a setting behaves as the paper
 * describes when its gates are open (mean ≥ 0.5) on held-out undesirable statements and near zero
 * (≤ 0.1) on desirable ones. One such setting is the default; if both or neither behave so, the
 * larger gap (undesirable − desirable) wins, ties to the spec.
 */
export function chooseGateSetting(behaviour: Readonly<Record<GateSetting, GateBehaviour>>): {
  setting: GateSetting;
  asDescribed: Record<GateSetting, boolean>;
} {
  const asDescribed = Object.fromEntries(
    gateSettingNames.map((s) => [
      s,
      behaviour[s].undesirable >= gateRule.openAtLeast &&
        behaviour[s].desirable <= gateRule.closedAtMost,
    ]),
  ) as Record<GateSetting, boolean>;
  const gap = (s: GateSetting) => behaviour[s].undesirable - behaviour[s].desirable;
  const candidates = gateSettingNames.filter((s) => asDescribed[s]);
  const pool = candidates.length > 0 ? candidates : gateSettingNames;
  const setting = pool.reduce((best, s) => (gap(s) > gap(best) ? s : best));
  return { setting, asDescribed };
}
