import type { LaserEvalView, LaserTrainView } from "../../shared/training-data.ts";
import { el, fmt, svg } from "../dom.ts";
import {
  colourOf,
  interval,
  legend,
  linePlot,
  numCell,
  palette,
  pct,
  table,
} from "./training-bits.ts";

/**
 * The selection history: one row per family, one cell per batch in training order, coloured by
 * the arm that judged it; a line marks where the late batches (the acceptance's) begin.
 */
function selectionStrip(v: LaserTrainView, arms: readonly string[]): SVGElement {
  const cell = 14;
  const left = 90;
  const rowH = 22;
  const width = left + v.batches.length * cell + 140;
  const height = v.families.length * rowH + 24;
  return svg(
    "svg",
    {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": "arm chosen per batch",
      "data-testid": "selection-strip",
    },
    ...v.families.map((f, r) =>
      svg("text", { x: left - 6, y: 15 + r * rowH, "text-anchor": "end" }, f || "(no family)"),
    ),
    ...v.batches.map((b, i) => {
      const arm = b.chosen ?? "ensemble";
      return svg(
        "rect",
        {
          x: left + i * cell,
          y: 4 + v.families.indexOf(b.family) * rowH,
          width: cell - 2,
          height: rowH - 6,
          fill: colourOf(arms, arm),
          "data-arm": arm,
          "data-family": b.family,
        },
        svg(
          "title",
          {},
          `batch ${i} · iteration ${b.iteration} · ${b.family} · ${arm} · ${b.pairs} pairs · loss ${fmt(b.loss)} · scaled reward ${fmt(b.scaledReward)}`,
        ),
      );
    }),
    svg("line", {
      x1: left + v.lateFrom * cell - 1,
      x2: left + v.lateFrom * cell - 1,
      y1: 0,
      y2: height - 18,
      stroke: "#333",
      "stroke-dasharray": "3 2",
    }),
    svg(
      "text",
      { x: left + v.lateFrom * cell + 2, y: height - 6, class: "axis" },
      `late batches from ${v.lateFrom}`,
    ),
  );
}

/** `chorus laser train`: which RM the bandit chose per batch and family, RM calls, loss. */
export function laserTrainOverview(v: LaserTrainView): HTMLElement {
  const arms = [...v.arms, ...(v.batches.some((b) => b.chosen === null) ? ["ensemble"] : [])];
  const judged = (arm: string) => v.batches.filter((b) => (b.chosen ?? "ensemble") === arm).length;
  return el(
    "section",
    { class: "panel", "aria-label": `LASeR training${v.label ? ` ${v.label}` : ""}` },
    el("h2", {}, `LASeR: reward model chosen per batch${v.label ? ` (${v.label})` : ""}`),
    el(
      "p",
      { class: "facts" },
      `strategy ${v.strategy} · ${v.arms.length} arms · ${v.batches.length} batches · ${v.lossByIteration.length} iterations · families ${v.families.join(", ")}`,
    ),
    legend(arms),
    selectionStrip(v, arms),
    el("h3", {}, "Late-batch choice per family"),
    el(
      "ul",
      { "aria-label": "late choice" },
      ...Object.entries(v.lateChoice).map(([family, c]) =>
        el(
          "li",
          {},
          `${family || "(no family)"}: ${c.arm} in ${pct(c.share)} of ${c.batches} late batches`,
        ),
      ),
    ),
    el("h3", {}, "RM calls per arm"),
    table(
      "RM calls per arm",
      ["arm", "batches chosen", "batches judged", "responses scored"],
      v.arms.map((arm) => [
        el(
          "td",
          {},
          el("span", { class: "swatch", style: `background: ${colourOf(arms, arm)}` }),
          arm,
        ),
        numCell(judged(arm)),
        numCell(v.rmCalls[arm]?.batches ?? 0),
        numCell(v.rmCalls[arm]?.responses ?? 0),
      ]),
    ),
    el("h3", {}, "Loss per iteration (mean DPO + NLL of the iteration's batches)"),
    linePlot(
      "loss per iteration",
      [{ name: "loss", values: v.lossByIteration, colour: palette[0]! }],
      "iteration",
      undefined,
      1,
    ),
    table(
      "loss per iteration",
      ["iteration", "mean loss", "batches", "pairs"],
      v.lossByIteration.map((loss, i) => {
        const mine = v.batches.filter((b) => b.iteration === i + 1);
        return [
          el("th", { scope: "row" }, i + 1),
          numCell(loss),
          numCell(mine.length),
          numCell(mine.reduce((a, b) => a + b.pairs, 0)),
        ];
      }),
    ),
  );
}

/** `chorus laser eval`: accuracy with its CI, per family, and best-of-n's queries per arm. */
export function laserEvalOverview(v: LaserEvalView): HTMLElement {
  const arms = Object.keys(v.rmCalls);
  return el(
    "section",
    { class: "panel", "aria-label": "LASeR evaluation" },
    el("h2", {}, "LASeR evaluation: accuracy (95% bootstrap CI)"),
    table(
      "accuracy by family",
      ["family", "accuracy", "items"],
      [
        [
          el("th", { scope: "row" }, "all"),
          el("td", { class: "num" }, interval(v.accuracy)),
          numCell(v.accuracy.n),
        ],
        ...v.byFamily.map((f) => [
          el("th", { scope: "row" }, f.family || "(no family)"),
          el("td", { class: "num" }, interval(f)),
          numCell(f.n),
        ]),
      ],
    ),
    arms.length > 0
      ? table(
          "queries judged per arm",
          ["arm", "queries judged"],
          arms.map((a) => [el("td", {}, a), numCell(v.rmCalls[a])]),
        )
      : null,
  );
}
