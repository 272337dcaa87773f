import type { Interval } from "../../evals/bootstrap.ts";
import type { ContextItem, ContextSet } from "./context-items.ts";
import { adacadClaim, type ContextReport } from "./context-report.ts";
import { type DemoDecoding, demoDecodingNames, type ItemOutcome } from "./context-run.ts";

const ci = (i: Interval) =>
  Number.isNaN(i.mean) ? "—" : `${i.mean.toFixed(1)} [${i.low.toFixed(1)}, ${i.high.toFixed(1)}]`;
const signed = (i: Interval) =>
  `${i.mean >= 0 ? "+" : ""}${i.mean.toFixed(1)} [${i.low.toFixed(1)}, ${i.high.toFixed(1)}]`;
const pad = (s: string, w: number) => s.padEnd(w);
const mark = (ok: boolean) => (ok ? "✓" : "✗");
const label: Record<DemoDecoding, string> = { greedy: "greedy", cad: "CAD", adacad: "AdaCAD" };

/** A worked example: the context, what memory says, and each decoding's answer. */
export function renderExample(item: ContextItem, outcome: ItemOutcome): string {
  const o = outcome.outcomes;
  const answers = demoDecodingNames
    .map((d) => {
      const alpha = d === "adacad" ? ` (α ${o[d].alpha.toFixed(2)})` : "";
      return `${label[d]}: ${o[d].answer || "∅"} ${mark(o[d].correct)}${alpha}`;
    })
    .join(" | ");
  const memory = item.memory === undefined ? "" : `  memory: ${item.memory} |`;
  return `  [${item.set}] C: "${item.context}" Q: ${item.question}\n   ${memory} gold: ${item.gold} | ${answers}`;
}

/** The demo's table, α line and claim line. */
export function renderReport(report: ContextReport): string {
  const sets: Array<ContextSet | "mixed"> = ["conflict", "agreeing", "context-only", "mixed"];
  const w = 28;
  const lines = [
    `${pad("method", 8)}${sets.map((s) => pad(`${s} acc % [95% CI]`, w + 2)).join("")}`,
  ];
  for (const d of demoDecodingNames)
    lines.push(
      `${pad(label[d], 8)}${sets.map((s) => pad(ci(report.accuracy[d][s]), w + 2)).join("")}`,
    );
  lines.push(
    `n: ${sets.map((s) => `${s} ${report.n[s]}`).join(", ")}`,
    `AdaCAD − greedy: conflict ${signed(report.delta.greedy.conflict)}, mixed ${signed(report.delta.greedy.mixed)} points`,
    `AdaCAD − CAD:    agreeing ${signed(report.delta.cad.agreeing)}, mixed ${signed(report.delta.cad.mixed)} points`,
    `mean α: conflict ${report.meanAlpha.conflict.toFixed(3)}, agreeing ${report.meanAlpha.agreeing.toFixed(3)}, context-only ${report.meanAlpha["context-only"].toFixed(3)} (AUROC conflict vs agreeing ${report.alphaAuroc.toFixed(3)})`,
    "pre-registered checks (docs/testbed.md):",
    ...report.checks.map(
      (c) => `  ${mark(c.passed)} ${c.name}: ${c.value.toFixed(c.threshold < 1 ? 3 : 1)}`,
    ),
    `claim "${adacadClaim}": ${report.reproduced ? "REPRODUCED" : "NOT REPRODUCED"}`,
  );
  return lines.join("\n");
}
