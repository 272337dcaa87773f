import { parseRoute, type Route } from "../shared/route.ts";
import type { RunSummary } from "../shared/view-data.ts";
import { type DataSource, embeddedSource, serverSource } from "./data-source.ts";
import { el } from "./dom.ts";
import { compareItem } from "./views/compare-item.ts";
import { compareView } from "./views/compare-view.ts";
import { itemDetail } from "./views/item-detail.ts";
import { itemTable, newRowsEvent } from "./views/item-table.ts";
import { runOverview } from "./views/run-overview.ts";
import { runsList } from "./views/runs-list.ts";

const app = document.getElementById("app")!;
const summaries = new Map<string, RunSummary>();

async function summary(source: DataSource, run: string, fresh: boolean): Promise<RunSummary> {
  const cached = summaries.get(run);
  if (cached && !fresh) return cached;
  const loaded = await source.summary(run);
  summaries.set(run, loaded);
  return loaded;
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
  if (route.view === "overview") return runOverview(await summary(source, route.run, true));
  if (route.view === "compare") return compare(source, route);
  const run = await summary(source, route.run, false);
  if (route.view === "items") return itemTable(run, route);
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
  const cached = summaries.get(route.run);
  if (!cached) return;
  unfollow = source.follow(
    route.run,
    cached.rows.length,
    (rows, listing) => {
      cached.rows.push(...rows);
      cached.listing = listing;
      if (route.view === "items") content.dispatchEvent(new CustomEvent(newRowsEvent));
      else void render(source);
    },
    () => {
      summaries.delete(route.run);
      void render(source);
    },
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
  follow(source, content);
  document.title = `chorus view · ${decodeURIComponent(location.hash.slice(2)) || "runs"}`;
}

async function start(): Promise<void> {
  const embedded = document.getElementById("chorus-data");
  const source = embedded ? await embeddedSource(embedded.textContent ?? "") : serverSource();
  window.addEventListener("hashchange", () => void render(source));
  await render(source);
  document.body.dataset["ready"] = "true";
}

void start();
