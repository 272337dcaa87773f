import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { runChorus } from "../../test/support/run-chorus.ts";
import { sharedFile } from "../evals/shared-dir.ts";
import type { CycleRecord, StoredDatum, TestAnswer } from "../methods/dataenvgym/run-folder.ts";
import type { ItemOutcome } from "../methods/laser/evaluate.ts";
import type { BatchRecord } from "../methods/laser/selection-report.ts";
import type { AreYouSureOutcome } from "../methods/pbt/are-you-sure.ts";
import type { DialogueTree } from "../methods/pbt/dialogue-tree.ts";
import { collectPairs } from "../methods/pbt/sibling-pairs.ts";
import { transcriptFormat } from "../methods/pbt/transcript-format.ts";
import { countMoves, turnMoves } from "../methods/pbt/turn-moves.ts";
import type { ResultRecord } from "../runtime/run.ts";
import { shippedModel } from "../testbed/shipped-models.ts";
import {
  browserSkipReason,
  launchChromium,
  offlineContext,
  openViewer,
} from "./browser-session.ts";
import { exportHtml } from "./export-html.ts";
import { openRuns } from "./run-folders.ts";
import { startViewServer, type ViewServer } from "./view-server.ts";

const stories = sharedFile("models", "stories260K.gguf");
const random = sharedFile("models", "llama-2-tiny-random.gguf");
const atlas = (() => {
  try {
    return shippedModel("atlas-1m").path;
  } catch {
    return undefined;
  }
})();
const skip =
  browserSkipReason() ||
  (stories && random ? false : "../shared/models (stories260K, llama-2-tiny-random) not found") ||
  (atlas ? false : "models/atlas-1m.gguf not found");

const lines = <R>(path: string): Array<ResultRecord<R>> =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as ResultRecord<R>);
const jsonl = <T>(path: string): T[] => lines<unknown>(path) as unknown as T[];

// Each panel from a run folder that a real, tiny run of the command made; every count drawn is
// checked against the folder's own files read here.
describe("training panels in Chromium, from real LASeR, DataEnvGym and PBT runs", {
  skip,
  timeout: 1_800_000,
}, () => {
  const root = mkdtempSync(join(tmpdir(), "chorus-view-training-"));
  const shots = process.env["CHORUS_VIEW_SHOTS"] ?? join(root, "shots");
  const runs = join(root, "runs");
  const demos = join(root, "demos");
  let server: ViewServer;
  let browser: Browser;
  let measureId = "";

  async function chorus(args: string[]): Promise<void> {
    const made = await runChorus(args);
    assert.equal(made.code, 0, made.stderr);
  }

  before(
    async () => {
      mkdirSync(shots, { recursive: true });
      const data = join(root, "laser.jsonl");
      writeFileSync(
        data,
        ["Once upon a time", "One day", "Tom and his dog", "The cat was"]
          .map((p, i) => JSON.stringify({ prompt: p, answer: "Lily", family: i < 2 ? "a" : "b" }))
          .join("\n"),
      );
      // as src/cli/commands/laser.test.ts: stories260K policy, two likelihood RMs, 2 × 2 batches
      await chorus([
        ...["laser", "train", "--policy", stories!, "--data", data],
        ...["--rm", `tales=likelihood:${stories}`, "--rm", `noise=likelihood:${random}`],
        ...["--iterations", "2", "--batch-size", "2", "--batching", "by-family"],
        ...["--samples", "3", "--max-tokens", "8", "--pairs", "2", "--lr", "1e-3"],
        ...["--lora-rank", "4", "--no-eos", "--context-dim", "16", "--early-stop", "0"],
        ...["--seed", "1", "--out", join(runs, "laser")],
      ]);
      await chorus([
        ...["laser", "eval", "--policy", stories!, "--run", join(runs, "laser")],
        ...["--data", data, "--max-tokens", "8", "--out", join(runs, "laser-eval")],
      ]);
      const cache = ["--cache-dir", join(root, "cache")];
      const gym = ["--task", "abacus", "--engine", "abacus", "--student", "lookup", ...cache];
      const small = ["--validation-n", "16", "--test-n", "8", "--cycles", "2"];
      await chorus([
        ...["gym", "run", "--env", "skill-list", ...gym, ...small],
        ...["--out", join(runs, "gym")],
      ]);
      await chorus([
        ...["gym", "compare", ...gym, ...small, "--arms", "uniform,skill-list"],
        ...["--budget", "40", "--seeds", "1,2", "--out", join(runs, "gym-compare")],
      ]);
      await chorus([
        ...["pbt", "trees", "--model", atlas!, "--questions", "atlas:24"],
        ...["--format", "transcript", ...cache, "--out", join(runs, "pbt-trees")],
      ]);
      // as demo-pbt-measure.test.ts: atlas-1m as its own partner, tiny sizes, one training seed
      await chorus([
        ...["demo", "pbt", "--measure", "--model", "atlas-1m", "--partner", "atlas-1m"],
        ...["--n", "24", "--train-seeds", "1", "--eval-pairs", "3", "--sure-n", "4"],
        ...["--team-n", "3", "--seed", "5", "--json", "--runs-dir", demos],
      ]);
      measureId = readdirSync(demos)[0] ?? "";
      server = await startViewServer(openRuns([runs, demos]), { host: "127.0.0.1", port: 0 });
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

  it("LASeR training: the arm chosen per batch per family, RM calls per arm, loss per iteration", async () => {
    const batches = lines<BatchRecord>(join(runs, "laser", "results.jsonl")).map((l) => l.result);
    const report = JSON.parse(readFileSync(join(runs, "laser", "laser-report.json"), "utf8")) as {
      arms: string[];
      rmCalls: Record<string, { batches: number; responses: number }>;
      lossByIteration: number[];
    };
    const page = await open("#/run/laser");
    const strip = page.getByTestId("selection-strip");
    assert.equal(await strip.locator("rect").count(), batches.length);
    for (const arm of report.arms)
      assert.equal(
        await strip.locator(`rect[data-arm="${arm}"]`).count(),
        batches.filter((b) => b.chosen === arm).length,
        arm,
      );
    for (const family of new Set(batches.map((b) => b.family)))
      assert.equal(
        await strip.locator(`rect[data-family="${family}"]`).count(),
        batches.filter((b) => b.family === family).length,
      );
    const calls = page.getByRole("table", { name: "RM calls per arm" });
    for (const arm of report.arms) {
      const row = calls.getByRole("row").filter({ hasText: arm });
      const cells = await row.getByRole("cell").allTextContents();
      assert.deepEqual(cells.slice(2).map(Number), [
        report.rmCalls[arm]!.batches,
        report.rmCalls[arm]!.responses,
      ]);
    }
    const losses = page.getByRole("table", { name: "loss per iteration" });
    assert.equal(await losses.locator("tbody tr").count(), report.lossByIteration.length);
    assert.deepEqual(
      await losses.locator("tbody tr td:nth-child(2)").allTextContents(),
      report.lossByIteration.map((l) => l.toFixed(3)),
    );
    await shot(page, "laser-train");

    // a batch line's own panel
    const batch = await open("#/run/laser/item/1");
    const panel = batch.getByRole("region", { name: "LASeR batch" });
    assert.match(
      (await panel.textContent()) ?? "",
      new RegExp(`chose ${batches[1]!.chosen} · ${batches[1]!.responses} responses`),
    );
  });

  it("LASeR evaluation: accuracy per family, and each item's prompt, response and answer", async () => {
    const outcomes = lines<ItemOutcome>(join(runs, "laser-eval", "results.jsonl"));
    const page = await open("#/run/laser-eval");
    const table = page.getByRole("table", { name: "accuracy by family" });
    const families = new Set(outcomes.map((o) => o.result.family));
    assert.equal(await table.locator("tbody tr").count(), families.size + 1);
    for (const f of families) {
      const n = outcomes.filter((o) => o.result.family === f).length;
      const right = outcomes.filter((o) => o.result.family === f && o.result.correct).length;
      const row = table
        .getByRole("row")
        .filter({ has: page.getByRole("rowheader", { name: f, exact: true }) });
      assert.match(
        (await row.textContent()) ?? "",
        new RegExp(`${((100 * right) / n).toFixed(1)}% .*\\(n ${n}\\)`),
      );
    }
    await shot(page, "laser-eval");
    const item = await open("#/run/laser-eval/item/2");
    const record = outcomes[2]!.result;
    assert.equal(await item.getByTestId("laser-response").textContent(), record.response);
    const panel = item.getByRole("region", { name: "LASeR evaluation item" });
    assert.ok(((await panel.textContent()) ?? "").includes(record.prompt!));
    await shot(item, "laser-eval-item");
  });

  it("DataEnvGym episode: accuracy and data per skill per cycle, and each test problem's answers", async () => {
    const dir = join(runs, "gym", "episode");
    const cycles = jsonl<CycleRecord>(join(dir, "cycles.jsonl"));
    const made = jsonl<StoredDatum>(join(dir, "data.jsonl"));
    const answers = jsonl<TestAnswer>(join(dir, "test-answers.jsonl"));
    const skills = cycles[0]!.test!.slices.map((s) => s.name);
    const page = await open("#/run/gym");
    const accuracy = page.getByRole("table", { name: "accuracy per skill" });
    assert.equal(await accuracy.locator("td[data-skill]").count(), skills.length * cycles.length);
    for (const c of cycles)
      for (const s of c.test!.slices)
        assert.equal(
          Number(
            await accuracy
              .locator(`td[data-skill="${s.name}"][data-cycle="${c.cycle}"]`)
              .getAttribute("data-value"),
          ),
          s.accuracy,
        );
    const data = page.getByRole("table", { name: "data per skill" });
    const drawn = await data
      .locator("td[data-value]")
      .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute("data-value"))));
    assert.equal(
      drawn.reduce((a, b) => a + b, 0),
      made.length,
    );
    for (const skill of new Set(made.map((d) => d.skill ?? "(none)")))
      for (const c of new Set(made.map((d) => d.cycle)))
        assert.equal(
          Number(
            (await data
              .locator(`td[data-skill="${skill}"][data-cycle="${c}"]`)
              .getAttribute("data-value")) ?? 0,
          ),
          made.filter((d) => (d.skill ?? "(none)") === skill && d.cycle === c).length,
        );
    const problems = page.getByTestId("gym-problem");
    const ids = [...new Set(answers.map((a) => a.id))];
    assert.equal(await problems.count(), ids.length);
    assert.equal(
      await problems.locator('[data-correct="true"]').count(),
      answers.filter((a) => a.correct).length,
    );
    assert.equal(
      await problems.locator('[data-correct="false"]').count(),
      answers.filter((a) => !a.correct).length,
    );
    const first = problems.first();
    await first.locator("summary").click();
    const text = (await first.textContent()) ?? "";
    const mine = answers.filter((a) => a.id === ids[0]);
    assert.ok(text.includes(mine[0]!.question) && text.includes(mine[0]!.gold));
    assert.equal(await first.locator("dd.good, dd.bad").count(), mine.length);
    await shot(page, "gym-episode");
  });

  it("DataEnvGym comparison: each teacher against the baseline, curves, and the episodes", async () => {
    const armsDir = join(runs, "gym-compare", "arms");
    const arms = ["uniform", "skill-list"];
    const finalTest = (arm: string) => {
      const finals = [1, 2].map(
        (s) =>
          jsonl<CycleRecord>(join(armsDir, arm, `seed-${s}`, "cycles.jsonl")).at(-1)!.test!
            .accuracy,
      );
      return (finals[0]! + finals[1]!) / 2;
    };
    const page = await open("#/run/gym-compare");
    const table = page.getByRole("table", { name: "teachers" });
    assert.equal(await table.locator("tbody tr").count(), arms.length);
    for (const arm of arms) {
      const row = table.locator("tbody tr").filter({ hasText: arm });
      assert.equal(
        await row.locator("td").nth(1).textContent(),
        `${(100 * finalTest(arm)).toFixed(1)}%`,
      );
    }
    assert.match((await page.getByTestId("delta-skill-list").textContent()) ?? "", /\[.*,.*\]/);
    assert.equal(await page.getByTestId("delta-uniform").textContent(), "baseline");
    const curves = page.getByRole("img", { name: "test accuracy per cycle" });
    assert.equal(await curves.locator("polyline").count(), arms.length);
    assert.equal(
      await page.getByRole("table", { name: "accuracy per skill" }).count(),
      arms.length,
    );
    await shot(page, "gym-compare");
  });

  it("PBT trees: turn moves and pairs over the run, and one tree with its flips", async () => {
    const trees = lines<DialogueTree>(join(runs, "pbt-trees", "results.jsonl")).map(
      (l) => l.result,
    );
    const moves = countMoves(trees);
    const { counts } = collectPairs(trees, { format: transcriptFormat });
    const page = await open("#/run/pbt-trees");
    assert.equal(Number(await page.getByTestId("moves-accepted").textContent()), moves.accepted);
    assert.equal(Number(await page.getByTestId("moves-gave-in").textContent()), moves["gave-in"]);
    assert.equal(Number(await page.getByTestId("pairs-accept").textContent()), counts.accept);
    assert.equal(Number(await page.getByTestId("pairs-resist").textContent()), counts.resist);
    await shot(page, "pbt-trees");

    // the tree with the most flips
    const flips = trees.map(
      (t) => turnMoves(t).filter((m) => m === "gave-in" || m === "accepted").length,
    );
    const n = flips.indexOf(Math.max(...flips));
    const tree = trees[n]!;
    const item = await open(`#/run/pbt-trees/item/${n}`);
    const panel = item.getByRole("region", { name: "dialogue tree" });
    assert.equal(await panel.getByTestId("tree-node").count(), tree.nodes.length - 1);
    const expected = turnMoves(tree);
    for (const move of ["accepted", "gave-in", "held-right", "held-wrong"] as const)
      assert.equal(
        await panel.locator(`[data-move="${move}"]`).count(),
        expected.filter((m) => m === move).length,
        move,
      );
    const replies = tree.nodes.filter((x) => x.level >= 3 && x.level % 2 === 1).length;
    assert.equal(await panel.getByText(/^B replies$/).count(), replies);
    await shot(item, "pbt-tree");
  });

  it("PBT measurement: flip rates and evaluations per condition, and an eval dialogue", async () => {
    const all = lines<unknown>(join(demos, measureId, "results.jsonl"));
    const sureOf = (tag: string) =>
      all
        .filter((l) => l.id.startsWith(`eval/${tag}/sure/`))
        .map((l) => l.result as AreYouSureOutcome);
    const kept = new Set(sureOf("1/pbt").map((o) => o.id));
    const rightFirst = (os: AreYouSureOutcome[]) => os.filter((o) => o.correctBefore);
    const page = await open(`#/run/${measureId}`);
    const plot = page.getByTestId("flip-plot");
    const tags = ["base", "1/pbt", "1/accept-only", "1/resist-only"];
    // a condition that answered none of the questions right first has no flip rate to plot
    const plotted = tags.filter((t) => rightFirst(sureOf(t).filter((o) => kept.has(o.id))).length);
    assert.equal(await plot.locator("g[data-condition]").count(), plotted.length);
    for (const tag of plotted) {
      const name = tag === "base" ? "base" : `seed ${tag.replace("/", " · ")}`;
      const right = rightFirst(sureOf(tag).filter((o) => kept.has(o.id)));
      const rate = right.filter((o) => !o.correctAfter).length / right.length;
      const drawn = await plot.locator(`g[data-condition="${name}"]`).getAttribute("data-flip");
      assert.ok(Math.abs(Number(drawn) - rate) < 1e-12, `${tag}: ${drawn} vs ${rate}`);
      assert.match(
        (await page.getByTestId(`flip-${name}`).textContent()) ?? "",
        new RegExp(`^${(100 * rate).toFixed(1)}%`),
      );
    }
    await shot(page, "pbt-measure");

    const n = all.findIndex((l) => l.id.startsWith("eval/1/pbt/sure/"));
    const dialogue = all[n]!.result as AreYouSureOutcome;
    const item = await open(`#/run/${measureId}/item/${n}`);
    assert.equal(await item.getByTestId("dialogue-turn").count(), dialogue.turns.length);
    assert.ok(dialogue.question, "outcomes record their question");
    const sure = item.getByRole("region", { name: "are you sure item" });
    assert.ok(((await sure.textContent()) ?? "").includes(dialogue.question));
    await shot(item, "pbt-sure-item");
  });

  it("an export carries the training panels: the LASeR strip and gym problems from file://", async () => {
    const file = join(root, "training.html");
    writeFileSync(
      file,
      (await exportHtml(openRuns([join(runs, "laser"), join(runs, "gym")]), 15e6)).html,
    );
    const { context, blocked: requests } = await offlineContext(browser);
    const page = await context.newPage();
    await page.goto(`${pathToFileURL(file).href}#/run/laser`);
    await page.waitForSelector("body[data-ready]");
    const batches = lines<BatchRecord>(join(runs, "laser", "results.jsonl"));
    assert.equal(await page.getByTestId("selection-strip").locator("rect").count(), batches.length);
    await page.goto(`${pathToFileURL(file).href}#/run/gym`);
    const answers = jsonl<TestAnswer>(join(runs, "gym", "episode", "test-answers.jsonl"));
    await page.getByTestId("gym-problem").first().waitFor();
    assert.equal(
      await page.getByTestId("gym-problem").count(),
      new Set(answers.map((a) => a.id)).size,
    );
    assert.deepEqual(requests, []);
    await context.close();
  });
});
