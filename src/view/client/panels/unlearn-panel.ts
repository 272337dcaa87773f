import { el, fmt, svg } from "../dom.ts";

/** One checkpoint as `chorus unlearn` records it (UnlearnPoint; epoch 0 = the starting model). */
interface Point {
  epoch: number;
  forgetRouge: number;
  utility: Record<string, number>;
  metrics?: Record<string, { rouge?: number; prob?: number; truthRatio?: number }>;
  modelUtility?: number;
}

interface UnlearnDetails {
  selection?: string;
  unlearnMethod?: string;
  trainItems?: number;
  forgetItems?: number;
  utilityMeasure?: string;
  points: Point[];
  auc: Record<string, number>;
}

function isUnlearn(details: unknown): details is UnlearnDetails {
  const d = details as Partial<UnlearnDetails> | null;
  return (
    Array.isArray(d?.points) &&
    typeof d.auc === "object" &&
    d.auc !== null &&
    d.points.every((p) => typeof p?.forgetRouge === "number" && typeof p.utility === "object")
  );
}

const palette = ["#1a56a8", "#d9822b", "#1b7a2e", "#8e44ad", "#b00020", "#00838f"];

/** A measure's value at a checkpoint: a utility set's ROUGE, or Model Utility. */
const valueAt = (p: Point, measure: string) =>
  measure === "modelUtility" ? p.modelUtility : p.utility[measure];

/**
 * The deletion–utility plane of UPCORE's AUC: x = 1 − forget ROUGE, y = each utility measure,
 * points sorted by x (as the AUC is computed), the headline measure's area shaded.
 */
function curvePlot(d: UnlearnDetails, measures: readonly string[], headline: string): SVGElement {
  const width = 420;
  const height = 300;
  const [left, top, plotW, plotH] = [48, 12, width - 64, height - 52];
  const x = (v: number) => left + Math.max(0, Math.min(1, v)) * plotW;
  const y = (v: number) => top + (1 - Math.max(0, Math.min(1, v))) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const curve = (measure: string) =>
    d.points
      .map((p) => ({ p, u: valueAt(p, measure) }))
      .filter((c): c is { p: Point; u: number } => typeof c.u === "number")
      .map((c) => ({ epoch: c.p.epoch, x: 1 - c.p.forgetRouge, u: c.u }))
      .sort((a, b) => a.x - b.x);
  const shaded = curve(headline);
  return svg(
    "svg",
    {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": "deletion–utility curves",
    },
    ...ticks.flatMap((t) => [
      svg("line", { x1: x(t), x2: x(t), y1: top, y2: top + plotH, class: "grid" }),
      svg("line", { x1: left, x2: left + plotW, y1: y(t), y2: y(t), class: "grid" }),
      svg("text", { x: x(t), y: top + plotH + 14, "text-anchor": "middle", class: "axis" }, t),
      svg("text", { x: left - 6, y: y(t) + 4, "text-anchor": "end", class: "axis" }, t),
    ]),
    svg(
      "text",
      { x: left + plotW / 2, y: height - 6, "text-anchor": "middle", class: "axis" },
      "deletion: 1 − forget ROUGE",
    ),
    svg(
      "text",
      {
        x: 12,
        y: top + plotH / 2,
        "text-anchor": "middle",
        class: "axis",
        transform: `rotate(-90 12 ${top + plotH / 2})`,
      },
      "utility",
    ),
    shaded.length > 1
      ? svg("polygon", {
          class: "auc-area",
          fill: palette[Math.max(0, measures.indexOf(headline)) % palette.length]!,
          "aria-label": `AUC ${headline}`,
          points: [
            `${x(shaded[0]!.x)},${y(0)}`,
            ...shaded.map((c) => `${x(c.x)},${y(c.u)}`),
            `${x(shaded.at(-1)!.x)},${y(0)}`,
          ].join(" "),
        })
      : null,
    ...measures.map((measure, i) => {
      const points = curve(measure);
      const colour = palette[i % palette.length]!;
      return svg(
        "g",
        { "aria-label": `curve ${measure}`, role: "list" },
        svg("polyline", {
          fill: "none",
          stroke: colour,
          "stroke-width": measure === headline ? 2.5 : 1.5,
          points: points.map((c) => `${x(c.x)},${y(c.u)}`).join(" "),
        }),
        ...points.map((c) =>
          svg(
            "circle",
            { cx: x(c.x), cy: y(c.u), r: 3.5, fill: colour, role: "listitem" },
            svg("title", {}, `epoch ${c.epoch}: deletion ${fmt(c.x)}, ${measure} ${fmt(c.u)}`),
          ),
        ),
      );
    }),
  );
}

/** Every checkpoint's numbers: forget ROUGE and Prob., each utility set's ROUGE, Model Utility. */
function checkpointTable(d: UnlearnDetails, sets: readonly string[]): HTMLElement {
  const hasMu = d.points.some((p) => p.modelUtility !== undefined);
  const header = [
    "epoch",
    "forget ROUGE",
    "forget Prob.",
    ...sets.map((s) => `${s} ROUGE`),
    ...(hasMu ? ["model utility"] : []),
  ];
  return el(
    "table",
    { class: "plain", "aria-label": "checkpoints" },
    el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col" }, h)))),
    el(
      "tbody",
      {},
      ...d.points.map((p) =>
        el(
          "tr",
          {},
          el("th", { scope: "row" }, p.epoch),
          el("td", { class: "num" }, fmt(p.forgetRouge)),
          el("td", { class: "num" }, fmt(p.metrics?.["forget"]?.prob)),
          ...sets.map((s) => el("td", { class: "num" }, fmt(p.utility[s]))),
          ...(hasMu ? [el("td", { class: "num" }, fmt(p.modelUtility))] : []),
        ),
      ),
    ),
  );
}

/**
 * `chorus unlearn` (UPCORE): one selection's deletion–utility curves over its checkpoints, each
 * utility measure's AUC, the headline one shaded, and the checkpoints as a table.
 */
export function unlearnPanel(details: unknown): HTMLElement | null {
  if (!isUnlearn(details)) return null;
  const sets = Object.keys(details.points[0]?.utility ?? {});
  const measures = [...sets, ...("modelUtility" in details.auc ? ["modelUtility"] : [])];
  const headline = details.utilityMeasure ?? measures.at(-1) ?? "";
  return el(
    "section",
    { class: "panel", "aria-label": "unlearning curves" },
    el("h2", {}, `Unlearning curves with AUC${details.selection ? `: ${details.selection}` : ""}`),
    el(
      "p",
      { class: "facts" },
      [
        details.unlearnMethod ? `method ${details.unlearnMethod}` : "",
        details.trainItems !== undefined ? `${details.trainItems} items trained on` : "",
        details.forgetItems !== undefined ? `forget set ${details.forgetItems}` : "",
        `${details.points.length} checkpoints`,
      ]
        .filter(Boolean)
        .join(" · "),
    ),
    el(
      "div",
      { class: "curves" },
      curvePlot(details, measures, headline),
      el(
        "ul",
        { class: "legend-list", "aria-label": "AUC" },
        ...measures.map((m, i) =>
          el(
            "li",
            { class: m === headline ? "headline" : "" },
            el("span", { class: "swatch", style: `background: ${palette[i % palette.length]}` }),
            `${m}: AUC ${fmt(details.auc[m], 4)}`,
          ),
        ),
      ),
    ),
    el(
      "p",
      { class: "hint" },
      "AUC: area under utility against 1 − forget ROUGE, points sorted by deletion (UPCORE §3.5); shaded: ",
      headline,
      ".",
    ),
    checkpointTable(details, sets),
  );
}
