// `chorus view` at the design's scale (../shared/designs/viewer.md, issue 18 "Scale"): a synthetic
// eval run of 10,000 items × 3 methods (support/view-run.ts: 30k result lines, two methods with
// AdaCAD-sized details and Symbolic-MoE with what its expert × skill matrix reads, every item's
// question in items.jsonl) is indexed, served, opened in Debian's Chromium and exported, and each
// target is measured: index < 3 s (cached reopen < 0.3 s), first rows < 1.5 s, filter/sort
// < 100 ms, < 100 DOM rows at any scroll position, export ≤ 15 MB (and its first rows from
// file://), item detail < 150 ms (the first in a new process too, which finds the item's
// question), page heap < 200 MB. Times are medians of a few rounds; the last line sums them up.
// Usage: npm run bench -- view [items=10000] [rounds=3]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { browserSkipReason, launchChromium } from "../src/view/browser-session.ts";
import { exportHtml } from "../src/view/export-html.ts";
import { indexCachePath } from "../src/view/index-cache.ts";
import { RunIndex } from "../src/view/run-index.ts";
import { startViewServer } from "../src/view/view-server.ts";
import { benchMethods, lcg, writeSyntheticRun } from "./support/view-run.ts";

const items = Number(process.argv[3] ?? 10_000);
const rounds = Number(process.argv[4] ?? 3);
const root = mkdtempSync(join(tmpdir(), "chorus-view-bench-"));
const dir = join(root, "runs", "big");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed<T>(f: () => T | Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await f();
  return [performance.now() - start, value];
}
const log = (line: string) => process.stderr.write(`${line}\n`);

const rowsInDom = (page: Page) => page.locator('[role="grid"] [data-index]').count();

/**
 * Records in the page when the table's first row is drawn (a mutation observer notes the row,
 * the next animation frame, the one that paints it, the time) and when every row is in (the
 * page marks itself ready), both from navigation start. Measured in the page because the driver
 * shares this process with the server, whose sending of the later rows delays what the driver
 * sees by up to seconds.
 */
const pageProbe = `let drawn = false;
new MutationObserver((_, observer) => {
  if (!drawn && document.querySelector('[data-index="0"]')) {
    drawn = true;
    requestAnimationFrame(() => { window.__firstRowMs = performance.now(); });
  }
  if (window.__readyMs === undefined && document.body && document.body.dataset.ready)
    window.__readyMs = performance.now();
  if (drawn && window.__readyMs !== undefined) observer.disconnect();
}).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-ready"] });`;
async function pageTimes(page: Page): Promise<{ firstRowMs: number; readyMs: number }> {
  // functions, not strings: the page's CSP forbids eval, which a string predicate needs
  type Probed = { __firstRowMs?: number; __readyMs?: number };
  await page.waitForFunction(() => {
    const g = globalThis as Probed;
    return g.__firstRowMs !== undefined && g.__readyMs !== undefined;
  });
  return page.evaluate(() => {
    const g = globalThis as Probed;
    return { firstRowMs: g.__firstRowMs!, readyMs: g.__readyMs! };
  });
}

/**
 * Time of one filter (typing fires an input event) or sort (a header click) in the page, render
 * included: the table applies both synchronously in the event handler.
 */
function inPageFilter(page: Page, filter: string): Promise<number> {
  return page.locator('input[aria-label="filter"]').evaluate((input, f) => {
    const start = performance.now();
    (input as unknown as { value: string }).value = f;
    input.dispatchEvent(new Event("input"));
    return performance.now() - start;
  }, filter);
}
function inPageSort(page: Page, column: string): Promise<number> {
  return page.locator(`[data-column="${column}"]`).evaluate((header) => {
    const start = performance.now();
    (header as unknown as { click(): void }).click();
    return performance.now() - start;
  });
}

const skip = browserSkipReason();
const reopenProbe = new URL("./support/view-reopen.ts", import.meta.url).pathname;
const [writeMs, written] = await timed(() => writeSyntheticRun(dir, items));
const lines = written.lines;
const moeMethod = benchMethods.indexOf("symbolic-moe");
log(
  `run: ${lines} result lines (${benchMethods.join(", ")}), results.jsonl ${(written.resultsBytes / 1e6).toFixed(1)} MB, ${written.events} calls, items.jsonl ${(written.itemsBytes / 1e6).toFixed(1)} MB (written in ${(writeMs / 1000).toFixed(1)} s)`,
);

// the indexer: a fresh index (a new `chorus view` process), then a look at unchanged files (what
// every request does) and the summary the page asks for
const indexMs: number[] = [];
const indexCpuMs: number[] = [];
let index = new RunIndex(dir);
for (let r = 0; r < rounds; r++) {
  const cpu = process.cpuUsage();
  const [ms, fresh] = await timed(() => new RunIndex(dir));
  const used = process.cpuUsage(cpu);
  indexMs.push(ms);
  indexCpuMs.push((used.user + used.system) / 1000);
  index = fresh;
}
const reopenMs: number[] = [];
for (let r = 0; r < 5; r++) reopenMs.push((await timed(() => index.refresh()))[0]);
// new `chorus view` processes: the first indexes and writes the cache, the next read it
const cacheDir = join(root, "cache");
const reopen = () => {
  // a Symbolic-MoE line: its detail has the item's question and calls to four models
  const line = String(moeMethod * items + Math.floor(items / 2));
  const child = spawnSync(process.execPath, ["--import", "tsx", reopenProbe, dir, cacheDir, line], {
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`view-reopen failed: ${child.stderr}`);
  type Times = { ms: number; cpuMs: number };
  const got = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as {
    open: Times;
    rows: Times;
    item: Times;
    count: number;
    matrixItems: number[];
    question: number;
  };
  if (got.count !== lines) throw new Error(`view-reopen: ${got.count} rows, expected ${lines}`);
  // what the viewer loads for a real run, or the bench measures less than a user waits for
  if (got.matrixItems.join() !== String(items))
    throw new Error(
      `view-reopen: expert × skill matrix over ${got.matrixItems} items, expected ${items}`,
    );
  if (got.question === 0) throw new Error(`view-reopen: line ${line} shows no question`);
  return got;
};
const cacheWrite = reopen();
const cached = Array.from({ length: rounds }, reopen);
const cachedMs = cached.map((c) => c.open.ms);
const cachedCpuMs = cached.map((c) => c.open.cpuMs);
const cachedRowsMs = cached.map((c) => c.rows.ms);
const cachedRowsCpuMs = cached.map((c) => c.rows.cpuMs);
const cachedItemMs = cached.map((c) => c.item.ms);
const cacheMb = statSync(indexCachePath(cacheDir, dir)).size / 1e6;
// the first summary in this process: the rows are parsed, the expert × skill matrix is computed
const [summaryMs, summaryJson] = await timed(() => JSON.stringify(index.summary()));
log(
  `index: ${median(indexMs).toFixed(0)} ms (fresh, median of ${rounds}; CPU ${median(indexCpuMs).toFixed(0)} ms); in a new process: indexing and writing the cache ${cacheWrite.open.ms.toFixed(0)} ms (CPU ${cacheWrite.open.cpuMs.toFixed(0)} ms; ${cacheMb.toFixed(1)} MB), cached reopen ${median(cachedMs).toFixed(0)} ms (median of ${rounds}; CPU ${median(cachedCpuMs).toFixed(0)} ms), then its first summary, which parses the cached rows and has the expert × skill matrix, ${median(cachedRowsMs).toFixed(0)} ms (CPU ${median(cachedRowsCpuMs).toFixed(0)} ms), and its first item detail, with the item's question, ${median(cachedItemMs).toFixed(0)} ms (cache write's process: ${cacheWrite.item.ms.toFixed(0)} ms); unchanged refresh ${median(reopenMs).toFixed(2)} ms; summary JSON ${(summaryJson.length / 1e6).toFixed(1)} MB in ${summaryMs.toFixed(0)} ms`,
);

const server = await startViewServer([index], { host: "127.0.0.1", port: 0 });
const detailMs: number[] = [];
const pick = lcg(3);
for (let r = 0; r < 10; r++) {
  const n = Math.floor(pick() * lines);
  const [ms, response] = await timed(() => fetch(`${server.url}api/runs/big/items/${n}`));
  if (!response.ok) throw new Error(`item ${n}: HTTP ${response.status}`);
  const detail = (await response.json()) as { item?: { question?: string } };
  if (!detail.item?.question) throw new Error(`item ${n}: no question`);
  detailMs.push(ms);
}
log(
  `item detail over HTTP: ${median(detailMs).toFixed(1)} ms (median of 10 random lines; the first, which finds the items' lines in items.jsonl, ${detailMs[0]!.toFixed(1)} ms)`,
);

const [exportMs, exported] = await timed(() => exportHtml([index], 15e6));
const exportFile = join(root, "export.html");
writeFileSync(exportFile, exported.html);
const exportMb = Buffer.byteLength(exported.html) / 1e6;
log(
  `export (--max-mb 15): ${exportMb.toFixed(2)} MB in ${(exportMs / 1000).toFixed(1)} s; records kept ${exported.kept} of ${exported.total}${exported.dropped ? ` (${exported.dropped})` : ""}`,
);

let browserLine = "browser: skipped";
let firstRowsMs = Number.NaN;
let allRowsMs = Number.NaN;
let filterMs = Number.NaN;
let sortMs = Number.NaN;
let textSortMs = Number.NaN;
let firstTextSortMs = Number.NaN;
// the fastest of the rounds too: on a loaded box a median mostly says how long the page waited
// for a CPU, the fastest round is closer to the work itself
let filterMinMs = Number.NaN;
let sortMinMs = Number.NaN;
let textSortMinMs = Number.NaN;
let exportAllRowsMs = Number.NaN;
let domRows = Number.NaN;
let heapMb = Number.NaN;
let exportFirstRowsMs = Number.NaN;
if (skip) log(`browser: ${skip}`);
else {
  const browser = await launchChromium();
  try {
    const firsts: number[] = [];
    const readies: number[] = [];
    let page: Page | undefined;
    for (let r = 0; r < rounds; r++) {
      await page?.context().close();
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(pageProbe);
      page = await context.newPage();
      await page.goto(`${server.url}#/run/big/items`);
      const times = await pageTimes(page);
      firsts.push(times.firstRowMs);
      readies.push(times.readyMs);
    }
    firstRowsMs = median(firsts);
    allRowsMs = median(readies);
    const p = page!;
    const top = await rowsInDom(p);
    await p.locator(".grid-body").evaluate((body) => body.scrollTo(0, body.scrollHeight / 2));
    await p.waitForTimeout(200);
    const middle = await rowsInDom(p);
    await p.locator(".grid-body").evaluate((body) => body.scrollTo(0, body.scrollHeight));
    await p.waitForSelector(`[data-index="${lines - 1}"]`);
    const end = await rowsInDom(p);
    domRows = Math.max(top, middle, end);
    const filters = [
      'method == "adacad" and not correct',
      "tokens > 300 and intervened >= 2",
      'prediction ~ "paris" or finishReason == "length"',
      "",
    ];
    const filterTimes: number[] = [];
    for (let r = 0; r < rounds; r++)
      for (const f of filters) filterTimes.push(await inPageFilter(p, f));
    filterMs = median(filterTimes);
    filterMinMs = Math.min(...filterTimes);
    // a number column (ascending, then descending) and a text column, each from file order
    const numberSorts: number[] = [];
    const textSorts: number[] = [];
    for (let r = 0; r < rounds; r++) {
      numberSorts.push(await inPageSort(p, "tokens"), await inPageSort(p, "tokens"));
      await inPageSort(p, "tokens");
      textSorts.push(await inPageSort(p, "prediction"));
      await inPageSort(p, "prediction");
      await inPageSort(p, "prediction");
    }
    sortMs = median(numberSorts);
    textSortMs = median(textSorts);
    firstTextSortMs = textSorts[0]!;
    sortMinMs = Math.min(...numberSorts);
    textSortMinMs = Math.min(...textSorts);
    heapMb =
      (await p.evaluate(
        () =>
          (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory
            ?.usedJSHeapSize ?? Number.NaN,
      )) / 1e6;
    await p.context().close();
    // the export from file:// with every other request refused
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.route("**/*", (route) =>
      route.request().url().startsWith("file://") ? route.continue() : route.abort(),
    );
    await context.addInitScript(pageProbe);
    const exportPage = await context.newPage();
    await exportPage.goto(`${pathToFileURL(exportFile).href}#/run/big/items`);
    const exportTimes = await pageTimes(exportPage);
    exportFirstRowsMs = exportTimes.firstRowMs;
    exportAllRowsMs = exportTimes.readyMs;
    await context.close();
    browserLine = `browser: first rows ${firstRowsMs.toFixed(0)} ms, all rows ${allRowsMs.toFixed(0)} ms (in-page from navigation start, medians of ${rounds}); DOM rows top/middle/end ${top}/${middle}/${end}; filter ${filterMs.toFixed(1)} ms (fastest ${filterMinMs.toFixed(1)}), sort by a number ${sortMs.toFixed(1)} ms (fastest ${sortMinMs.toFixed(1)}), by text ${textSortMs.toFixed(1)} ms (fastest ${textSortMinMs.toFixed(1)}; the first, which ranks the column, ${firstTextSortMs.toFixed(1)}) (medians of ${rounds * 4}, ${rounds * 2} and ${rounds} rounds, in-page, render included); heap ${heapMb.toFixed(0)} MB; export from file:// first rows ${exportFirstRowsMs.toFixed(0)} ms, all rows ${exportAllRowsMs.toFixed(0)} ms`;
  } finally {
    await browser.close();
  }
  log(browserLine);
}
await server.close();
rmSync(root, { recursive: true, force: true });

const mark = (ok: boolean) => (ok ? "ok" : "MISSED");
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `view: ${lines} lines (${(written.resultsBytes / 1e6).toFixed(0)} MB, questions ${(written.itemsBytes / 1e6).toFixed(0)} MB): ` +
    `index ${s(median(indexMs))} (< 3 s ${mark(median(indexMs) < 3000)}), ` +
    `cached reopen ${s(median(cachedMs))} (< 0.3 s ${mark(median(cachedMs) < 300)}), ` +
    `unchanged refresh ${median(reopenMs).toFixed(1)} ms, ` +
    `first rows ${s(firstRowsMs)} (< 1.5 s ${mark(firstRowsMs < 1500)}), ` +
    `filter ${filterMs.toFixed(0)} ms / sort ${sortMs.toFixed(0)} ms (< 100 ms ${mark(filterMs < 100 && sortMs < 100)}), ` +
    `text sort ${textSortMs.toFixed(0)} ms (< 100 ms ${mark(textSortMs < 100)}), ` +
    `DOM rows ≤ ${domRows} (< 100 ${mark(domRows < 100)}), ` +
    `item detail ${median(detailMs).toFixed(0)} ms, first in a new process ${median(cachedItemMs).toFixed(0)} ms (< 150 ms ${mark(median(detailMs) < 150 && median(cachedItemMs) < 150)}), ` +
    `heap ${heapMb.toFixed(0)} MB (< 200 ${mark(heapMb < 200)}), ` +
    `export ${exportMb.toFixed(1)} MB (≤ 15 ${mark(exportMb <= 15)}, ${exported.kept}/${exported.total} records), ` +
    `export first rows ${s(exportFirstRowsMs)} (< 3 s ${mark(exportFirstRowsMs < 3000)})`,
);
