import { formatRoute } from "../../shared/route.ts";
import type { CallView, ItemDetail, ItemRow, RunSummary } from "../../shared/view-data.ts";
import { el, fmt } from "../dom.ts";
import { genericPanel } from "../panels/generic-panel.ts";
import { methodPanels } from "../panels/index.ts";
import { callsWaterfall } from "./calls-waterfall.ts";
import { itemInput } from "./item-input.ts";

function callsTable(calls: readonly CallView[]): HTMLElement {
  const header = ["time", "model", "kind", "in", "out", "latency ms", "cached", "retries", "error"];
  return el(
    "table",
    { class: "plain", "aria-label": "model calls" },
    el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col" }, h)))),
    el(
      "tbody",
      {},
      ...calls.map((c) =>
        el(
          "tr",
          {},
          el("td", { class: "small" }, c.time.slice(11, 23)),
          el("td", {}, c.model),
          el("td", {}, c.kind),
          el("td", { class: "num" }, c.inputTokens),
          el("td", { class: "num" }, c.outputTokens),
          el("td", { class: "num" }, fmt(c.latencyMs, 0)),
          el("td", {}, c.cached ? "yes" : ""),
          el("td", { class: "num" }, c.retries || ""),
          el("td", { class: "bad" }, c.error ?? ""),
        ),
      ),
    ),
  );
}

/** One result line: the answer against gold, the method's panel, its details, its model calls. */
export function itemDetail(
  summary: RunSummary,
  row: ItemRow,
  detail: ItemDetail | null,
  notice: string,
): HTMLElement {
  const run = summary.listing.id;
  const result = ((detail?.record as { result?: Record<string, unknown> } | undefined)?.result ??
    {}) as Record<string, unknown>;
  const details = result["details"];
  // other commands' lines (training runs) are their own details
  const own = details ?? (result["method"] === undefined ? result : undefined);
  const panel = methodPanels[row.method]?.(own, String(result["gold"] ?? row.gold)) ?? null;
  const neighbour = (n: number) =>
    summary.rows[n]
      ? el(
          "a",
          { href: formatRoute({ view: "item", run, line: n }) },
          n < row.n ? "← previous" : "next →",
        )
      : null;
  return el(
    "section",
    { class: "item" },
    el(
      "nav",
      { class: "crumbs" },
      el("a", { href: formatRoute({ view: "overview", run }) }, run),
      " / ",
      el(
        "a",
        { href: formatRoute({ view: "items", run, filter: "", sort: "", descending: false }) },
        "items",
      ),
      " / ",
      `line ${row.n}`,
      " ",
      neighbour(row.n - 1),
      " ",
      neighbour(row.n + 1),
    ),
    el("h1", {}, `${row.method} · ${row.itemId}`),
    el(
      "p",
      { class: "facts" },
      `score ${fmt(row.score)}`,
      row.correct === null ? "" : row.correct ? " · correct" : " · wrong",
      ` · ${row.tokens} tokens · ${row.calls} calls · ${fmt(row.wallMs, 0)} ms`,
    ),
    itemInput(detail?.item),
    el(
      "dl",
      { class: "answer" },
      el("dt", {}, "prediction"),
      el("dd", { "data-testid": "prediction" }, String(result["prediction"] ?? row.prediction)),
      result["response"] !== undefined ? el("dt", {}, "response") : null,
      result["response"] !== undefined ? el("dd", {}, String(result["response"])) : null,
      el("dt", {}, "gold"),
      el("dd", {}, String(result["gold"] ?? row.gold)),
    ),
    detail === null
      ? el("p", { class: "notice" }, notice || "This record is not available.")
      : null,
    panel,
    genericPanel(own),
    detail && detail.calls.length > 0
      ? el(
          "section",
          { class: "panel" },
          el("h2", {}, `Model calls (${detail.calls.length})`),
          callsWaterfall(detail.calls),
          callsTable(detail.calls),
        )
      : null,
    detail
      ? el(
          "details",
          {},
          el("summary", {}, "record JSON"),
          el("pre", {}, JSON.stringify(detail.record, null, 2)),
        )
      : null,
  );
}
