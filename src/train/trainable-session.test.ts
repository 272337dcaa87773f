import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeRandomModel } from "../gguf/random-model.ts";
import { DataError } from "../model/errors.ts";
import { parseDpoRecords, tokenizeDpo } from "./data.ts";
import { Trainable } from "./trainable.ts";

const dir = await mkdtemp(join(tmpdir(), "chorus-session-"));
after(() => rm(dir, { recursive: true, force: true }));
const path = join(dir, "chatml.gguf");
await writeRandomModel(path, { chatml: true, seed: 3 });

const user = (content: string) => ({ role: "user" as const, content });
const assistant = (content: string) => ({ role: "assistant" as const, content });

test("conversational DPO lines: explicit and implicit prompts tokenize alike, supervising only the reply and its <|im_end|>", async () => {
  const t = await Trainable.load(path);
  try {
    const rows = parseDpoRecords([
      {
        record: {
          prompt: [user("Pick one")],
          chosen: [assistant("red")],
          rejected: [assistant("blue")],
        },
        line: 1,
      },
      {
        record: {
          chosen: [user("Pick one"), assistant("red")],
          rejected: [user("Pick one"), assistant("blue")],
        },
        line: 2,
      },
    ]);
    assert.deepEqual(rows[1]!.record, rows[0]!.record);
    const [a, b] = await tokenizeDpo(t.tokenizer, rows, { maxLength: 64 });
    assert.deepEqual(a, b);
    for (const [e, reply] of [
      [a!.chosen, "red"],
      [a!.rejected, "blue"],
    ] as const) {
      assert.equal(e.tokens.at(-1), t.tokenizer.eot);
      assert.match(
        t.tokenizer.detokenize(e.tokens.slice(e.start)),
        new RegExp(`^\\s*${reply}\\s*$`),
      );
      assert.doesNotMatch(t.tokenizer.detokenize(e.tokens.slice(0, e.start)), new RegExp(reply));
    }
    assert.deepEqual(
      a!.chosen.tokens.slice(0, a!.chosen.start),
      a!.rejected.tokens.slice(0, a!.rejected.start),
    );
  } finally {
    await t.close();
  }
});

test("bad conversational DPO lines: one error naming the line, the field and the fix", () => {
  const bad = (record: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseDpoRecords([{ record, line: 7 }], "prefs.jsonl"),
      (e: unknown) =>
        e instanceof DataError && /prefs\.jsonl:7: /.test(e.message) && pattern.test(e.message),
    );
  bad(
    { prompt: "Pick one", chosen: [assistant("red")], rejected: [assistant("blue")] },
    /"prompt" must be a list of \{"role","content"\} messages/,
  );
  bad(
    { chosen: [user("a"), assistant("b")], rejected: [user("a"), assistant("b")] },
    /"chosen" has no reply turns .* must differ/,
  );
  bad({ chosen: [user("a")], rejected: [user("b")] }, /no prompt turns: give "prompt"/);
  bad(
    { prompt: [user("a")], chosen: [user("b"), assistant("c")], rejected: [assistant("d")] },
    /"chosen" reply must be assistant turns only .*move shared turns into "prompt"/,
  );
  bad(
    { prompt: [user("a")], chosen: [{ role: "bot", content: "x" }], rejected: [assistant("d")] },
    /chosen\[0\] must be \{"role": "system"\|"user"\|"assistant"/,
  );
});

test("session loop: SFT steps, snapshot, DPO against the snapshot (first loss ln 2, own cache file), restore, reset", async () => {
  const t = await Trainable.load(path, { lora: { rank: 4, alpha: 8, seed: 5 } });
  try {
    const data = join(dir, "sft.jsonl");
    await writeFile(
      data,
      `${JSON.stringify({ messages: [user("Color?"), assistant("red")] })}\n${JSON.stringify({ prompt: "Sky:", completion: " blue" })}\n`,
    );
    const s = t.session({ lr: 1e-2, totalSteps: 12, warmupSteps: 1, batchSize: 2, seed: 1 });
    const sft = await s.sft(data, { steps: 6 });
    assert.ok(sft.losses.at(-1)! < sft.losses[0]!, `SFT loss ${sft.losses}`);
    const logProb = () => t.logProb("Sky:", " blue");
    const trained = await logProb();

    const policy = t.snapshot();
    const pairs = [
      { prompt: [user("Pick one")], chosen: [assistant("red")], rejected: [assistant("blue")] },
      { prompt: "Sky:", chosen: " blue", rejected: " green" },
    ];
    const cacheDir = join(dir, "ref");
    const dpo = await s.dpo(pairs, { steps: 6, beta: 0.5, reference: policy, cacheDir });
    assert.equal(s.step, 12);
    // The policy equals its reference at the first step: every margin is 0 (up to float32 rounding
    // between the batched training forward and the scoring pass).
    assert.ok(Math.abs(dpo.losses[0]! - Math.LN2) < 1e-6, `first DPO loss ${dpo.losses[0]}`);
    assert.ok(dpo.losses.at(-1)! < dpo.losses[0]!);
    assert.deepEqual(await readdir(cacheDir), [`${await t.modelHash()}-${policy.hash}.jsonl`]);
    assert.notEqual(await logProb(), trained);

    t.restore(policy);
    assert.equal(t.snapshot().hash, policy.hash);
    assert.equal(await logProb(), trained);
    // The default reference (the weights as loaded) differs from the trained policy.
    const base = await t.reference();
    assert.notEqual((await base.sums([t.encode("Sky:", " blue")]))[0], trained);

    t.reset();
    for (const a of t.adapters) assert.ok(a.b.data.every((x) => x === 0));
    const fresh = await Trainable.load(path, { lora: { rank: 4, alpha: 8, seed: 5 } });
    try {
      assert.equal(t.snapshot().hash, fresh.snapshot().hash);
      assert.equal(await logProb(), await fresh.logProb("Sky:", " blue"));
    } finally {
      await fresh.close();
    }
  } finally {
    await t.close();
  }
});
