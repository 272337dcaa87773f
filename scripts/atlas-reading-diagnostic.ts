// Diagnostic behind docs/testbed.md (atlas-1m v2): on unseen-people reading items, accuracy with
// each question template (0–2 training, 3 held out) and how often the answer appears in the context.
// Usage: node --import tsx scripts/atlas-reading-diagnostic.ts [model-name] [models-dir]
import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { fill, questionTemplates } from "../src/testbed/atlas/atlas-templates.ts";
import { buildAtlasWorld } from "../src/testbed/atlas/atlas-world.ts";
import { readingItems } from "../src/testbed/atlas/knowledge-items.ts";
import { greedyCompletion } from "../src/testbed/build/greedy-probe.ts";
import { answerPhrase } from "../src/testbed/demo/context-items.ts";
import { shippedModel } from "../src/testbed/shipped-models.ts";

const name = process.argv[2] ?? "atlas-1m";
const { path, record } = shippedModel(name, process.argv[3]);
const world = buildAtlasWorld(record.worldConfig as never);
const model = await loadLlamaCppModel({ modelPath: path, threads: 2 });
const items = readingItems(world, 1, 1500)
  .filter((i) => i.set === "context-only")
  .slice(0, 120);
const rows: Record<string, number[]> = {};
for (const tpl of [0, 1, 2, 3]) {
  let ok = 0;
  let inCtx = 0;
  for (const it of items) {
    const q = fill(questionTemplates[it.relation as never][tpl]!, it.person);
    const a = answerPhrase(await greedyCompletion(model, `C: ${it.context} Q: ${q} A:`, 8));
    if (a === it.gold) ok++;
    if (a && it.context.toLowerCase().includes(` ${a} `)) inCtx++;
    if (tpl === 3 && ok + inCtx < 4)
      console.log(JSON.stringify({ ctx: it.context, q, a, gold: it.gold }));
  }
  rows[`template ${tpl}${tpl === 3 ? " (held out)" : ""}`] = [
    ok / items.length,
    inCtx / items.length,
  ];
}
console.log(
  `${name}: unseen-people reading, n=${items.length}: [accuracy, answer appears in context]`,
);
console.log(JSON.stringify(rows, null, 1));
await model.close?.();
