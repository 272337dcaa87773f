import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { abacusItems } from "../../testbed/abacus/abacus-eval.ts";
import { AbacusTask, abacusPrompt } from "./abacus-task.ts";
import { CopyErrorsAgent } from "./copy-errors-agent.ts";
import { GymEnvironment } from "./environment.ts";
import { runEpisode } from "./episode.ts";
import { LlmDataEngine } from "./llm-engine.ts";
import { LoraStudent } from "./lora-student.ts";
import { OpenEndedAgent } from "./open-ended-agent.ts";
import type { TrainingDatum } from "./types.ts";

// Real local models: stories260K (a 260K-parameter llama) as the student, trained with LoRA
// through the trainer's session API, and as a JSON-schema teacher on the llamacpp engine.
const stories = new URL("../../../../shared/models/stories260K.gguf", import.meta.url).pathname;
const skip = existsSync(stories) ? false : `no ${stories} (the shared models folder)`;
const dir = await mkdtemp(join(tmpdir(), "chorus-gym-e2e-"));
after(() => rm(dir, { recursive: true, force: true }));

/** Four short Abacus problems the 260K story model cannot answer. */
const items = abacusItems(1, 3)
  .filter((x) => x.skill === "max" || x.skill === "reverse")
  .slice(1, 5);
const task = new AbacusTask("abacus-4", items);

const studentOptions = {
  lora: { rank: 4, alpha: 8, targets: ["attn_q", "attn_v", "attn_output", "ffn_down"], seed: 1 },
  lr: 1e-2,
  epochs: 25,
  batchSize: 1,
  gradientAccumulation: 1,
  // stories260K never saw EOS; the scorer stops at the answer's closing " ."
  appendEos: false,
  maxTokens: 30,
  prompt: abacusPrompt,
  seed: 1,
};

test("a LoRA student retrained from the base on the accumulated data learns what the teacher gave it", {
  skip,
}, async () => {
  const student = await LoraStudent.load(stories, studentOptions);
  const trained: number[] = [];
  const train = student.train.bind(student);
  student.train = async (data: readonly TrainingDatum[]) => {
    trained.push(data.length);
    await train(data);
  };
  try {
    const env = new GymEnvironment({ validation: task, student });
    const { records } = await runEpisode({
      env,
      agent: new CopyErrorsAgent(task, 2),
      cycles: 2,
      dir: join(dir, "copy"),
    });
    assert.deepEqual(trained, [2, 4], "the full accumulated list each time");
    const acc = records.map((r) => r.validation.accuracy);
    assert.equal(acc[0], 0, `untrained: ${JSON.stringify(records[0]!.validation)}`);
    assert.ok(acc[1]! >= 0.5 && acc[2]! >= 0.75, `accuracy per cycle ${acc}`);
    assert.deepEqual(
      records[2]!.validation.slices.map((s) => s.name),
      ["max", "reverse"],
    );
    // from the base each time: the same data twice give the same adapter
    await train([...env.accumulated]);
    const once = student.trainable.snapshot().hash;
    await train([...env.accumulated]);
    assert.equal(student.trainable.snapshot().hash, once);
  } finally {
    await student.close();
  }
});

test("a local model under a JSON-schema grammar is the open-ended teacher; its data train the student", {
  skip,
}, async () => {
  const teacher = await loadLlamaCppModel({ modelPath: stories, contextSize: 4096, gpu: false });
  const student = await LoraStudent.load(stories, { ...studentOptions, epochs: 2 });
  const log: Array<{ asked: number; got: number; dropped?: string }> = [];
  try {
    const engine = new LlmDataEngine(teacher, task, {
      maxFieldChars: 24,
      maxTokens: 400,
      temperature: 0,
      backoffMs: 0,
      log: (e) => log.push(e),
    });
    const agent = new OpenEndedAgent(engine, task.instances, { budget: 4, perCall: 2, seed: 1 });
    const { records, data } = await runEpisode({
      env: new GymEnvironment({ validation: task, student }),
      agent,
      cycles: 1,
    });
    assert.deepEqual(
      log.filter((e) => !e.dropped).map((e) => e.asked),
      [2, 2],
      `teacher calls: ${JSON.stringify(log)}`,
    );
    assert.equal(
      data.length,
      log.reduce((a, e) => a + e.got, 0),
      "the actual count is logged",
    );
    assert.ok(data.length > 0, "the grammar keeps the replies parseable");
    for (const d of data) {
      assert.ok(d.instruction.length <= 24);
      assert.match(d.response, / \.$/, "the Abacus target format");
    }
    assert.deepEqual(records[1]!.generated, [data.length]);
  } finally {
    await teacher.close?.();
    await student.close();
  }
});
