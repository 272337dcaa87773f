import { parseRoute, type Route } from "../shared/route.ts";
import type { RunSummary } from "../shared/view-data.ts";
import { type DataSource, type SummaryLoad, serverSource } from "./data-source.ts";
import { el } from "./dom.ts";
import { embeddedSource } from "./embedded-source.ts";
import { compareItem } from "./views/compare-item.ts";
import { compareView } from "./views/compare-view.ts";
import { itemDetail } from "./views/item-detail.ts";
import { itemTable, newRowsEvent } from "./views/item-table.ts";
import { runOverview } from "./views/run-overview.ts";
import { runsList } from "./views/runs-list.ts";

const app = document.getElementById("app")!;
const summaries = new Map<string, SummaryLoad>();
/** The view on screen: told when rows of its run arrive. */
let shown: HTMLElement | undefined;

const rowsArrived = (summary: RunSummary) =>
  shown?.dispatchEvent(new CustomEvent(newRowsEvent, { detail: summary }));

/**
 * A run's summary, loaded again when `fresh` (a served run may have grown; an export never
 * changes). It resolves with the first rows in; the rest keep arriving and the view on screen
 * is told. Rows that stop arriving say so on the page, and the next look loads them again.
 */
async function summary(source: DataSource, run: string, fresh: boolean): Promise<SummaryLoad> {
  const cached = summaries.get(run);
  if (cached && (!fresh || !source.follow)) return cached;
  const load = await source.summary(run, rowsArrived);
  summaries.set(run, load);
  load.complete.catch((error: Error) => {
    if (summaries.get(run) === load) summaries.delete(run);
    app.prepend(el("p", { class: "bad", role: "alert" }, `Loading rows: ${error.message}`));
  });
  return load;
}

async function compare(
  source: DataSource,
  route: Extract<Route, { view: "compare" }>,
): Promise<HTMLElement> {
  const runs = await source.runs();
  const view = await source.compare(route);
  const pair = route.item ? view.pairs.find((p) => p.itemId === route.item) : undefined;
  const item = pair
    ? compareItem(
        pair,
        { run: route.a, detail: await source.detail(route.a, pair.a.n) },
        { run: route.b, detail: await source.detail(route.b, pair.b.n) },
      )
    : null;
  return compareView(view, runs, route, item);
}

async function view(source: DataSource): Promise<HTMLElement> {
  const route = parseRoute(location.hash);
  if (route.view === "runs") return runsList(await source.runs());
  if (route.view === "overview")
    return runOverview((await summary(source, route.run, true)).summary);
  if (route.view === "compare") return compare(source, route);
  const load = await summary(source, route.run, false);
  const run = load.summary;
  if (route.view === "items") return itemTable(run, route);
  // the item's row may be one still arriving
  if (!run.rows[route.line]) await load.complete;
  const row = run.rows[route.line];
  if (!row) return el("p", { class: "bad" }, `No line ${route.line} in run ${route.run}.`);
  return itemDetail(run, row, await source.detail(route.run, route.line), source.notice);
}

/** Stops following the run shown before (the view changed). */
let unfollow = () => {};

/**
 * Keeps the shown run's table or overview current while the run is still writing: new rows are
 * appended to the cached summary and the view is told (the table refilters in place, keeping
 * its scroll position); the overview, whose report may have changed too, is drawn again.
 */
function follow(source: DataSource, content: HTMLElement): void {
  unfollow();
  unfollow = () => {};
  const route = parseRoute(location.hash);
  if (!source.follow || (route.view !== "items" && route.view !== "overview")) return;
  const load = summaries.get(route.run);
  if (!load) return;
  let stopped = false;
  let stop = () => {};
  unfollow = () => {
    stopped = true;
    stop();
  };
  // from the end of the rows loaded: whatever the run wrote since comes over the stream
  void load.complete.then(
    () => {
      if (stopped) return;
      const cached = load.summary;
      stop = source.follow!(
        route.run,
        cached.rows.length,
        (rows, listing) => {
          cached.rows.push(...rows);
          cached.listing = listing;
          if (route.view === "items")
            content.dispatchEvent(new CustomEvent(newRowsEvent, { detail: cached }));
          else void render(source);
        },
        () => {
          summaries.delete(route.run);
          void render(source);
        },
      );
    },
    () => {},
  );
}

async function render(source: DataSource): Promise<void> {
  let content: HTMLElement;
  try {
    content = await view(source);
  } catch (error) {
    content = el("p", { class: "bad", role: "alert" }, String((error as Error).message ?? error));
  }
  const header = el(
    "header",
    {},
    el("a", { href: "#/", class: "brand" }, "chorus view"),
    source.notice ? el("span", { class: "notice", role: "note" }, source.notice) : null,
  );
  app.replaceChildren(header, content);
  shown = content;
  follow(source, content);
  document.title = `chorus view · ${decodeURIComponent(location.hash.slice(2)) || "runs"}`;
}

async function start(): Promise<void> {
  const embedded = document.getElementById("chorus-data");
  const source = embedded ? await embeddedSource(embedded.textContent ?? "") : serverSource();
  window.addEventListener("hashchange", () => void render(source));
  await render(source);
  // ready once the shown run's rows are all in: tests and the bench count rows after this
  const route = parseRoute(location.hash);
  if ("run" in route) await summaries.get(route.run)?.complete.catch(() => {});
  document.body.dataset["ready"] = "true";
}

void start();
