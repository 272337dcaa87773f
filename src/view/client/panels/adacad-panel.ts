import { el, fmt, svg } from "../dom.ts";
import { alphaColor, alphaTextColor } from "./alpha-color.ts";

interface AdacadDetails {
  alphas: number[];
  /** Each step's token text (runs before these were recorded have α only). */
  pieces?: string[];
  intervened?: number;
  /** Steps where the context changed the choice (the combined top token ≠ the context's). */
  intervenedAt?: number[];
  decoding?: string;
  finishReason?: string;
  noContext?: boolean;
  approximate?: boolean;
}

function isAdacad(details: unknown): details is AdacadDetails {
  const alphas = (details as { alphas?: unknown } | null)?.alphas;
  return Array.isArray(alphas) && alphas.every((a) => typeof a === "number");
}

/** α along the output as a line, 0 at the bottom and 1 at the top. */
function alphaLine(alphas: readonly number[]): SVGElement {
  const width = Math.max(200, Math.min(900, alphas.length * 24));
  const height = 90;
  const x = (i: number) => 10 + (alphas.length <= 1 ? 0 : (i / (alphas.length - 1)) * (width - 20));
  const y = (a: number) => 10 + (1 - a) * (height - 20);
  const points = alphas.map((a, i) => `${x(i).toFixed(1)},${y(a).toFixed(1)}`).join(" ");
  return svg(
    "svg",
    { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "α per token" },
    svg("line", { x1: 10, x2: width - 10, y1: y(0), y2: y(0), class: "grid" }),
    svg("line", { x1: 10, x2: width - 10, y1: y(1), y2: y(1), class: "grid" }),
    svg("text", { x: 12, y: y(1) - 2, class: "axis" }, "α = 1"),
    svg("polyline", { points, class: "alpha-line" }),
    ...alphas.map((a, i) => svg("circle", { cx: x(i), cy: y(a), r: 2.5, class: "dot" })),
  );
}

/** A token's text for a cell: a line break as ↵, a tab as →, a token of spaces only as ␣. */
const pieceText = (piece: string) =>
  (piece.trim() === "" ? piece.replace(/ /g, "␣") : piece).replace(/\n/g, "↵").replace(/\t/g, "→");

/**
 * AdaCAD: the output as one cell per generated token coloured by its α (the JSD weight given to
 * the context), outlined where the context changed the choice, then α as a line. Cells show the
 * token text when recorded, else its position.
 */
export function adacadPanel(details: unknown): HTMLElement | null {
  if (!isAdacad(details)) return null;
  const { alphas, pieces } = details;
  const intervened = new Set(details.intervenedAt ?? []);
  const mean = alphas.length ? alphas.reduce((a, b) => a + b, 0) / alphas.length : Number.NaN;
  return el(
    "section",
    { class: "panel", "aria-label": "AdaCAD" },
    el("h2", {}, "AdaCAD: α per token"),
    el(
      "p",
      { class: "facts" },
      `${alphas.length} tokens · mean α ${fmt(mean)} · max α ${fmt(Math.max(...alphas))}`,
      details.intervened !== undefined
        ? ` · ${details.intervened} token(s) where the context changed the choice`
        : "",
      details.decoding ? ` · decoding ${details.decoding}` : "",
      details.finishReason ? ` · stopped: ${details.finishReason}` : "",
    ),
    el(
      "div",
      { class: "alpha-strip", role: "list", "aria-label": "α heat strip" },
      ...alphas.map((a, i) =>
        el(
          "span",
          {
            role: "listitem",
            class: intervened.has(i) ? "alpha-cell intervened" : "alpha-cell",
            "aria-label": `α ${a.toFixed(2)}`,
            title: `token ${i}${pieces ? ` ${JSON.stringify(pieces[i])}` : ""}: α ${a}${intervened.has(i) ? " · the context changed this token" : ""}`,
            style: `background: ${alphaColor(a)}; color: ${alphaTextColor(a)}`,
          },
          pieces?.[i] !== undefined ? pieceText(pieces[i]) : String(i),
        ),
      ),
    ),
    pieces
      ? null
      : el(
          "p",
          { class: "hint" },
          "Token texts are not in this run's records (only α per step), so cells show positions.",
        ),
    alphaLine(alphas),
    el(
      "div",
      { class: "legend" },
      "α 0",
      el("span", { class: "legend-bar" }),
      "1 (context)",
      details.intervenedAt ? el("span", { class: "alpha-cell intervened" }, "outlined") : null,
      details.intervenedAt ? "the context changed the token" : null,
    ),
  );
}
