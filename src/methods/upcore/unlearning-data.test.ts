import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { sharedFile } from "../../evals/shared-dir.ts";
import { DataError, UsageError } from "../../model/index.ts";
import { evalSetSpec, loadRefusals, loadUnlearningSet, namedSetFile } from "./unlearning-data.ts";

const haveData =
  sharedFile("datasets", "counterfact_upcore", "cf_cluster_0.jsonl") &&
  sharedFile("datasets", "tofu_eval_sets", "idontknow.jsonl") &&
  sharedFile("datasets", "triviaqa_upcore", "tv_cluster_0.jsonl.gz");

test("the shared unlearning sets load in place with MANIFEST's counts", {
  skip: haveData ? false : "shared/datasets not found",
}, () => {
  const counts: Record<string, number> = {
    "counterfact:0": 452,
    "counterfact:0:parap": 452,
    "counterfact:0:jailbreak": 452,
    "counterfact:0:neigh": 1356,
    "counterfact:0:nneigh": 100,
    "tofu:real-authors": 100,
    "tofu:world-facts": 117,
    "triviaqa:0": 11891,
  };
  for (const [name, n] of Object.entries(counts))
    assert.equal(loadUnlearningSet(name).length, n, name);
  const forget = loadUnlearningSet("counterfact:0");
  assert.deepEqual(forget[0], {
    id: "0",
    question: "The headquarter of Monell Chemical Senses Center is located in",
    answer: "Philadelphia",
    paraphrasedAnswer: "Philadelphia",
    perturbedAnswers: ["Mumbai"],
  });
  // parap/jailbreak hold the same facts as the forget set, with other prompts
  const parap = loadUnlearningSet("counterfact:0:parap");
  assert.equal(parap[0]!.answer, "Philadelphia");
  assert.notEqual(parap[0]!.question, forget[0]!.question);
  const authors = loadUnlearningSet("tofu:real-authors");
  assert.deepEqual(authors[0]!.perturbedAnswers, [
    "Charles Dickens",
    "Virginia Woolf",
    "Mark Twain",
  ]);
  assert.equal(loadUnlearningSet("counterfact:0:nneigh")[0]!.paraphrasedAnswer, undefined);
  const trivia = loadUnlearningSet("triviaqa:0");
  assert.equal(trivia[0]!.answer, "Scorpio");
  // idontknow.jsonl is plain text: 100 refusals, the last line without a newline
  const refusals = loadRefusals();
  assert.equal(refusals.length, 100);
  assert.equal(refusals[0], "I'm not certain about that.");
});

test("names resolve to shared files; bad names and malformed records are clear errors", () => {
  assert.equal(namedSetFile("counterfact:3"), "counterfact_upcore/cf_cluster_3.jsonl");
  assert.equal(
    namedSetFile("counterfact:0:nneigh"),
    "counterfact_upcore/cf_cluster_0_nneigh.jsonl",
  );
  assert.equal(namedSetFile("triviaqa:0"), "triviaqa_upcore/tv_cluster_0.jsonl.gz");
  assert.equal(namedSetFile("tofu:world-facts"), "tofu_eval_sets/world_facts_perturbed.json");
  assert.equal(namedSetFile("forget.jsonl"), undefined);
  assert.throws(() => namedSetFile("counterfact:0:paraphrase"), UsageError);
  assert.throws(() => namedSetFile("tofu:retain"), /named sets: counterfact/);
  assert.throws(() => loadUnlearningSet("nope/forget.jsonl"), /no such file, and not a named set/);

  assert.deepEqual(evalSetSpec("nneigh", "counterfact:0"), {
    name: "nneigh",
    spec: "counterfact:0:nneigh",
    role: "retain",
  });
  assert.equal(evalSetSpec("parap", "counterfact:2").role, "forget");
  assert.equal(evalSetSpec("world-facts").spec, "tofu:world-facts");
  assert.equal(evalSetSpec("world-facts").role, "tofu");
  assert.deepEqual(evalSetSpec("mine=/x/y.jsonl"), {
    name: "mine",
    spec: "/x/y.jsonl",
    role: "retain",
  });
  assert.equal(evalSetSpec("/x/held_out.jsonl.gz").name, "held_out");
  assert.throws(() => evalSetSpec("parap", "forget.jsonl"), /needs --forget counterfact:<k>/);

  const dir = mkdtempSync(join(tmpdir(), "chorus-unlearn-data-"));
  try {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(
      bad,
      '{"question": "Q1", "answer": "A1"}\n\n{"question": "Q2", "perturbed_answer": ["x"]}\n',
    );
    assert.throws(
      () => loadUnlearningSet(bad),
      (e: Error) =>
        e instanceof DataError &&
        e.message.startsWith(`${bad}:3: missing field "answer"`) &&
        /each line needs \{"question": string, "answer": string\}/.test(e.message),
    );
    writeFileSync(bad, '{"question": "Q1", "answer": "A1", "perturbed_answer": [1, 2]}\n');
    assert.throws(
      () => loadUnlearningSet(bad),
      new RegExp(`${bad}:1: field "perturbed_answer" must be`),
    );
    writeFileSync(bad, '{"question": "Q1", "answer": "A1"}\nnot json\n');
    assert.throws(() => loadUnlearningSet(bad), new RegExp(`${bad}:2: not valid JSON`));
    const ok = join(dir, "ok.json");
    // a .json file of JSON Lines (as TOFU ships them), perturbed_answer as one string
    writeFileSync(ok, '{"question":"Q","answer":"A","perturbed_answer":"B","id":7}\n');
    assert.deepEqual(loadUnlearningSet(ok), [
      { id: "7", question: "Q", answer: "A", perturbedAnswers: ["B"] },
    ]);
    const refusals = join(dir, "idk.txt");
    writeFileSync(refusals, 'I do not know.\n\n"Quoted, with \\"escapes\\"."\n');
    assert.deepEqual(loadRefusals(refusals), ["I do not know.", 'Quoted, with "escapes".']);
    writeFileSync(refusals, "\n\n");
    assert.throws(() => loadRefusals(refusals), /no refusals; write one refusal sentence per line/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
