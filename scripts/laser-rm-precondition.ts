/**
 * LASeR's testbed RM adapters and their precondition alone (docs/laser.md, "Amendment 2"): trains
 * RM_list and RM_prog on abacus-1m and measures each one's AUROC on held-out policy samples of its
 * own family, into `<dir>/rms/` (the same files `chorus demo laser --full` keeps; `--rms <dir>`
 * reuses them).
 *
 *   node --import tsx scripts/laser-rm-precondition.ts <dir> [model.gguf=models/abacus-1m.gguf]
 */
import { trainLaserRms } from "../src/testbed/demo/laser-abacus-rm-train.ts";

const [dir, model] = process.argv.slice(2);
if (!dir) throw new Error("usage: laser-rm-precondition.ts <dir> [model.gguf]");
const started = performance.now();
const r = await trainLaserRms(model ?? "models/abacus-1m.gguf", dir, {
  threads: 1,
  stage: (line) => console.error(`laser-rms: ${line}`),
});
for (const rm of Object.values(r.rms))
  console.log(
    `rm-${rm.family}: ${rm.examples} examples (${rm.positives} +), ${rm.steps} steps, loss ${rm.firstLoss.toFixed(3)} → ${rm.loss.toFixed(3)}, ${rm.seconds.toFixed(0)} s · held-out ${rm.heldout.samples} samples (${rm.heldout.right} right): AUROC ${rm.heldout.auroc.toFixed(3)}${rm.heldout.ci ? ` [${rm.heldout.ci.low.toFixed(3)}, ${rm.heldout.ci.high.toFixed(3)}] (95% CI over prompts)` : ""} → ${rm.heldout.pass ? "pass" : "MISS"}`,
  );
console.log(
  `RM precondition (AUROC ≥ ${r.settings.minAuroc} each): ${r.pass ? "pass" : "FAILED"} · wall ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
