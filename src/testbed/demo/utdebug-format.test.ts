import assert from "node:assert/strict";
import { test } from "node:test";
import { intrinsicEval } from "../../methods/utgen/intrinsic-metrics.ts";
import { utDebug } from "../../methods/utgen/utdebug.ts";
import type { GenerateRequest } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { parseProgram } from "../abacus/prog-dsl.ts";
import { ProgHarness } from "./utdebug-dsl-harness.ts";
import { progFormat } from "./utdebug-format.ts";
import { hiddenPasses, type ProgDebugTask, progDebugTask } from "./utdebug-tasks.ts";

const task: ProgDebugTask = {
  id: "t",
  gold: parseProgram("map ( + 1 ) | keep ( even )")!,
  buggy: parseProgram("map ( + 1 ) | keep ( odd )")!,
  perturbation: "parity",
  spec: "plus one each , keep even ones",
  hidden: [
    [1, 3],
    [2, 4],
    [1, 2],
  ],
  buggyPasses: 0,
};
const debugTask = progDebugTask(task);

test("the world-words format reads UT answers and debugger replies", () => {
  const answer =
    " 1 , 3 . A: code : map ( + 1 ) | keep ( even ) . trace : 2 , 4 ; 2 , 4 . output : 2 , 4 .";
  assert.equal(progFormat.parseInput(answer, "program"), "1 , 3");
  assert.equal(progFormat.cutBeforeOutput(answer), " 1 , 3 .");
  assert.equal(progFormat.parseOutput(answer), "2 , 4");
  assert.equal(progFormat.parseOutput(" 1 , 3 . A: code :"), undefined);
  assert.equal(progFormat.extractCode(" code : sort | take ( 2 ) ."), "sort | take ( 2 )");
  assert.deepEqual(
    progFormat.request(progFormat.unitTestPrompt(debugTask, "sort", "adversarial"), " 5 ."),
    {
      prompt: "Q: spec : plus one each , keep even ones . code : sort . input : 5 .",
      stop: ["\n", "Q:"],
    },
  );
  assert.equal(
    progFormat.request(progFormat.unitTestPrompt(debugTask, "sort", "random")).prompt,
    "Q: spec : plus one each , keep even ones . input :",
  );
});

const promptOf = (r: GenerateRequest) => r.prompt ?? "";

test("utDebug runs on prog code through the DSL harness and the world-words prompts", async () => {
  // the UT model: one failing input; its votes continue the answer with gold's output
  const utgen = new ScriptedModel({
    script: (request) => {
      const p = promptOf(request);
      assert.ok(!/[A-Z]{2,}|```/.test(p), `world words only: ${p}`);
      if (p.endsWith("input :")) return " 1 , 3 . A: code : x . output : 9 .";
      return Array.from(
        { length: request.n ?? 1 },
        () => " A: code : x . trace : 2 , 4 . output : 2 , 4 .",
      );
    },
  });
  const debuggerModel = new ScriptedModel({
    script: () => " code : map ( + 1 ) | keep ( even ) .",
  });
  const result = await utDebug(
    debugTask,
    { utgen, debugger: debuggerModel },
    { nUts: 1, rounds: 2, votes: 4, patience: 1, attemptsFactor: 1 },
    { harness: new ProgHarness(), format: progFormat },
  );
  assert.equal(result.finalCode, "map ( + 1 ) | keep ( even )");
  assert.deepEqual(
    result.rounds[0]!.tests.map((t) => [t.input, t.output, t.votes]),
    [["1 , 3", "2 , 4", 4]],
  );
  assert.deepEqual(result.rounds[0]!.verdicts, [{ verdict: "fail", actual: "empty" }]);
  // the debugger saw the failing test in the world's words
  assert.equal(
    promptOf(debuggerModel.calls[0]!),
    "Q: spec : plus one each , keep even ones . code : map ( + 1 ) | keep ( odd ) . input : 1 , 3 . code output : empty . spec output : 2 , 4 . A:",
  );
  assert.equal(result.rounds.at(-1)!.stopped, true);
  assert.equal(hiddenPasses(task.gold, parseProgram(result.finalCode)!, task.hidden), 3);
});

test("intrinsic metrics score prog UTs: an attacking right UT, an invalid input, a wrong output", async () => {
  const replies = [
    " 1 , 3 . A: output : 2 , 4 .", // buggy gives empty: attacks, right
    " 1 2 , 4 . A: output : empty .", // 12 is not a digit: invalid, counts as nothing
    " 1 , 3 . A: output : 7 .", // attacks, wrong output
  ];
  const model = new ScriptedModel({ script: (_r, i) => replies[i]! });
  const { scores } = await intrinsicEval(debugTask, model, new ProgHarness(), {
    nUts: 3,
    format: progFormat,
  });
  assert.equal(scores.attack, 2);
  assert.equal(scores.outputCorrect, 1);
  assert.equal(scores.accAttack, 1);
});
