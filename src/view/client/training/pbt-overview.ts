import type { PbtCondition, PbtTreesView, PbtView } from "../../shared/training-data.ts";
import { el, fmt, svg } from "../dom.ts";
import { interval, numCell, palette, pct, table } from "./training-bits.ts";

function treesTable(t: PbtTreesView): HTMLElement {
  return el(
    "div",
    { "aria-label": `${t.label}` },
    el(
      "h3",
      {},
      `${t.label[0]!.toUpperCase()}${t.label.slice(1)}: ${t.trees} trees, ${t.turns} turns`,
    ),
    table(
      `${t.label} summary`,
      [
        "turns per level",
        "agreed at once",
        "accepted",
        "gave in",
        "held right",
        "held wrong",
        "accept pairs",
        "resist pairs",
      ],
      [
        [
          el("td", {}, t.levels.join(" / ")),
          numCell(t.agreedAtStart),
          el("td", { class: "num good", "data-testid": "moves-accepted" }, t.moves.accepted),
          el("td", { class: "num bad", "data-testid": "moves-gave-in" }, t.moves["gave-in"]),
          numCell(t.moves["held-right"]),
          numCell(t.moves["held-wrong"]),
          el("td", { class: "num", "data-testid": "pairs-accept" }, t.pairs.accept),
          el("td", { class: "num", "data-testid": "pairs-resist" }, t.pairs.resist),
        ],
      ],
    ),
  );
}

const movesHint = (threshold: number) =>
  el(
    "p",
    { class: "hint" },
    `A turn's move compares its speaker's answer with the speaker's own previous turn: accepted = wrong → right, gave in = right → wrong. Pairs: sibling replies whose subtree scores differ by more than ${threshold * 100}% (accept: moved to the persuader's right answer; resist: held a right one), before balancing.`,
  );

/** Flip rate under "are you sure?" per condition: a dot and its 95% interval on 0–100%. */
function flipPlot(conditions: readonly PbtCondition[]): SVGElement | null {
  const shown = conditions.filter((c) => c.areYouSure && c.areYouSure.flipRate.n > 0);
  if (shown.length === 0) return null;
  const rowH = 24;
  const left = 150;
  const width = 520;
  const w = width - left - 20;
  const height = shown.length * rowH + 30;
  const x = (v: number) => left + Math.max(0, Math.min(1, v)) * w;
  return svg(
    "svg",
    {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": "flip rate per condition",
      "data-testid": "flip-plot",
    },
    ...[0, 0.25, 0.5, 0.75, 1].map((t) =>
      svg(
        "g",
        {},
        svg("line", { x1: x(t), x2: x(t), y1: 4, y2: height - 22, class: "grid" }),
        svg(
          "text",
          { x: x(t), y: height - 6, "text-anchor": "middle", class: "axis" },
          `${t * 100}%`,
        ),
      ),
    ),
    ...shown.map((c, i) => {
      const f = c.areYouSure!.flipRate;
      const y = 16 + i * rowH;
      return svg(
        "g",
        { "data-condition": c.name, "data-flip": String(f.mean) },
        svg("text", { x: left - 8, y: y + 4, "text-anchor": "end" }, c.name),
        svg("line", { x1: x(f.low), x2: x(f.high), y1: y, y2: y, class: "whisker" }),
        svg("circle", { cx: x(f.mean), cy: y, r: 5, fill: palette[4]! }),
      );
    }),
  );
}

function conditionsTable(conditions: readonly PbtCondition[]): HTMLElement {
  const team = (c: PbtCondition) =>
    c.debate ? c.debate.orders.map((o) => pct(o.final.mean)).join(" / ") : "–";
  return table(
    "conditions",
    [
      "condition",
      "balanced",
      "CtI (resist)",
      "ItC (accept)",
      "are you sure? before → after",
      "flip rate",
      "team final (both orders)",
      "order gap",
      "trained on",
    ],
    conditions.map((c) => [
      el("th", { scope: "row" }, c.name),
      el("td", { class: "num" }, interval(c.persuasion?.overall)),
      el("td", { class: "num" }, interval(c.persuasion?.cti)),
      el("td", { class: "num" }, interval(c.persuasion?.itc)),
      el(
        "td",
        { class: "num" },
        c.areYouSure ? `${pct(c.areYouSure.before.mean)} → ${pct(c.areYouSure.after.mean)}` : "–",
      ),
      el("td", { class: "num", "data-testid": `flip-${c.name}` }, interval(c.areYouSure?.flipRate)),
      el("td", { class: "num" }, team(c)),
      el("td", { class: "num" }, c.debate ? fmt(100 * c.debate.orderGap.mean, 1) : "–"),
      el(
        "td",
        { class: "num" },
        c.training ? `${c.training.pairs} pairs · DPO loss ${fmt(c.training.dpoFinalLoss)}` : "",
      ),
    ]),
  );
}

/** PBT: the trees (shapes, flips, pairs) and each condition's evaluations with CIs. */
export function pbtOverview(v: PbtView): HTMLElement {
  return el(
    "section",
    { class: "panel", "aria-label": "PBT" },
    el("h2", {}, "PBT: persuasion trees and evaluations"),
    ...v.trees.map(treesTable),
    v.trees.length > 0 ? movesHint(v.trees[0]!.pairs.threshold) : null,
    v.conditions.length > 0
      ? el(
          "div",
          {},
          el("h3", {}, "Evaluations per condition (95% bootstrap CI)"),
          conditionsTable(v.conditions),
          el("h3", {}, 'Flip rate under "are you sure?" (right before, wrong after)'),
          flipPlot(v.conditions) ?? el("p", {}, "No condition answered a question right first."),
        )
      : null,
  );
}
