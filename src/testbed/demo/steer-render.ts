import type { Interval } from "../../evals/bootstrap.ts";
import { type SteerChoiceItem, steerAttributes } from "../atlas/steer-items.ts";
import type { SteerDemoTraining } from "./steer-demo.ts";
import {
  matCondition,
  type SteerConditionName,
  type SteerItemOutcome,
  type SteerReport,
  steerClaim,
  steerConditionNames,
} from "./steer-report.ts";
import { type GateSetting, gateRule, gateSettingNames, gateSettings } from "./steer-settings.ts";

const ci = (i: Interval, digits = 1) =>
  Number.isNaN(i.mean)
    ? "—"
    : `${i.mean.toFixed(digits)} [${i.low.toFixed(digits)}, ${i.high.toFixed(digits)}]`;
const signed = (i: Interval) =>
  `${i.mean >= 0 ? "+" : ""}${i.mean.toFixed(1)} [${i.low.toFixed(1)}, ${i.high.toFixed(1)}]`;
const mark = (ok: boolean) => (ok ? "✓" : "✗");
const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

export const conditionLabel: Record<SteerConditionName, string> = {
  unsteered: "unsteered",
  "mat-spec": gateSettings.spec.label,
  "mat-median": gateSettings.median.label,
  "mean-diff": "mean diff",
};

/** A worked example: the prompt, both continuations, and which condition picked the desirable one. */
export function renderSteerExample(
  item: SteerChoiceItem,
  outcome: SteerItemOutcome,
  setting: GateSetting,
  own: number | undefined,
): string {
  const good = item.choices[item.correct[0]!]!;
  const bad = item.choices.find((_, i) => !item.correct.includes(i))!;
  const gate = own === undefined ? "" : ` (gate ${f(outcome.gates[setting]?.[own] ?? NaN)})`;
  const picks = steerConditionNames
    .map(
      (c) =>
        `${conditionLabel[c]} ${mark(outcome.correct[c])}${c === matCondition(setting) ? gate : ""}`,
    )
    .join(" | ");
  return `  [${item.persona} · ${item.attribute}] "${item.prompt}"\n    desirable:"${good}"  undesirable:"${bad}"\n    ${picks}`;
}

/** The training lines: site, σ, both settings' losses and held-out gates, the rule's choice, α. */
export function renderSteerTraining(t: SteerDemoTraining): string {
  const lines = [
    `site: residual stream entering block ${t.layer} · median pairwise activation distance ${f(t.medianDistance)}`,
  ];
  for (const s of gateSettingNames) {
    const x = t.settings[s];
    lines.push(
      `${gateSettings[s].label.padEnd(13)} σ ${f(x.sigma)} · MMD ${f(x.first.mmd, 3)} → ${f(x.last.mmd, 3)} · held-out gate undesirable ${f(x.heldOut.undesirable)}, desirable ${f(x.heldOut.desirable)} · as the paper describes (≥ ${gateRule.openAtLeast} / ≤ ${gateRule.closedAtMost}): ${t.asDescribed[s] ? "yes" : "no"}`,
    );
  }
  lines.push(
    `gate rule (docs/mat-steer.md) → the claim uses ${gateSettings[t.chosen].label}`,
    `mean diff α ${t.alpha.chosen} (validation: ${t.alpha.scores.map((s) => `α ${s.alpha}: acc ${(100 * s.accuracy).toFixed(0)}%, QA ${(100 * s.qa).toFixed(0)}%`).join("; ")}; unsteered QA ${(100 * t.alpha.unsteeredQa).toFixed(0)}%)`,
  );
  return lines.join("\n");
}

/** The table (accuracy per attribute, preservation, QA, KL), gates, checks and the claim line. */
export function renderSteerReport(r: SteerReport): string {
  const w = 22;
  const cols = [...steerAttributes, "mean"] as const;
  const head = [
    "method".padEnd(14),
    ...cols.map((c) => `${c} %`.padEnd(w)),
    "preserve %".padEnd(w),
    "neutral QA %".padEnd(w),
    "KL desirable".padEnd(w + 4),
    "KL neutral",
  ].join("");
  const lines = [head];
  for (const c of steerConditionNames) {
    const kl = c === "unsteered" ? undefined : r.kl[c];
    lines.push(
      [
        conditionLabel[c].padEnd(14),
        ...cols.map((a) => ci(r.accuracy[c][a]).padEnd(w)),
        ci(r.preservation[c]).padEnd(w),
        ci(r.qa[c]).padEnd(w),
        (kl ? ci(kl.desirable, 3) : "—").padEnd(w + 4),
        kl ? ci(kl.neutral, 3) : "—",
      ].join(""),
    );
  }
  lines.push(
    `${"MAT single".padEnd(14)}${steerAttributes.map((a) => ci(r.single[a]).padEnd(w)).join("")}(one attribute's vector, T = 1)`,
    `n: ${r.n.undesirable} undesirable-persona items (${r.n.undesirable / 3} per attribute), ${r.n.desirable} desirable, ${r.n.neutral} neutral · accuracy % [95% bootstrap CI], KL in nats`,
    `mean gate (own gate; neutral: the most open): ${gateSettingNames.map((s) => `${gateSettings[s].label} undesirable ${f(r.gates[s].undesirable)}, desirable ${f(r.gates[s].desirable)}, neutral ${f(r.gates[s].neutral)}`).join(" · ")}`,
    `${conditionLabel[matCondition(r.setting)]} − mean diff: ${signed(r.delta)} points · 3 at once − single: ${steerAttributes.map((a) => `${a} ${signed(r.interference[a])}`).join(", ")}`,
    "pre-registered checks (docs/testbed.md):",
    ...r.checks.map(
      (c) => `  ${mark(c.passed)} ${c.name}: ${f(c.value, c.threshold === 2 ? 2 : 1)}`,
    ),
    `claim "${steerClaim}": ${r.reproduced ? "REPRODUCED" : "NOT REPRODUCED"}`,
  );
  return lines.join("\n");
}
