import assert from "node:assert/strict";
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { runChorusInProcess } from "../../test/support/run-chorus.ts";
import type { EvalRecord } from "../evals/eval-record.ts";
import type { EvalReport } from "../evals/eval-report.ts";
import { sharedFile } from "../evals/shared-dir.ts";
import type { IterationTrace } from "../methods/magicore/magicore.ts";
import { browserSkipReason, launchChromium, offlineContext } from "./browser-session.ts";
import { exportHtml } from "./export-html.ts";
import { writeEvalRun } from "./run-fixture.ts";
import { openRuns } from "./run-folders.ts";
import { startViewServer, type ViewServer } from "./view-server.ts";

const stories = sharedFile("models", "stories260K.gguf");
const skip =
  browserSkipReason() || (stories ? false : "../shared/models/stories260K.gguf not found");
/** A run's items.jsonl line for one item id. */
const itemOf = (dir: string, id: string) =>
  readFileSync(join(dir, "items.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { id: string; question: string })
    .find((i) => i.id === id)!;
const payload = `<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>`;

describe("chorus view in Chromium", { skip }, () => {
  const root = mkdtempSync(join(tmpdir(), "chorus-view-browser-"));
  const shots = process.env["CHORUS_VIEW_SHOTS"] ?? join(root, "shots");
  const runs = join(root, "runs");
  const real = join(runs, "adacad-real");
  let records: EvalRecord[] = [];
  let synthetic: EvalRecord[] = [];
  let liveRecords: EvalRecord[] = [];
  let server: ViewServer;
  let browser: Browser;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    // a real run folder: AdaCAD on NQ-Swap with the 260K-parameter stories model
    const made = await runChorusInProcess([
      "eval",
      "adacad",
      "--dataset",
      "nq-swap",
      "--limit",
      "3",
      "--model",
      stories!,
      "--set",
      "max-tokens=6",
      "--cache-dir",
      join(root, "cache"),
      "--out",
      real,
    ]);
    assert.equal(made.code, 0, made.stderr);
    records = readFileSync(join(real, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).result);
    // the same run with a model output that is an XSS payload (a model can write anything)
    const hostile = join(runs, "hostile");
    cpSync(real, hostile, { recursive: true });
    const lines = readFileSync(join(hostile, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    lines[0].result.prediction = payload;
    lines[0].result.details.decoding = payload;
    writeFileSync(
      join(hostile, "results.jsonl"),
      lines.map((l) => `${JSON.stringify(l)}\n`).join(""),
    );
    // many rows, for virtualisation and counts over a mix of right and wrong
    synthetic = writeEvalRun(join(runs, "many"), {
      methods: ["adacad", "greedy", "cad"],
      items: 1000,
    }).records;
    // a run that keeps growing while the page is open
    liveRecords = writeEvalRun(join(runs, "live"), { methods: ["adacad"], items: 6 }).records;
    // MAgICoRe's details shape, typed by its own trace type (a real run needs a reward model)
    const iterations: IterationTrace[] = [
      {
        iteration: 1,
        hard: true,
        lowQuality: true,
        lowConfidence: true,
        meanZ: -0.4,
        confidenceOrm: 0.3,
        confidencePrm: 0.2,
        majority: "12",
        answer: "14",
        refinedAnswers: ["14", "12", "14"],
      },
      {
        iteration: 2,
        hard: false,
        lowQuality: false,
        lowConfidence: false,
        meanZ: 0.6,
        confidenceOrm: 0.8,
        confidencePrm: 0.7,
        majority: "14",
        answer: "14",
      },
    ];
    writeEvalRun(join(runs, "magicore"), {
      methods: ["magicore"],
      items: 2,
      details: () => ({
        initialAnswer: "12",
        majority: "12",
        hard: true,
        iterations,
        calls: { solver: 4, reviewer: 3, refiner: 3 },
        poolAnswers: ["14", "14", "12"],
      }),
    });
    server = await startViewServer(openRuns([runs]), { host: "127.0.0.1", port: 0 });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (!process.env["CHORUS_VIEW_SHOTS"]) rmSync(root, { recursive: true, force: true });
  });

  async function open(hash: string): Promise<Page> {
    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 } })
    ).newPage();
    page.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));
    await page.goto(`${server.url}${hash}`);
    await page.waitForSelector("body[data-ready]");
    return page;
  }
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  const rowCount = async (page: Page) =>
    Number((await page.getByTestId("row-count").textContent())!.split(" ")[0]);

  it("lists the runs and shows a run's scores with the report's intervals", async () => {
    const page = await open("#/");
    assert.equal(await page.getByRole("table", { name: "runs" }).locator("tbody tr").count(), 5);
    await shot(page, "runs");
    await page.getByRole("link", { name: "adacad-real" }).click();
    const report = JSON.parse(readFileSync(join(real, "report.json"), "utf8")) as EvalReport;
    const a = report.methods[0]!.accuracy;
    const pct = (x: number) => (x * 100).toFixed(1);
    assert.equal(
      await page.getByTestId("score-adacad").textContent(),
      `${pct(a.mean)} [${pct(a.low)}, ${pct(a.high)}]`,
    );
    await shot(page, "overview");
  });

  it("filters and sorts to the counts computed in Node, and keeps both in the URL", async () => {
    const page = await open("#/run/many/items");
    assert.equal(await rowCount(page), synthetic.length);
    const filter = 'not correct and intervened == 1 and method != "cad"';
    await page.getByRole("searchbox", { name: "filter" }).fill(filter);
    const expected = synthetic.filter(
      (r) => !r.correct && r.details?.["intervened"] === 1 && r.method !== "cad",
    ).length;
    assert.equal(await rowCount(page), expected);
    await page.getByRole("columnheader", { name: "tokens" }).click();
    await page.getByRole("columnheader", { name: /tokens/ }).click();
    const url = page.url();
    assert.match(url, /#\/run\/many\/items\?f=.*&sort=tokens&desc=1$/);
    const firstTokens = await page
      .locator('[role="grid"] [data-index="0"] [role="gridcell"]')
      .nth(6)
      .textContent();
    const maxTokens = Math.max(
      ...synthetic
        .filter((r) => !r.correct && r.details?.["intervened"] === 1 && r.method !== "cad")
        .map((r) => r.usage.inputTokens + r.usage.outputTokens),
    );
    assert.equal(Number(firstTokens), maxTokens);
    await shot(page, "items-filtered");
    // the URL alone brings the same view back
    const again = await open(url.slice(url.indexOf("#")));
    assert.equal(await again.getByRole("searchbox", { name: "filter" }).inputValue(), filter);
    assert.equal(await rowCount(again), expected);
    assert.equal(
      await again.getByRole("columnheader", { name: /tokens/ }).getAttribute("aria-sort"),
      "descending",
    );
    await again.getByRole("searchbox", { name: "filter" }).fill("score <");
    assert.match((await again.getByRole("status").textContent())!, /expected a value/);
  });

  it("keeps fewer than 100 rows in the DOM at the top and at the end of 3000", async () => {
    const page = await open("#/run/many/items");
    const rendered = () => page.locator('[role="grid"] [data-index]').count();
    assert.ok((await rendered()) < 100);
    await page.locator(".grid-body").evaluate((body) => body.scrollTo(0, body.scrollHeight));
    await page.waitForSelector(`[data-index="${synthetic.length - 1}"]`);
    assert.ok((await rendered()) < 100);
    await shot(page, "items-scrolled");
  });

  it("opens an item whose row comes after the first chunk of rows", async () => {
    const line = synthetic.length - 1;
    const page = await open(`#/run/many/item/${line}`);
    assert.equal(await page.getByTestId("prediction").textContent(), synthetic[line]!.prediction);
  });

  it("shows an AdaCAD item with one α cell per generated token", async () => {
    const page = await open("#/run/adacad-real/item/2");
    const { alphas, pieces, intervenedAt } = records[2]!.details as {
      alphas: number[];
      pieces: string[];
      intervenedAt: number[];
    };
    const cells = page.getByRole("list", { name: "α heat strip" }).getByRole("listitem");
    assert.equal(await cells.count(), alphas.length);
    for (const [i, a] of alphas.entries())
      assert.equal(await cells.nth(i).getAttribute("aria-label"), `α ${a.toFixed(2)}`);
    // each cell holds its token's text (a line break as ↵, a blank token's spaces as ␣); the
    // context's changes outlined
    assert.deepEqual(
      await cells.allTextContents(),
      pieces.map((p) =>
        (p.trim() === "" ? p.replace(/ /g, "␣") : p).replace(/\n/g, "↵").replace(/\t/g, "→"),
      ),
    );
    assert.equal(
      await page.getByRole("list", { name: "α heat strip" }).locator(".intervened").count(),
      intervenedAt.length,
    );
    assert.equal(await page.getByTestId("prediction").textContent(), records[2]!.prediction);
    // the question the item asked, from the items.jsonl the eval wrote
    assert.equal(
      await page.getByTestId("question").textContent(),
      itemOf(real, records[2]!.itemId).question,
    );
    await shot(page, "item-adacad");
  });

  it("shows a MAgICoRe item's iterations with triage and answers", async () => {
    const page = await open("#/run/magicore/item/0");
    const rows = page.getByRole("table", { name: "MAgICoRe iterations" }).locator("tbody tr");
    assert.equal(await rows.count(), 2);
    assert.match((await rows.nth(0).textContent())!, /hard: refine/);
    assert.match((await rows.nth(1).textContent())!, /easy: stop/);
    await shot(page, "item-magicore");
  });

  it("compares two methods paired on items: flips as computed in Node, Δ as the report's, state in the URL", async () => {
    const page = await open("#/compare?a=many&am=adacad&b=many&bm=greedy");
    const by = (m: string) =>
      new Map(synthetic.filter((r) => r.method === m).map((r) => [r.itemId, r]));
    const [a, b] = [by("adacad"), by("greedy")];
    const flips = [...a.keys()].filter((id) => a.get(id)!.correct !== b.get(id)!.correct);
    const lost = flips.filter((id) => a.get(id)!.correct);
    assert.equal(
      await page.getByTestId("pair-count").textContent(),
      "1000 item(s), the first 500 shown",
    );
    assert.equal(await page.getByLabel("lost").textContent(), String(lost.length));
    assert.equal(await page.getByLabel("gained").textContent(), String(flips.length - lost.length));
    // flips first: losses, then gains, in item order
    const firstIds = await page
      .getByRole("table", { name: "pairs" })
      .locator("tbody tr td:first-child")
      .allTextContents();
    assert.deepEqual(firstIds.slice(0, lost.length), lost);
    const report = JSON.parse(
      readFileSync(join(runs, "many", "report.json"), "utf8"),
    ) as EvalReport;
    const v = report.methods.find((m) => m.method === "greedy")!.versusFirst!;
    assert.match(
      (await page.getByTestId("delta").textContent())!,
      new RegExp(
        `Δ \\(B − A\\) ${v.mean.toFixed(3)} \\[${v.low.toFixed(3)}, ${v.high.toFixed(3)}\\]`,
      ),
    );
    await shot(page, "compare");
    await page.getByRole("link", { name: "flips only" }).click();
    // runs in the page; the Node test's types have no DOM, and the page's CSP forbids strings
    await page.waitForFunction(() =>
      (globalThis as unknown as { location: { hash: string } }).location.hash.includes(
        "show=flips",
      ),
    );
    // the count re-renders after the hash changes: wait for the flips' count (or time out)
    await page
      .getByTestId("pair-count")
      .filter({ hasText: new RegExp(`^${flips.length} item\\(s\\)`) })
      .waitFor({ timeout: 30_000 });
    // the table draws at most 500 pairs and says so after the count
    assert.match(
      (await page.getByTestId("pair-count").textContent())!,
      new RegExp(`^${flips.length} item\\(s\\)`),
    );
    await page.getByRole("link", { name: lost[0]! }).click();
    await page.getByRole("region", { name: "item pair" }).waitFor();
    assert.equal(await page.getByTestId("output-A").textContent(), a.get(lost[0]!)!.prediction);
    const url = page.url();
    assert.match(url, new RegExp(`show=flips&item=${lost[0]}$`));
    await shot(page, "compare-item");
    // the URL alone brings the same view back
    const again = await open(url.slice(url.indexOf("#")));
    await again.getByRole("region", { name: "item pair" }).waitFor();
    assert.match(
      (await again.getByTestId("pair-count").textContent())!,
      new RegExp(`^${flips.length} item\\(s\\)`),
    );
  });

  it("shows rows a running eval appends, pushed over Server-Sent Events, without a reload", async () => {
    const live = join(runs, "live");
    const page = await open("#/run/live/items?f=not%20correct");
    assert.equal(await rowCount(page), liveRecords.filter((r) => !r.correct).length);
    const more = liveRecords.map((r, i) => ({
      id: `${r.method}/late${i}`,
      index: 100 + i,
      result: { ...r, itemId: `late${i}`, correct: false, score: 0 },
    }));
    appendFileSync(join(live, "results.jsonl"), more.map((l) => `${JSON.stringify(l)}\n`).join(""));
    const expected = liveRecords.filter((r) => !r.correct).length + more.length;
    type PageGlobals = {
      document: { querySelector(s: string): { textContent: string | null } | null };
    };
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as PageGlobals).document
          .querySelector('[data-testid="row-count"]')
          ?.textContent?.startsWith(`${n} of`),
      expected,
    );
    assert.equal(
      await page.getByTestId("row-count").textContent(),
      `${expected} of ${liveRecords.length + more.length} rows`,
    );
    assert.match(page.url(), /#\/run\/live\/items\?f=not\+correct$/);
    await shot(page, "items-live");
  });

  it("renders an XSS payload in a model output as literal text", async () => {
    const page = await open("#/run/hostile/items");
    assert.equal(
      await page.locator('[data-index="0"] [role="gridcell"]').nth(2).textContent(),
      payload,
    );
    await page.locator('[data-index="0"]').click();
    await page.getByTestId("prediction").waitFor();
    assert.equal(await page.getByTestId("prediction").textContent(), payload);
    assert.equal(await page.locator("img").count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
    await shot(page, "item-hostile");
  });

  it("opens an export from file:// with every network request blocked, with the same counts", async () => {
    const file = join(root, "export.html");
    writeFileSync(file, (await exportHtml(openRuns([real, join(runs, "many")]), 15e6)).html);
    const { context, blocked: requests } = await offlineContext(browser);
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (m) => m.type() === "error" && violations.push(m.text()));
    await page.goto(`${pathToFileURL(file).href}#/run/many/items?f=correct`);
    await page.waitForSelector("body[data-ready]");
    assert.equal(await rowCount(page), synthetic.filter((r) => r.correct).length);
    await page.goto(`${pathToFileURL(file).href}#/run/adacad-real/item/1`);
    await page.getByRole("list", { name: "α heat strip" }).waitFor();
    const alphas = (records[1]!.details as { alphas: number[] }).alphas;
    assert.equal(
      await page.getByRole("list", { name: "α heat strip" }).getByRole("listitem").count(),
      alphas.length,
    );
    assert.equal(
      await page.getByTestId("question").textContent(),
      itemOf(real, records[1]!.itemId).question,
    );
    await shot(page, "export-item");
    await page.goto(
      `${pathToFileURL(file).href}#/compare?a=many&am=adacad&b=many&bm=cad&show=flips`,
    );
    await page.getByTestId("pair-count").waitFor();
    const [a, c] = ["adacad", "cad"].map((m) => synthetic.filter((r) => r.method === m));
    const flips = a!.filter((r, i) => r.correct !== c![i]!.correct).length;
    assert.match(
      (await page.getByTestId("pair-count").textContent())!,
      new RegExp(`^${flips} item\\(s\\)`),
    );
    assert.deepEqual(requests, []);
    assert.deepEqual(violations, []);
  });
});
