// Diagnostic behind docs/testbed.md (abacus-scratch-1m): where a worked-columns model's add, sub
// and chain solutions first leave the reference solution, on the build's skills items (greedy,
// eval seed 1). Each reference word is tagged with the part of the working it belongs to, and the
// first differing word's tag is counted (for chains, also the step it falls in).
// Usage: node --import tsx scripts/abacus-working-diagnostic.ts <model-name> <models-dir> [n]
import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { abacusProbeTokens } from "../src/testbed/abacus/abacus-answer.ts";
import { type AbacusConfig, abacusConfig } from "../src/testbed/abacus/abacus-config.ts";
import { abacusItems } from "../src/testbed/abacus/abacus-eval.ts";
import { greedyCompletion } from "../src/testbed/build/greedy-probe.ts";
import { shippedModel } from "../src/testbed/shipped-models.ts";

const [name, dir, nArg] = process.argv.slice(2);
if (!name || !dir)
  throw new Error("usage: abacus-working-diagnostic.ts <model-name> <models-dir> [n]");
const { path, record } = shippedModel(name, dir);
const world = abacusConfig(record.worldConfig as Partial<AbacusConfig>);
const model = await loadLlamaCppModel({ modelPath: path, threads: 1 });
const n = Number(nArg ?? 100);

/** One tag per word of a worked solution: which part of the working the word is. */
function tags(words: readonly string[]): string[] {
  const out: string[] = [];
  let part = "start";
  let equals = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "step" && /^\d$/.test(words[i + 1] ?? "")) part = "step header";
    else if (w === "answer" && words[i + 1] === ":") part = "final answer";
    else if (w === ":" && part === "step header") part = "expression";
    else if (w === ":" && part !== "final answer") part = "column operands";
    else if (w === "=" && part === "expression")
      part = ++equals === 1 ? "expression" : "operand values";
    else if (w === "=" && part === "column operands") part = "column digit";
    else if (w === "=" && part === "rests") part = "assignment";
    else if (w === "carry" || w === "borrow") part = "carry out";
    else if (w === ";") part = "answer so far";
    else if (w === "." && part === "answer so far") part = "rests";
    if (w === "step") equals = 0;
    out.push(part);
    if (part === "column digit" && w !== "=") part = "after digit";
  }
  return out;
}

for (const skill of ["add", "sub", "chain"] as const) {
  const items = abacusItems(1, n, world.chain, world.notation, world.working).filter(
    (it) => it.skill === skill,
  );
  const firstWrong = new Map<string, number>();
  const steps = new Map<string, number>();
  let exact = 0;
  for (const it of items) {
    const got = (await greedyCompletion(model, it.prompt, abacusProbeTokens(it)))
      .trim()
      .split(/\s+/);
    const gold = it.solution.trim().split(/\s+/);
    const at = gold.findIndex((w, i) => got[i] !== w);
    if (at < 0) {
      exact++;
      continue;
    }
    const tag = tags(gold)[at]!;
    firstWrong.set(tag, (firstWrong.get(tag) ?? 0) + 1);
    if (skill === "chain") {
      const step = gold
        .slice(0, at + 1)
        .filter((w, i, a) => w === "step" && /^\d$/.test(a[i + 1] ?? "")).length;
      const total = gold.filter((w, i, a) => w === "step" && /^\d$/.test(a[i + 1] ?? "")).length;
      const key = `step ${step} of ${total}`;
      steps.set(key, (steps.get(key) ?? 0) + 1);
    }
  }
  const sorted = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(" · ");
  console.log(
    `${skill}: ${items.length} items, reference working exact ${exact}; first wrong word: ${sorted(firstWrong)}`,
  );
  if (skill === "chain") console.log(`chain: first wrong step: ${sorted(steps)}`);
}
await model.close?.();
