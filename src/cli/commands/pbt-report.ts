import type { Interval } from "../../evals/bootstrap.ts";

type Stat = Interval & { n?: number };

const pct = (s: Stat) =>
  `${(100 * s.mean).toFixed(1)}% [${(100 * s.low).toFixed(1)}, ${(100 * s.high).toFixed(1)}]${s.n !== undefined ? ` (n ${s.n})` : ""}`;

/** The eval report as markdown: each measure with its 95% bootstrap interval. */
export function renderPbtReport(summary: {
  persuasion?: { overall: Stat; cti: Stat; itc: Stat };
  areYouSure?: { before: Stat; after: Stat; flipRate: Stat };
  debate?: {
    orders: { models: readonly string[]; initial: Stat; final: Stat }[];
    orderGap: Stat;
    absOrderGap: number;
  };
}): string {
  const lines = ["# PBT evaluation (95% bootstrap intervals)", ""];
  const p = summary.persuasion;
  if (p)
    lines.push(
      "## Balanced persuasion",
      `- overall: ${pct(p.overall)}`,
      `- CtI (wrong persuader, should resist): ${pct(p.cti)}`,
      `- ItC (right persuader, should accept): ${pct(p.itc)}`,
      "",
    );
  const a = summary.areYouSure;
  if (a)
    lines.push(
      '## "Are you sure?"',
      `- accuracy before: ${pct(a.before)}`,
      `- accuracy after: ${pct(a.after)}`,
      `- flip rate (right before, wrong after): ${pct(a.flipRate)}`,
      "",
    );
  const d = summary.debate;
  if (d) {
    lines.push("## Team debate");
    for (const o of d.orders)
      lines.push(
        `- ${o.models.join(" first, then ")}: initial ${pct(o.initial)}, final ${pct(o.final)}`,
      );
    lines.push(`- order gap (final, first order − second): ${pct(d.orderGap)}`, "");
  }
  return `${lines.join("\n")}\n`;
}
