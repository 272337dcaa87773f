// Diagnostic behind docs/mamm-refine.md (not the claim's run): one MAMM-Refine detector adapter
// trained with the pre-registered FULL recipe (1,600 pairs x 2 epochs), then its first answers at
// T 1 on 100 eval-seed-1 summaries: balanced accuracy and how often its evidence is the document's
// sentence on the relation (the copy the detector was trained to make).
// Usage: node --import tsx scripts/mamm-detector-check.ts det-1m|det-mini [out-dir]
import { mkdirSync } from "node:fs";
import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { type AtlasConfig, atlasConfig } from "../src/testbed/atlas/atlas-config.ts";
import { buildAtlasWorld } from "../src/testbed/atlas/atlas-world.ts";
import { adapterRecipes, trainAdapter } from "../src/testbed/demo/mamm-adapters.ts";
import { balancedAccuracy } from "../src/testbed/demo/mamm-claim.ts";
import { mammFullSettings } from "../src/testbed/demo/mamm-demo.ts";
import { evidenceFor } from "../src/testbed/demo/mamm-gold.ts";
import { summaryItems } from "../src/testbed/demo/mamm-items.ts";
import { atlasMammPrompts as P } from "../src/testbed/demo/mamm-prompts.ts";
import { shippedModel } from "../src/testbed/shipped-models.ts";

const name = process.argv[2] ?? "det-1m";
const out = process.argv[3] ?? "runs/mamm-detector-check";
const recipe = adapterRecipes.find((r) => r.name === name && r.role === "detector");
if (!recipe) throw new Error(`${name} is not a detector; use det-1m or det-mini`);
const { path, record } = shippedModel(recipe.base);
const world = buildAtlasWorld(atlasConfig(record.worldConfig as Partial<AtlasConfig>));
mkdirSync(out, { recursive: true });
const index = adapterRecipes.indexOf(recipe);
const trained = await trainAdapter(world, path, recipe, index, mammFullSettings.training, out);
console.log(JSON.stringify({ ...trained, adapter: undefined }));
const model = await loadLlamaCppModel({ modelPath: path, lora: [{ path: trained.adapter }] });
const rows: { gold: boolean[]; flagged: boolean[] }[] = [];
let sentences = 0;
let copied = 0;
let unparsed = 0;
for (const item of summaryItems(world, 1, "eval", 100)) {
  const flagged: boolean[] = [];
  for (const [i, s] of item.sentences.entries()) {
    const request = { prompt: P.detect(item.document, s.text), maxTokens: 48, temperature: 1 };
    const reply = await model.generate({ ...request, seed: 1000 + i, stop: [...(P.stop ?? [])] });
    const answer = P.parseAnswer(reply.generations[0]?.text ?? "", ["yes", "no"]);
    if (!answer) unparsed++;
    if (answer?.reasoning === evidenceFor(item, s)) copied++;
    flagged.push(answer?.answer === "no");
    sentences++;
  }
  rows.push({ gold: item.sentences.map((s) => !s.faithful), flagged });
}
const ba = balancedAccuracy(rows);
console.log(JSON.stringify({ name, ba, evidenceExact: copied / sentences, unparsed, sentences }));
await model.close?.();
