// Diagnostic behind docs/laser.md (progress, 2026-12-04): the untrained policy's greedy answers
// to LASeR's 900 testbed test items, and how many trained policies' responses differ from them.
// Usage: node --import tsx scripts/laser-untrained-test.ts <laser --full run folder> [model.gguf]
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import {
  isRight,
  laserAbacusTestItems,
  laserSampleTokens,
} from "../src/testbed/demo/laser-abacus-items.ts";
import { laserFullSettings } from "../src/testbed/demo/laser-abacus-run.ts";

const [run, modelPath] = process.argv.slice(2);
if (!run) throw new Error("usage: laser-untrained-test.ts <run-dir> [model.gguf]");
const model = await loadLlamaCppModel({
  modelPath: modelPath ?? "models/abacus-1m.gguf",
  threads: 1,
});
const test = laserAbacusTestItems(1, laserFullSettings.testPerFamily);
const trained = new Map<string, Map<string, string>>();
for (const condition of [
  "laser",
  "random",
  "ensemble",
  "gold",
  "oracle",
  "single-list",
  "single-prog",
  "single-noise",
]) {
  const file = join(run, condition, "seed-1", "result.json");
  if (!existsSync(file)) continue;
  const lines = readFileSync(join(run, condition, "seed-1", "test.jsonl"), "utf8")
    .trim()
    .split("\n");
  trained.set(
    condition,
    new Map(
      lines
        .map((l) => JSON.parse(l) as { id: string; response: string })
        .map((r) => [r.id, r.response]),
    ),
  );
}
let right = 0;
const family = new Map<string, [number, number]>();
const differ = new Map<string, number>();
for (const item of test) {
  const r = await model.generate({
    prompt: item.prompt,
    temperature: 0,
    maxTokens: laserSampleTokens,
    stop: ["\nQ:"],
    seed: 0,
  });
  const text = r.generations[0]?.text ?? "";
  const ok = isRight(item, text);
  if (ok) right++;
  const f = family.get(item.family) ?? [0, 0];
  family.set(item.family, [f[0] + (ok ? 1 : 0), f[1] + 1]);
  for (const [c, responses] of trained)
    if (responses.get(item.id) !== text) differ.set(c, (differ.get(c) ?? 0) + 1);
}
console.log(
  `untrained greedy test: ${right}/${test.length} (${[...family].map(([k, [a, b]]) => `${k} ${a}/${b}`).join(", ")})`,
);
console.log(
  `responses differing from the untrained model's (seed 1): ${[...differ].map(([c, n]) => `${c} ${n}`).join(", ")}`,
);
await model.close?.();
