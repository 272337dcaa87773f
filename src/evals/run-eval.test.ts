import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { GenerateRequest } from "../model/language-model.ts";
import type { CallEvent } from "../runtime/call-event.ts";
import { Run } from "../runtime/run.ts";
import { wrapModel } from "../runtime/wrap-model.ts";
import { ScriptedModel } from "../testing/scripted-model.ts";
import type { EvalItem } from "./eval-item.ts";
import type { EvalContext, EvalMethod } from "./eval-method.ts";
import { loadEvalMethod } from "./eval-methods.ts";
import { writeReport } from "./eval-report.ts";
import { staticModelSource } from "./model-source.ts";
import { runEval } from "./run-eval.ts";

const items: EvalItem[] = [
  { id: "a", question: "What is 2+3?", answer: "5", answerType: "number", meta: {} },
  { id: "b", question: "What is 4+4?", answer: "8", answerType: "number", meta: {} },
  { id: "c", question: "What is 1/2 + 1/4?", answer: "0.75", answerType: "number", meta: {} },
];
const right: Record<string, string> = { "2+3": "5", "4+4": "8", "1/2 + 1/4": "\\frac{3}{4}" };

function model() {
  const key = (text: string) => Object.keys(right).find((k) => text.includes(k))!;
  return new ScriptedModel({
    id: "m",
    script: (request: GenerateRequest) => {
      const last = request.messages!.at(-1)!.content;
      if (request.maxTokens === 1) {
        // judge: P(yes) high when the solution holds the right answer
        const good = last.includes(`\\boxed{${right[key(last)]}}`);
        const yes = good ? -0.1 : -2.5;
        const no = good ? -2.5 : -0.1;
        return {
          generations: [
            {
              text: "Yes",
              finishReason: "stop" as const,
              logprobs: [
                {
                  token: "Yes",
                  logprob: yes,
                  top: [
                    { token: "Yes", logprob: yes },
                    { token: "No", logprob: no },
                  ],
                },
              ],
            },
          ],
        };
      }
      const q = key(last);
      if (request.prefill === "Step 1:" && request.temperature === 0.8) {
        // k = 4 samples: 3 right, 1 wrong
        return Array.from(
          { length: request.n ?? 1 },
          (_, i) => ` compute.\n\nStep 2: The answer is \\boxed{${i === 3 ? "7" : right[q]}}.`,
        );
      }
      if (request.prefill === "Step 1:")
        return ` compute.\n\nStep 2: The answer is \\boxed{${right[q]}}.`;
      return "Step 1: fine.";
    },
    score: (request) => {
      const good = !/boxed\{7\}/.test(String(request.prompt));
      const p = good ? 0.9 : 0.2;
      return [
        {
          token: request.continuation,
          logprob: Math.log(request.continuation === "+" ? p : 1 - p),
          top: [
            { token: "+", logprob: Math.log(p) },
            { token: "-", logprob: Math.log(1 - p) },
          ],
        },
      ];
    },
  });
}

describe("runEval", () => {
  it("runs MAgICoRe and baselines on the same items, sharing the initial samples", async () => {
    const m = model();
    const dir = mkdtempSync(join(tmpdir(), "chorus-eval-"));
    const run = Run.create({ dir: join(dir, "run"), config: {} });
    const names = ["magicore", "self-consistency", "rm-vote", "best-of-k", "cot"];
    const methods = await Promise.all(names.map(loadEvalMethod));
    const result = await runEval({
      methods,
      items,
      dataset: { name: "toy", split: "test", answerType: "number" },
      models: staticModelSource([m]),
      options: { k: 4, iterations: 1, maxTokens: 50 },
      seed: 7,
      run,
      concurrency: 2,
    });
    run.close();
    assert.equal(result.records.length, items.length * names.length);
    const solverCalls = m.calls.filter((c) => c.prefill === "Step 1:" && c.temperature === 0.8);
    assert.equal(
      solverCalls.length,
      items.length,
      "one k-sample call per item, shared by all methods",
    );
    for (const method of names) {
      const summary = result.report.methods.find((s) => s.method === method)!;
      assert.equal(summary.items, 3);
      assert.equal(
        summary.accuracy.mean,
        1,
        `${method} answers all three: ${JSON.stringify(result.records.filter((r) => r.method === method).map((r) => [r.prediction, r.gold]))}`,
      );
    }
    const sc = result.records.filter((r) => r.method === "self-consistency");
    assert.ok(sc.every((r) => r.usage.reusedCalls === 1 && r.usage.calls === 1));
    const mag = result.records.find((r) => r.method === "magicore" && r.itemId === "c")!;
    assert.equal(mag.prediction, "0.75");
    assert.ok(mag.usage.calls >= 1 + 4 + 8, "solver + 4 judge + PRM calls charged to the item");
    assert.equal((mag.details!["iterations"] as Array<{ hard: boolean }>)[0]!.hard, false);
    writeReport(run.dir, result.report);
    const md = readFileSync(join(run.dir, "report.md"), "utf8");
    assert.match(md, /\| magicore \| 100\.0 \|/);
    assert.ok(existsSync(join(run.dir, "report.json")));
    const lines = readFileSync(join(run.dir, "results.jsonl"), "utf8").trim().split("\n");
    assert.equal(lines.length, 15);

    // resume: nothing left to do, no new model calls
    const before = m.calls.length;
    const resumed = Run.resume(run.dir);
    const again = await runEval({
      methods,
      items,
      dataset: { name: "toy", split: "test", answerType: "number" },
      models: staticModelSource([m]),
      options: { k: 4, iterations: 1, maxTokens: 50 },
      seed: 7,
      run: resumed,
    });
    resumed.close();
    assert.equal(m.calls.length, before);
    assert.equal(again.records.length, 15);
  });

  it("records the items, and names each call's run item for batch methods as for runItem ones", async () => {
    const events: CallEvent[] = [];
    const m = wrapModel(new ScriptedModel({ id: "m", script: () => "5" }), {
      onCall: (e) => events.push(e),
    });
    const ask = (context: EvalContext, item: EvalItem) =>
      context.models.use("m", (model) =>
        model.generate({ prompt: item.question }).then((r) => r.generations[0]!.text),
      );
    // a batch method that asks one model for all items at once, charging each its share
    const batched: EvalMethod = {
      name: "batched",
      description: "",
      answerTypes: ["number"],
      runBatch: (all, context) =>
        Promise.all(
          all.map((item) =>
            context.forItem(item.id, async () => ({ prediction: await ask(context, item) })),
          ),
        ),
    };
    const single: EvalMethod = {
      name: "single",
      description: "",
      answerTypes: ["number"],
      runItem: async (item, context) =>
        context.forItem(item.id, async () => ({ prediction: await ask(context, item) })),
    };
    const run = Run.create({
      dir: join(mkdtempSync(join(tmpdir(), "chorus-eval-")), "run"),
      config: {},
    });
    const { records } = await runEval({
      methods: [batched, single],
      items,
      dataset: { name: "toy", split: "test", answerType: "number" },
      models: staticModelSource([m]),
      run,
    });
    run.close();
    assert.deepEqual(events.map((e) => e.item).sort(), [
      "batched/a",
      "batched/b",
      "batched/c",
      "single/a",
      "single/b",
      "single/c",
    ]);
    assert.deepEqual(
      records.map((r) => r.usage.calls),
      [1, 1, 1, 1, 1, 1],
      "each call charged to its own item",
    );
    const lines = readFileSync(join(run.dir, "items.jsonl"), "utf8").trim().split("\n");
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      items.map(({ id, question, answer, answerType }) => ({
        id,
        question,
        answer,
        answerType,
        meta: {},
      })),
    );
  });

  it("refuses a method that cannot handle the dataset's answers", async () => {
    const method = await loadEvalMethod("cot");
    await assert.rejects(
      runEval({
        methods: [method],
        items: [],
        dataset: { name: "x", split: "test", answerType: "none" },
        models: staticModelSource([model()]),
      }),
      /handles math\/number\/choice answers/,
    );
  });
});
