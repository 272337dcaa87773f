import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { runChorus } from "../../test/support/run-chorus.ts";
import { sharedFile } from "../evals/shared-dir.ts";
import type { MammTraceRecord } from "../methods/mamm-refine/trace-record.ts";
import { browserSkipReason, launchChromium, openViewer } from "./browser-session.ts";
import { openRuns } from "./run-folders.ts";
import { startViewServer, type ViewServer } from "./view-server.ts";

const stories = sharedFile("models", "stories260K.gguf");
const random = sharedFile("models", "llama-2-tiny-random.gguf");
const skip =
  browserSkipReason() ||
  (stories && random ? false : "../shared/models (stories260K, llama-2-tiny-random) not found");

/** The result records of a run folder, in file order. */
const records = (dir: string) =>
  readFileSync(join(dir, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l).result as { details: Record<string, unknown> });

/** The results.jsonl ids (run item ids) of a run folder, in file order. */
const lineIds = (dir: string) =>
  readFileSync(join(dir, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l).id as string);

/** The events.jsonl calls of one run item. */
const callsOf = (dir: string, id: string) =>
  readFileSync(join(dir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { item?: string })
    .filter((e) => e.item === id);

/** The items.jsonl line of one item id. */
const itemOf = (dir: string, id: string) =>
  readFileSync(join(dir, "items.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { id: string; question: string; choices?: string[] })
    .find((i) => i.id === id)!;

// Each panel from a run folder a real `chorus eval` made on tiny models (their outputs are noise;
// the panels must draw exactly what the records hold).
describe("method panels in Chromium, from real eval runs", { skip, timeout: 1_800_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "chorus-view-panels-"));
  const shots = process.env["CHORUS_VIEW_SHOTS"] ?? join(root, "shots");
  const runs = join(root, "runs");
  const cache = ["--cache-dir", join(root, "cache")];
  let server: ViewServer;
  let browser: Browser;

  async function chorus(args: string[]): Promise<void> {
    const made = await runChorus(args);
    assert.equal(made.code, 0, made.stderr);
  }

  before(
    async () => {
      mkdirSync(shots, { recursive: true });
      await chorus([
        ...["eval", "mamm-refine", "--dataset", "xsum", "--limit", "1", "--model", stories!],
        // 12 tokens hold no critique, so the run stops after DETECT's debate (cheap on a loaded box)
        ...["--set", "max-rounds=2", "--set", "max-tokens=12", "--set", "max-reasoning-chars=24"],
        ...["--set", "parse-attempts=1", ...cache, "--out", join(runs, "mamm")],
      ]);
      const small = [
        "--set",
        "maxTokens=8",
        "--set",
        "keywordMaxTokens=8",
        "--set",
        "keywordSamples=2",
      ];
      const profile = join(root, "moe.json");
      await chorus([
        ...["moe", "profile", "--dataset", "mmlu-pro", "--limit", "2", "--model", stories!],
        ...["--model", random!, ...small, ...cache, "--save", profile],
      ]);
      await chorus([
        ...["eval", "symbolic-moe", "--dataset", "mmlu-pro", "--limit", "2", "--model", stories!],
        ...["--model", random!, ...small, "--set", `profiles=${profile}`, ...cache],
        ...["--out", join(runs, "moe")],
      ]);
      await chorus([
        // μ = 10 makes every majority "low quality" and the OR rule sends it to the Reviewer and
        // Refiner, so the run records the triaged pool's and the refined solutions' step scores;
        // multiple choice, since a stories model's bare "A"/"I" parses as an answer the PRM scores
        ...["eval", "magicore", "--dataset", "mmlu-pro", "--limit", "1", "--model", stories!],
        ...["--set", "k=3", "--set", "maxTokens=32", "--set", "iterations=1"],
        ...["--set", "hardRule=or", "--set", "mu=10", "--set", "sigma=1", "--set", "minTokens=0"],
        ...[...cache, "--out", join(runs, "magicore")],
      ]);
      await chorus([
        // utdebug-example's tests come from the prompt's examples, so its grid has cells even
        // where the tiny model writes no parsable unit test (utdebug's rows are then empty)
        ...["eval", "utdebug", "--baselines", "utdebug-example"],
        ...["--dataset", "humanevalfix-python", "--limit", "1"],
        ...["--model", stories!, "--set", "rounds=1", "--set", "nUts=1", "--set", "attempts=1"],
        ...["--set", "votes=2", "--set", "maxTokens=24", "--set", "scMaxTokens=16", ...cache],
        ...["--out", join(runs, "utdebug")],
      ]);
      // story openings stories260K completes with these words, so unlearning them moves ROUGE
      const facts = (pairs: string[][]) =>
        pairs.map(([question, answer]) => JSON.stringify({ question, answer })).join("\n");
      writeFileSync(
        join(root, "forget.jsonl"),
        facts([
          ["Once upon a time, there was a little", "girl"],
          ["One day, Lily went to the", "park"],
          ["The cat was very", "excited"],
          ["He liked to play with his", "toys"],
        ]),
      );
      writeFileSync(
        join(root, "retain.jsonl"),
        facts([
          ["Tom and his mom went to the", "park"],
          ["They played together all", "day long"],
        ]),
      );
      await chorus([
        ...["unlearn", "--model", stories!, "--method", "ga", "--selection", "upcore,full"],
        ...["--forget", join(root, "forget.jsonl"), "--retain", join(root, "retain.jsonl")],
        ...["--epochs", "5", "--lr", "0.3", "--rank", "4", "--layers", "1,2,3"],
        ...["--max-new-tokens", "3", "--out", join(root, "unlearn.json")],
        ...["--run-dir", join(runs, "unlearn")],
      ]);
      server = await startViewServer(openRuns([runs]), { host: "127.0.0.1", port: 0 });
      browser = await launchChromium();
    },
    { timeout: 1_500_000 },
  );
  after(async () => {
    await browser?.close();
    await server?.close();
    if (!process.env["CHORUS_VIEW_SHOTS"]) rmSync(root, { recursive: true, force: true });
  });

  const open = (hash: string) => openViewer(browser, `${server.url}${hash}`);
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  it("MAMM-Refine: each sentence's DETECT debate round by round, drafts, and the refinement diff", async () => {
    const [record] = records(join(runs, "mamm"));
    const d = record!.details as {
      sentences: string[];
      refinedText: string;
      changed: boolean;
      trace: MammTraceRecord;
    };
    const page = await open("#/run/mamm/item/0");
    const panel = page.getByRole("region", { name: "MAMM-Refine" });
    assert.equal(
      await panel.getByRole("list", { name: "sentences" }).locator(":scope > li").count(),
      d.sentences.length,
    );
    for (const [i, debate] of d.trace.detect.entries()) {
      const grid = panel.getByRole("table", { name: `detect debate ${i + 1}` });
      assert.equal(await grid.locator("tbody tr").count(), debate.rounds.length);
      assert.match(
        (await grid.locator("caption").textContent())!,
        debate.consensus ? /^consensus/ : /^no consensus/,
      );
    }
    if (d.trace.refine)
      assert.equal(
        await panel.getByRole("list", { name: "refine drafts" }).getByRole("listitem").count(),
        d.trace.refine.drafts.length,
      );
    // the diff's kept and added words rebuild the refined text
    const diff = panel.getByLabel("refinement diff");
    const rebuilt = await diff.evaluate((node) =>
      [...node.childNodes]
        .filter((n) => n.nodeName !== "DEL")
        .map((n) => n.textContent)
        .join(""),
    );
    assert.equal(
      rebuilt.split(/\s+/).filter(Boolean).join(" "),
      d.refinedText.split(/\s+/).filter(Boolean).join(" "),
    );
    assert.equal((await diff.locator("ins, del").count()) > 0, d.changed);
    // the item's model calls from events.jsonl: one waterfall lane and one table row each
    const id = JSON.parse(readFileSync(join(runs, "mamm", "results.jsonl"), "utf8").split("\n")[0]!)
      .id as string;
    const calls = readFileSync(join(runs, "mamm", "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { item?: string; latencyMs: number })
      .filter((e) => e.item === id);
    assert.ok(calls.length > 0);
    const lanes = page.getByRole("list", { name: "calls waterfall" }).getByRole("listitem");
    assert.equal(await lanes.count(), calls.length);
    assert.equal(
      await page.getByRole("table", { name: "model calls" }).locator("tbody tr").count(),
      calls.length,
    );
    await shot(page, "item-mamm-refine");
  });

  it("Symbolic-MoE: keywords, skills, each recruited expert's answer, majority and aggregator", async () => {
    const [record] = records(join(runs, "moe"));
    const d = record!.details as {
      keywords: string[];
      experts: string[];
      expertAnswers: (string | null)[];
    };
    const page = await open("#/run/moe/item/0");
    const panel = page.getByRole("region", { name: "Symbolic-MoE" });
    const keywords = panel.getByLabel("keywords", { exact: true });
    if (d.keywords.length === 0) assert.match((await keywords.textContent())!, /^no keywords/);
    else assert.deepEqual(await keywords.getByRole("listitem").allTextContents(), d.keywords);
    const rows = panel.getByRole("table", { name: "experts" }).locator("tbody tr");
    assert.equal(await rows.count(), d.experts.length);
    for (const [i, expert] of d.experts.entries()) {
      assert.equal(await rows.nth(i).locator("td").nth(1).getAttribute("title"), expert);
      assert.equal(
        await rows.nth(i).locator("td").nth(2).textContent(),
        d.expertAnswers[i] ?? "no answer",
      );
    }
    // the question with its options, from the items.jsonl the eval wrote
    const item = itemOf(join(runs, "moe"), (record as unknown as { itemId: string }).itemId);
    assert.equal(await page.getByTestId("question").textContent(), item.question);
    assert.deepEqual(
      await page.getByRole("list", { name: "choices" }).getByRole("listitem").allTextContents(),
      item.choices,
    );
    // calls batched by model across items still name their item: a lane and a row each
    const calls = callsOf(join(runs, "moe"), lineIds(join(runs, "moe"))[0]!);
    assert.ok(calls.length >= d.experts.length, "keyword samples, experts and aggregator");
    const lanes = page.getByRole("list", { name: "calls waterfall" }).getByRole("listitem");
    assert.equal(await lanes.count(), calls.length);
    await shot(page, "item-symbolic-moe");
  });

  it("Symbolic-MoE run overview: the expert × skill matrix counted from the records", async () => {
    const lines = records(join(runs, "moe")) as unknown as Array<{
      gold: string;
      correct: boolean;
      details: {
        mapped: string[];
        experts: string[];
        expertCorrect: boolean[];
        expertMajorityCorrect: boolean;
      };
    }>;
    assert.equal(lines.length, 2);
    const page = await open("#/run/moe");
    const matrix = page.getByRole("table", { name: "expert × skill symbolic-moe" });
    // the "all" column: per expert, its recruited slots and how many were right
    const expected = new Map<string, { recruited: number; correct: number }>();
    for (const { details: d } of lines)
      d.experts.forEach((expert, slot) => {
        const t = expected.get(expert) ?? { recruited: 0, correct: 0 };
        t.recruited++;
        if (d.expertCorrect[slot]) t.correct++;
        expected.set(expert, t);
      });
    const rows = matrix.locator("tbody tr");
    assert.equal(await rows.count(), expected.size);
    for (const [expert, t] of expected) {
      const name = expert.split("/").at(-1)!;
      const label = `${name} on all: recruited ${t.recruited}, right ${t.correct}`;
      assert.equal(
        await matrix.locator(`[aria-label="${label}"]`).textContent(),
        `${t.correct}/${t.recruited}`,
      );
    }
    // one column per mapped skill (or "no skill"), each item's slots counted under each
    const skills = new Set(
      lines.flatMap((r) => (r.details.mapped.length ? r.details.mapped : ["no skill"])),
    );
    assert.equal(await matrix.locator("thead th").count(), skills.size + 2);
    const majority = lines.filter((r) => r.details.expertMajorityCorrect).length;
    const final = lines.filter((r) => r.correct).length;
    assert.match(
      (await page
        .getByRole("region", { name: "Symbolic-MoE symbolic-moe" })
        .locator(".facts")
        .textContent())!,
      new RegExp(
        `^2 items · experts' majority right .* \\(${majority}\\) → final answer right .* \\(${final}\\)$`,
      ),
    );
    await shot(page, "overview-symbolic-moe");
  });

  it("MAgICoRe: iterations with the PRM's step scores of the triaged and refined solutions", async () => {
    const [record] = records(join(runs, "magicore"));
    type Scored = { answer: string | null; orm: number; prm: number[] };
    const d = record!.details as {
      iterations: Array<{ iteration: number; hard: boolean; pool?: Scored[]; refined?: Scored[] }>;
    };
    assert.ok(d.iterations[0]!.hard && d.iterations[0]!.pool && d.iterations[0]!.refined);
    // a solution without an answer gets PRM [0] unasked, as the official annotator does
    for (const s of [...d.iterations[0]!.pool!, ...d.iterations[0]!.refined!])
      if (s.answer === null) assert.deepEqual(s.prm, [0]);
    const page = await open("#/run/magicore/item/0");
    const panel = page.getByRole("region", { name: "MAgICoRe" });
    assert.equal(
      await panel.getByRole("table", { name: "MAgICoRe iterations" }).locator("tbody tr").count(),
      d.iterations.length,
    );
    for (const it of d.iterations)
      for (const [kind, pool] of [
        ["pool", it.pool],
        ["refined", it.refined],
      ] as const) {
        if (!pool) continue;
        const table = panel.getByRole("table", { name: `iteration ${it.iteration} ${kind}` });
        const rows = table.locator("tbody tr");
        assert.equal(await rows.count(), pool.length);
        for (const [i, s] of pool.entries()) {
          assert.deepEqual(
            await rows
              .nth(i)
              .locator("td.step-score")
              .evaluateAll((cells) => cells.map((c) => c.getAttribute("aria-label"))),
            s.prm.map((p, j) => `step ${j + 1}: ${p}`),
          );
          assert.equal(await rows.nth(i).locator("td").nth(2).textContent(), s.orm.toFixed(2));
        }
      }
    await shot(page, "item-magicore");
  });

  it("UTDebug: a rounds × tests grid of verdicts with the hidden-test result per round", async () => {
    const lines = records(join(runs, "utdebug")) as Array<{
      method: string;
      details: {
        passByRound: boolean[];
        rounds: Array<{ round: number; tests: unknown[]; verdicts: string[]; code?: string }>;
      };
    }>;
    assert.deepEqual(lines.map((r) => r.method).sort(), ["utdebug", "utdebug-example"]);
    for (const [line, { method, details: d }] of lines.entries()) {
      assert.equal(typeof d.rounds[0]!.code, "string", "round 0 keeps the given code");
      const page = await open(`#/run/utdebug/item/${line}`);
      const grid = page.getByRole("grid", { name: "rounds × tests" });
      assert.equal(await grid.locator("tbody tr").count(), d.rounds.length);
      // round, code and validation are row headers: the gridcells are the verdicts, in order
      assert.equal(await grid.getByRole("rowheader").count(), 3 * d.rounds.length);
      assert.deepEqual(
        await grid.getByRole("gridcell").allTextContents(),
        d.rounds.flatMap((r) => r.tests.map((_, i) => r.verdicts[i] ?? "–")),
      );
      const empty = d.rounds.filter((r) => r.tests.length === 0).map((r) => r.round);
      const note = page.getByRole("list", { name: "rounds without unit tests" });
      assert.deepEqual(
        (await note.getByRole("listitem").allTextContents()).map((t) => Number(/\d+/.exec(t)![0])),
        empty,
      );
      const facts = await page
        .getByRole("region", { name: "UTDebug" })
        .locator(".facts")
        .textContent();
      assert.match(
        facts!,
        new RegExp(`^hidden tests by round: 0: ${d.passByRound[0] ? "pass" : "fail"}`),
      );
      await shot(page, `item-${method}`);
    }
    // utdebug-example's tests are the prompt's examples: its grid must have cells to check
    const example = lines.find((r) => r.method === "utdebug-example")!.details;
    assert.ok(example.rounds.some((r) => r.tests.length > 0));
  });

  it("unlearning curves: each selection's checkpoints, deletion–utility curves and AUCs", async () => {
    const lines = records(join(runs, "unlearn")) as Array<{
      itemId: string;
      score: number;
      details: {
        utilityMeasure: string;
        points: Array<{ forgetRouge: number; utility: Record<string, number> }>;
        auc: Record<string, number>;
      };
    }>;
    const report = JSON.parse(readFileSync(join(root, "unlearn.json"), "utf8")) as {
      runs: Record<string, { auc: Record<string, number>; points: unknown[] }>;
    };
    assert.deepEqual(
      lines.map((r) => r.itemId),
      ["upcore", "full"],
    );
    for (const [line, { itemId, score, details: d }] of lines.entries()) {
      // the run folder holds what the --out report holds
      assert.deepEqual(d.auc, report.runs[itemId]!.auc);
      assert.equal(d.points.length, report.runs[itemId]!.points.length);
      assert.equal(score, d.auc[d.utilityMeasure]);
      const page = await open(`#/run/unlearn/item/${line}`);
      const panel = page.getByRole("region", { name: "unlearning curves" });
      assert.equal(
        await panel.getByRole("table", { name: "checkpoints" }).locator("tbody tr").count(),
        d.points.length,
      );
      const measures = Object.keys(d.auc);
      assert.deepEqual(
        await panel
          .getByRole("list", { name: "AUC", exact: true })
          .getByRole("listitem")
          .allTextContents(),
        measures.map((m) => {
          const v = d.auc[m]!;
          return `${m}: AUC ${Number.isInteger(v) ? v : v.toFixed(4)}`;
        }),
      );
      for (const measure of Object.keys(d.points[0]!.utility))
        assert.equal(
          await panel
            .getByRole("list", { name: `curve ${measure}` })
            .locator("circle")
            .count(),
          d.points.length,
        );
      assert.equal(await panel.getByLabel(`AUC ${d.utilityMeasure}`).count(), 1);
      await shot(page, `item-unlearn-${itemId}`);
    }
    // the curve moved: unlearning took the forget ROUGE down from where it started
    const full = lines[1]!.details.points;
    assert.ok(full.at(-1)!.forgetRouge < full[0]!.forgetRouge);
  });
});
