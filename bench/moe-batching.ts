/**
 * Symbolic-MoE batch inference vs per-instance loading: 40 questions, 4 local GGUF experts
 * (writer-generated random models in a temp dir), k = 3 recruited per question, a memory budget
 * that holds one expert at a time. Batched = the batch plan (each recruited model loaded once,
 * all its slots generated, then released); per-instance = each question's experts called in turn,
 * loading whatever is not resident. Prints model loads and wall time of both and the speed-up.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDataset } from "../src/evals/datasets/index.ts";
import { poolModelSource } from "../src/evals/pool-model-source.ts";
import { writeRandomModel } from "../src/gguf/index.ts";
import { SeededRandom } from "../src/math/seeded-random.ts";
import { buildBatchPlan, runBatchPlan } from "../src/methods/symbolic-moe/batch-plan.ts";
import { buildProfiles, globalCompetence } from "../src/methods/symbolic-moe/profiles.ts";
import { expertMessages } from "../src/methods/symbolic-moe/prompts.ts";
import { recruitExperts } from "../src/methods/symbolic-moe/recruit.ts";
import type { LanguageModel } from "../src/model/language-model.ts";
import { ModelPool } from "../src/runtime/model-pool.ts";

const questions = 40;
const k = 3;
const maxTokens = 8;
const dir = mkdtempSync(join(tmpdir(), "chorus-moe-bench-"));
try {
  const experts: string[] = [];
  for (let i = 0; i < 4; i++) {
    const path = join(dir, `expert-${i}.gguf`);
    // big enough that loading costs something, small enough for a 2-core CI box
    await writeRandomModel(path, {
      preset: "tiny",
      embeddingLength: 256,
      blockCount: 4,
      feedForwardLength: 512,
      vocabSize: 2048,
      seed: i + 1,
      name: `expert-${i}`,
    });
    experts.push(path);
  }
  const fileMB = statSync(experts[0]!).size / 2 ** 20;
  const items = await loadDataset("mmlu-pro", { limit: questions });

  // routing with the real recruitment function over a synthetic 2-skill world
  const keywords = items.map((_, i) => [i % 2 === 0 ? "algebra" : "biology"]);
  const correct = Object.fromEntries(
    experts.map((e, m) => [e, keywords.map((_, i) => (i + m) % 3 !== 0)]),
  );
  const profiles = buildProfiles(correct, keywords);
  const competence = globalCompetence(profiles);
  const rng = new SeededRandom(0);
  const recruitments = keywords.map(
    (words) => recruitExperts(words, profiles, competence, k, rng).experts,
  );

  const generate = async (model: LanguageModel, instance: number, slot: number) => {
    const item = items[instance]!;
    const r = await model.generate({
      messages: expertMessages(item.question, "choice"),
      temperature: 0.7,
      maxTokens,
      seed: instance * 10 + slot,
    });
    return r.generations[0]?.text ?? "";
  };
  const newPool = () => {
    // room for one expert: a pool larger than memory is served one model at a time
    const pool = new ModelPool({ memoryBudgetMB: fileMB * 1.5, cacheDir: join(dir, "cache") });
    const names = experts.map((e) => pool.addFromFlag(e));
    return { pool, names };
  };

  const batched = newPool();
  let started = performance.now();
  const plan = buildBatchPlan(recruitments);
  await runBatchPlan(
    plan,
    recruitments,
    poolModelSource(batched.pool, batched.names),
    (model, slot) => generate(model, slot.instance, slot.slot),
    1,
  );
  const batchedMs = performance.now() - started;
  const batchedLoads = batched.pool.counts.loads;
  await batched.pool.close();

  const perInstance = newPool();
  started = performance.now();
  for (const [instance, chosen] of recruitments.entries())
    for (const [slot, name] of chosen.entries())
      await perInstance.pool.use(name, (model) => generate(model, instance, slot));
  const perInstanceMs = performance.now() - started;
  const perInstanceLoads = perInstance.pool.counts.loads;
  await perInstance.pool.close();

  const distinct = new Set(recruitments.flat()).size;
  process.stdout.write(
    `experts: 4 × ${fileMB.toFixed(1)} MB, memory budget ${(fileMB * 1.5).toFixed(1)} MB; ${questions} questions × k=${k} = ${questions * k} expert calls, ${distinct} distinct experts recruited\n` +
      `batched:      ${batchedLoads} loads, ${(batchedMs / 1000).toFixed(2)} s\n` +
      `per-instance: ${perInstanceLoads} loads, ${(perInstanceMs / 1000).toFixed(2)} s\n` +
      `moe-batching: loads ${batchedLoads} vs ${perInstanceLoads}, wall ${(batchedMs / 1000).toFixed(2)} s vs ${(perInstanceMs / 1000).toFixed(2)} s, speed-up ${(perInstanceMs / batchedMs).toFixed(2)}x\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
