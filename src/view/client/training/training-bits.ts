import { el, fmt, svg } from "../dom.ts";

/** Arm/variant colours, distinct on white; the same index gives the same colour everywhere. */
export const palette = [
  "#1a56a8",
  "#d9822b",
  "#1b7a2e",
  "#8e44ad",
  "#b00020",
  "#00838f",
  "#6d4c41",
];

export const colourOf = (names: readonly string[], name: string) =>
  palette[Math.max(0, names.indexOf(name)) % palette.length]!;

/** A fraction as a percentage to 0.1 ("–" when missing, e.g. a mean over no items). */
export const pct = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? "–" : `${(100 * x).toFixed(1)}%`;

/** `62.1% [60.1, 64.1] (n 500)`: a mean with its 95% interval, in percent. */
export function interval(
  i: { mean: number | null; low: number | null; high: number | null; n?: number } | undefined,
): string {
  if (!i || i.mean === null || Number.isNaN(i.mean)) return "–";
  const p = (x: number | null) => (x === null ? "–" : (100 * x).toFixed(1));
  return `${pct(i.mean)} [${p(i.low)}, ${p(i.high)}]${i.n !== undefined ? ` (n ${i.n})` : ""}`;
}

/** A table with a header row; cells are given as children already. */
export function table(
  label: string,
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<HTMLElement>>,
): HTMLTableElement {
  return el(
    "table",
    { class: "plain", "aria-label": label },
    el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells))),
  );
}

/** A table cell holding a value and a horizontal bar of `share` (0–1) of the cell's width. */
export function barCell(text: string, share: number, colour = palette[0]!): HTMLTableCellElement {
  const w = Number.isFinite(share) ? Math.round(Math.max(0, Math.min(1, share)) * 100) : 0;
  return el(
    "td",
    { class: "num bar-cell" },
    el("span", { class: "hbar", style: `width: ${w}%; background: ${colour}` }),
    el("span", { class: "hbar-text" }, text),
  );
}

export const numCell = (v: number | string | null | undefined, digits = 3) =>
  el("td", { class: "num" }, typeof v === "string" ? v : fmt(v, digits));

/**
 * A small line plot of one or more series over a shared x (cycles from 0, iterations from
 * `firstX` = 1).
 */
export function linePlot(
  label: string,
  series: ReadonlyArray<{ name: string; values: readonly number[]; colour: string }>,
  xLabel: string,
  yMax?: number,
  firstX = 0,
): SVGElement {
  const width = 420;
  const height = 180;
  const [left, top, w, h] = [44, 10, width - 60, height - 44];
  const n = Math.max(...series.map((s) => s.values.length), 1);
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  const max = yMax ?? Math.max(...finite, 1e-9);
  const x = (i: number) => left + (n === 1 ? w / 2 : (i / (n - 1)) * w);
  const y = (v: number) => top + h - (Math.max(0, v) / max) * h;
  return svg(
    "svg",
    { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label },
    ...[0, 0.5, 1].map((t) =>
      svg(
        "g",
        {},
        svg("line", { x1: left, x2: left + w, y1: y(t * max), y2: y(t * max), class: "grid" }),
        svg(
          "text",
          { x: left - 6, y: y(t * max) + 4, "text-anchor": "end", class: "axis" },
          fmt(t * max, 2),
        ),
      ),
    ),
    ...Array.from({ length: n }, (_, i) =>
      svg("text", { x: x(i), y: top + h + 14, "text-anchor": "middle", class: "axis" }, i + firstX),
    ),
    svg("text", { x: left + w / 2, y: height - 4, "text-anchor": "middle", class: "axis" }, xLabel),
    ...series.map((s) => {
      const pts = s.values.map((v, i) => ({ i, v })).filter((p) => Number.isFinite(p.v));
      return svg(
        "g",
        { "aria-label": s.name },
        svg("polyline", {
          fill: "none",
          stroke: s.colour,
          "stroke-width": 2,
          points: pts.map((p) => `${x(p.i)},${y(p.v)}`).join(" "),
        }),
        ...pts.map((p) =>
          svg(
            "circle",
            { cx: x(p.i), cy: y(p.v), r: 3.5, fill: s.colour },
            svg("title", {}, `${s.name} · ${xLabel} ${p.i + firstX}: ${fmt(p.v)}`),
          ),
        ),
      );
    }),
  );
}

/** Names with their colours, as a legend line. */
export function legend(names: readonly string[]): HTMLElement {
  return el(
    "ul",
    { class: "legend-list inline" },
    ...names.map((n) =>
      el("li", {}, el("span", { class: "swatch", style: `background: ${colourOf(names, n)}` }), n),
    ),
  );
}
