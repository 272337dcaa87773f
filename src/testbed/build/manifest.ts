import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ShippedModelRecord } from "../shipped-models.ts";
import type { AbacusChecks } from "./abacus-checks.ts";
import type { AtlasChecks } from "./atlas-checks.ts";

// An empty bucket's accuracy is NaN in memory and null once its record went through JSON.
const pct = (x: number | null) =>
  x === null || Number.isNaN(x) ? "—" : `${(100 * x).toFixed(1)}%`;

function atlasLines(checks: AtlasChecks | undefined): string[] {
  return [
    `- knowledge curve (closed-book accuracy by exposures, held-out template): ${curve(checks)}; all facts ${checks ? pct(checks.knowledgeAccuracy) : "—"}`,
    `- reading (held-out template, context given): known people ${checks ? pct(checks.reading.agreeing) : "—"}, unseen people ${checks ? pct(checks.reading.contextOnly) : "—"} (n ${checks?.reading.n ?? 0})`,
  ];
}

function abacusLines(checks: AbacusChecks | undefined): string[] {
  if (!checks) return ["- skills: not checked"];
  const perSkill = checks.skills.map((s) => `${s.skill} ${pct(s.accuracy)}`).join(" · ");
  return [
    `- skills (greedy, exact final answer; \`skills\` eval seed ${checks.evalSeed}, n ${checks.skills[0]?.n ?? 0} per skill): ${perSkill}; all ${pct(checks.accuracy)}`,
  ];
}

function curve(checks: AtlasChecks | undefined): string {
  if (!checks) return "not checked";
  return checks.knowledgeCurve
    .map((b) => `${b.min}–${Number.isFinite(b.max) ? b.max : "∞"}: ${pct(b.accuracy)} (n ${b.n})`)
    .join(" · ");
}

/** models/MANIFEST.md from every `<name>.json` record in `dir`. */
export function renderManifest(records: readonly ShippedModelRecord[]): string {
  const lines = [
    "# Shipped testbed models",
    "",
    "Pretrained from random init by chorus's own trainer on generated worlds (see docs/testbed.md);",
    "written by `chorus testbed build <name>`, which also writes the `<name>.json` record beside each",
    "file. No third-party weights. CI never rebuilds these; it builds the smoke world through the",
    "same path.",
    "",
  ];
  for (const r of records) {
    lines.push(
      `## ${r.name}`,
      "",
      `- file: \`${r.file}\` (${r.shape["type"]}), sha256 \`${r.sha256}\``,
      `- shape: ${r.shape["arch"]}, ${r.shape["layers"]} layers, d ${r.shape["dim"]}, ${r.shape["heads"]} heads (${r.shape["kvHeads"]} KV), ffn ${r.shape["ffn"]}, vocab ${r.shape["vocabSize"]}, ${(r.params / 1e6).toFixed(2)}M parameters`,
      `- world: ${r.world} seed ${String(r.worldConfig["seed"])}${r.variant ? `, variant ${r.variant}` : ""}, ${String(r.worldConfig["tokens"])} corpus words`,
      `- build: \`${r.build.command}\` on ${r.build.date}: ${r.build.tokens} training tokens, ${r.build.steps} steps, ${r.build.wallSeconds} s wall, ${r.build.gflops} GFLOP/s achieved, final loss ${r.build.finalLoss}`,
      ...(r.world === "abacus"
        ? abacusLines(r.checks as unknown as AbacusChecks | undefined)
        : atlasLines(r.checks as unknown as AtlasChecks | undefined)),
      "",
    );
  }
  return `${lines.join("\n")}`;
}

/** Rewrites `<dir>/MANIFEST.md` from the records there. */
export async function writeManifest(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
  const records: ShippedModelRecord[] = [];
  for (const n of names)
    records.push(JSON.parse(await readFile(join(dir, n), "utf8")) as ShippedModelRecord);
  await writeFile(join(dir, "MANIFEST.md"), renderManifest(records));
}
