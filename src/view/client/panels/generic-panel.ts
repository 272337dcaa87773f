import { el, fmt } from "../dom.ts";

/** A number array as a row of small bars (step scores, α, votes), with min and max. */
function bars(values: readonly number[]): HTMLElement {
  const max = Math.max(...values.map(Math.abs), 1e-12);
  return el(
    "span",
    { class: "bars", title: values.map((v) => fmt(v)).join(", ") },
    ...values
      .slice(0, 200)
      .map((v) =>
        el("span", { class: "bar", style: `height: ${Math.round((Math.abs(v) / max) * 100)}%` }),
      ),
    ` ${values.length} values, ${fmt(Math.min(...values))} … ${fmt(Math.max(...values))}`,
  );
}

function value(v: unknown): HTMLElement | string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") return fmt(v, 4);
  if (typeof v === "string") return v.length > 120 || v.includes("\n") ? el("pre", {}, v) : v;
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number")) return bars(v);
  return el("pre", {}, JSON.stringify(v, null, 2));
}

/** Any method's `details`, field by field: scalars as text, number lists as bars, the rest as JSON. */
export function genericPanel(details: unknown): HTMLElement | null {
  if (typeof details !== "object" || details === null) return null;
  const entries = Object.entries(details);
  if (entries.length === 0) return null;
  return el(
    "section",
    { class: "panel", "aria-label": "details" },
    el("h2", {}, "Details"),
    el(
      "table",
      { class: "plain kv" },
      el(
        "tbody",
        {},
        ...entries.map(([k, v]) =>
          el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, value(v))),
        ),
      ),
    ),
  );
}
