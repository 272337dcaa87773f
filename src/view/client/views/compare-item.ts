import { formatRoute } from "../../shared/route.ts";
import { diffLines, diffWords } from "../../shared/token-diff.ts";
import type { ComparePair, ItemDetail } from "../../shared/view-data.ts";
import { el } from "../dom.ts";
import { diffView } from "../panels/diff-view.ts";

type Result = { prediction?: unknown; response?: unknown; details?: Record<string, unknown> };

/**
 * The text an item's method produced, for diffing: the response when the record keeps one, else
 * MAMM-Refine's refined text, else UTDebug's last accepted code, else the prediction.
 */
export function outputText(record: unknown): string {
  const r = ((record as { result?: Result } | null)?.result ?? {}) as Result;
  if (typeof r.response === "string") return r.response;
  const d = r.details ?? {};
  if (typeof d["refinedText"] === "string") return d["refinedText"];
  const rounds = d["rounds"] as Array<{ accepted?: boolean; candidate?: string; code?: string }>;
  if (Array.isArray(rounds)) {
    const last = rounds.filter((x) => x.accepted && (x.candidate ?? x.code) !== undefined).at(-1);
    if (last) return (last.candidate ?? last.code)!;
  }
  return r.prediction === null || r.prediction === undefined ? "" : String(r.prediction);
}

/** One shared item of a comparison: both outputs side by side, then their diff (lines for code). */
export function compareItem(
  pair: ComparePair,
  a: { run: string; detail: ItemDetail | null },
  b: { run: string; detail: ItemDetail | null },
): HTMLElement {
  const [textA, textB] = [outputText(a.detail?.record), outputText(b.detail?.record)];
  const multiline = textA.includes("\n") || textB.includes("\n");
  const column = (label: string, run: string, n: number, text: string) =>
    el(
      "div",
      {},
      el(
        "h3",
        {},
        label,
        " ",
        el("a", { href: formatRoute({ view: "item", run, line: n }) }, "record →"),
      ),
      el("pre", { "data-testid": `output-${label[0]}` }, text),
    );
  return el(
    "section",
    { class: "panel", "aria-label": "item pair" },
    el("h2", {}, `Item ${pair.itemId}${pair.flip ? ` (${pair.flip})` : ""}`),
    el(
      "div",
      { class: "side-by-side" },
      column("A", a.run, pair.a.n, textA),
      column("B", b.run, pair.b.n, textB),
    ),
    el("h3", {}, "A → B"),
    diffView(
      multiline ? diffLines(textA, textB) : diffWords(textA, textB),
      "output diff",
      multiline,
    ),
  );
}
