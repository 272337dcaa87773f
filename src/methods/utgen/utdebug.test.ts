import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { GenerateRequest } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import type { DebugTask } from "./debug-task.ts";
import { selfConsistentOutput } from "./generate-unit-tests.ts";
import { runHiddenTests } from "./hidden-tests.ts";
import { scoreUnitTests } from "./intrinsic-metrics.ts";
import { majorityVote } from "./majority-vote.ts";
import { ModelCalls } from "./model-calls.ts";
import { UtHarness } from "./ut-harness.ts";
import { utDebug } from "./utdebug.ts";
import { resolveUtDebugConfig } from "./utdebug-config.ts";

// The spec's acceptance task (section 7): sum a list; the buggy code skips the last element.
const gold = "def total(xs):\n    return sum(xs)\n";
const buggy = "def total(xs):\n    return sum(xs[:-1])\n";
const task: DebugTask = {
  id: "total",
  language: "python",
  description: "Return the sum of a list of integers.",
  codePrompt: 'def total(xs):\n    """Return the sum of a list of integers."""\n',
  signature: "total(xs: list[int]) -> int",
  entryPoint: "total",
  buggyCode: buggy,
  goldCode: gold,
  hiddenTest: "assert total([1, 2, 3]) == 6\nassert total([]) == 0\nassert total([7]) == 7\n",
};
const harness = new UtHarness();

function utResponse(input: string): string {
  return `### Hypothesis
The loop may skip the last element.
Error Pattern: off-by-one

### Unit Test
#### Input Arguments
A short list shows it.
Arguments:
\`\`\`
total(${input})
\`\`\`

### Output
A correct total adds every element.
Output:
\`\`\`
999
\`\`\`
`;
}

const continuation = (output: string) =>
  `### Output\nAdding every element gives it.\nOutput:\n\`\`\`\n${output}\n\`\`\`\n`;

type Kind = "ut" | "sc" | "debug";
function kindOf(request: GenerateRequest): Kind {
  if (request.prefill !== undefined) return "sc";
  return request.messages?.[0]?.content.includes("unit test") ? "ut" : "debug";
}

/**
 * A scripted UTGen + debugger: UT inputs are served from a queue; SC votes answer `outputs[input]`
 * (default: the true sum) 8 times; the debugger replies from a queue.
 */
function scriptedPair(setup: {
  inputs: string[];
  outputs?: Record<string, string>;
  replies: string[];
}) {
  const inputs = [...setup.inputs];
  const replies = [...setup.replies];
  const log: Kind[] = [];
  const model = new ScriptedModel({
    script: (request) => {
      const kind = kindOf(request);
      log.push(kind);
      if (kind === "ut") return utResponse(inputs.shift() ?? "[0]");
      if (kind === "sc") {
        const input = /total\((.*)\)\n/.exec(request.prefill!)![1]!;
        const xs = JSON.parse(input) as number[];
        const output = setup.outputs?.[input] ?? String(xs.reduce((a, b) => a + b, 0));
        return Array.from({ length: request.n ?? 1 }, () => continuation(output));
      }
      const reply = replies.shift();
      if (reply === undefined) throw new Error("unexpected debugger call");
      return `Here is the fix.\n\`\`\`python\n${reply}\`\`\`\n`;
    },
  });
  return { model, log };
}

/** Which kinds of calls each round made, from the call log split at debugger calls. */
function callsPerRound(log: Kind[]): Kind[][] {
  const rounds: Kind[][] = [[]];
  for (const kind of log) {
    if (kind === "debug") rounds.push([]);
    rounds.at(-1)!.push(kind);
  }
  return rounds;
}

describe("UTGen + UTDebug acceptance (spec section 7)", () => {
  test("T1: intrinsic metrics count attack, output accuracy and their intersection", async () => {
    const { verdicts, scores } = await scoreUnitTests(harness, task, [
      { input: "[1, 2, 3]", output: "6" },
      { input: "[]", output: "0" },
      { input: "[1, 2, 3]", output: "5" },
      undefined,
    ]);
    assert.deepEqual(verdicts.slice(0, 3), [
      { valid: true, attack: true, outputCorrect: true },
      { valid: true, attack: false, outputCorrect: true },
      { valid: true, attack: true, outputCorrect: false },
    ]);
    assert.equal(verdicts[3], undefined);
    assert.deepEqual(
      {
        total: scores.total,
        attack: scores.attack,
        acc: scores.outputCorrect,
        both: scores.accAttack,
      },
      { total: 4, attack: 2, acc: 2, both: 1 },
    );
    assert.equal(scores.accAttackRate, 0.25);
  });

  test("T2: the SC vote needs >= 4 of the 8 requested votes", async () => {
    const u = undefined;
    assert.deepEqual(majorityVote(["6", "6", "6", "6", "5", u, "6", "7"], 8, 0.5), {
      accepted: true,
      key: "6",
      index: 0,
      count: 5,
      threshold: 4,
    });
    assert.equal(majorityVote(["6", "6", "6", "5", "5", "5", "7", u], 8, 0.5).accepted, false);
    assert.equal(majorityVote(["6", "6", "6", "6", u, u, u, u], 8, 0.5).accepted, true);
    assert.equal(majorityVote(["6", "6", "6", u, u, u, u, u], 8, 0.5).accepted, false);
  });

  test("T2 end to end: unparsable continuations count against the threshold", async () => {
    const replies = [
      [
        continuation("6"),
        continuation("6"),
        continuation("6"),
        "no output here",
        "Output: `(`",
        continuation("5"),
        continuation("7"),
        "",
      ],
      [
        continuation("6"),
        continuation("6"),
        continuation("6"),
        continuation("6"),
        "x",
        "x",
        "x",
        "x",
      ],
    ];
    const model = new ScriptedModel({ script: replies });
    const context = {
      model,
      harness,
      calls: new ModelCalls(0),
      config: resolveUtDebugConfig(),
    };
    const messages = [{ role: "user" as const, content: "write a unit test" }];
    assert.equal(await selfConsistentOutput(context, messages, utResponse("[1, 2, 3]")), undefined);
    assert.deepEqual(await selfConsistentOutput(context, messages, utResponse("[1, 2, 3]")), {
      output: "6",
      votes: 4,
    });
    // the continuation starts at the Output header; 8 samples requested in one call
    assert.ok(model.calls[0]!.prefill!.trimEnd().endsWith("```"));
    assert.ok(!model.calls[0]!.prefill!.includes("### Output"));
    assert.equal(model.calls[0]!.n, 8);
  });

  test("T3: back-tracking rejects a strictly worse edit and accepts ties and improvements", async () => {
    // round-0 UTs [4]->4, [1,2,3]->6, [0,0]->0: the buggy code passes 1/3
    const { model, log } = scriptedPair({
      inputs: ["[4]", "[1, 2, 3]", "[0, 0]", "[9]", "[8]", "[7]", "[6]", "[5]", "[3]"],
      replies: [
        "def total(xs):\n    return -1\n", // 0/3 on U_prev -> rejected
        "def total(xs):\n    return 0\n", // 1/3 = p_prev -> accepted (tie)
        gold, // accepted
      ],
    });
    const result = await utDebug(
      task,
      { utgen: model, debugger: model },
      { rounds: 3 },
      { harness },
    );
    const [r0, r1, r2, r3] = result.rounds;
    assert.equal(r0!.verdicts.filter((v) => v.verdict === "pass").length, 1);
    assert.equal(r1!.accepted, false);
    assert.deepEqual(r1!.validation, { candidate: 0, previous: 1 / 3 });
    assert.equal(r1!.code, buggy);
    assert.equal(r2!.accepted, true, "a tie is accepted");
    assert.equal(r2!.regenerated, false, "no new UTs after a rejected edit");
    assert.equal(r2!.code, "def total(xs):\n    return 0\n");
    assert.equal(r3!.accepted, true);
    assert.equal(result.finalCode, gold);
    const perRound = callsPerRound(log);
    assert.ok(perRound[1]!.includes("ut"), "UTs regenerated for round 1's candidate");
    assert.ok(!perRound[2]!.includes("ut"), "UTs not regenerated after the rejection");
    // the rejected reply and its feedback never entered the chat
    assert.ok(!result.history.some((m) => m.content.includes("return -1")));
  });

  test("T4: feedback shows only the first failing UT", async () => {
    const { model } = scriptedPair({
      inputs: ["[4]", "[1, 2, 3]", "[5, 5]"],
      replies: [],
    });
    const result = await utDebug(
      task,
      { utgen: model, debugger: model },
      { rounds: 0 },
      { harness },
    );
    assert.equal(
      result.rounds[0]!.verdicts.every((v) => v.verdict === "fail"),
      true,
    );
    const feedback = result.history.at(-1)!;
    assert.equal(feedback.role, "user");
    assert.match(feedback.content, /Input: total\(\[4\]\)/);
    assert.match(feedback.content, /Output of the code: 0\n/);
    assert.match(feedback.content, /Expected output: 4\n/);
    assert.ok(!feedback.content.includes("[1, 2, 3]") && !feedback.content.includes("[5, 5]"));
  });

  test("T5: a good edit is accepted, fresh UTs all pass, the loop stops after round 1", async () => {
    const { model, log } = scriptedPair({
      inputs: ["[1, 2, 3]", "[4]", "[5, 5]", "[2, 2]", "[1]", "[3, 4]"],
      replies: [gold, "def total(xs):\n    return 0\n"],
    });
    const result = await utDebug(task, { utgen: model, debugger: model }, {}, { harness });
    assert.equal(result.rounds.length, 2);
    assert.equal(result.rounds[1]!.accepted, true);
    assert.equal(result.rounds[1]!.regenerated, true);
    assert.equal(result.rounds[1]!.stopped, true);
    assert.equal(log.filter((k) => k === "debug").length, 1, "no round-2 debugger call");
    assert.equal(result.finalCode, gold);
    assert.equal((await runHiddenTests(task, result.finalCode)).pass, true);
    assert.equal((await runHiddenTests(task, buggy)).pass, false);
  });

  test("T6: back-tracking undoes an edit that overfits a wrong UT", async () => {
    const correct = { ...task, buggyCode: gold };
    const { model } = scriptedPair({
      inputs: ["[1, 2, 3]", "[4]", "[5, 5]", "[2]", "[3]", "[6]"],
      outputs: { "[1, 2, 3]": "7" },
      replies: ["def total(xs):\n    return sum(xs) + 1\n"],
    });
    const result = await utDebug(
      correct,
      { utgen: model, debugger: model },
      { rounds: 1 },
      { harness },
    );
    const feedback = result.history[2]!.content;
    assert.match(feedback, /Input: total\(\[1, 2, 3\]\)/);
    assert.match(feedback, /Expected output: 7/);
    assert.equal(result.rounds[1]!.accepted, false);
    assert.deepEqual(result.rounds[1]!.validation, { candidate: 1 / 3, previous: 2 / 3 });
    assert.equal(result.finalCode, gold, "restored byte for byte");
    assert.equal((await runHiddenTests(correct, result.finalCode)).pass, true);
  });

  test("stop at round 0 when the given code passes every UT: no debugger call", async () => {
    const { model, log } = scriptedPair({ inputs: ["[1]", "[2, 3]", "[4]"], replies: [] });
    const result = await utDebug(
      { ...task, buggyCode: gold },
      { utgen: model, debugger: model },
      {},
      { harness },
    );
    assert.equal(result.rounds.length, 1);
    assert.equal(result.rounds[0]!.stopped, true);
    assert.ok(!log.includes("debug"));
  });

  test("oracle outputs (upper bound) come from the gold code, with no SC votes", async () => {
    const { model, log } = scriptedPair({
      inputs: ["[1, 2, 3]", "[4]", "[5, 5]"],
      outputs: { "[1, 2, 3]": "7" },
      replies: [],
    });
    const result = await utDebug(
      task,
      { utgen: model, debugger: model },
      { rounds: 0, oracleOutputs: true },
      { harness },
    );
    assert.deepEqual(
      result.rounds[0]!.tests.map((t) => [t.input, t.output]),
      [
        ["[1, 2, 3]", "6"],
        ["[4]", "4"],
        ["[5, 5]", "10"],
      ],
    );
    assert.ok(!log.includes("sc"));
  });
});
