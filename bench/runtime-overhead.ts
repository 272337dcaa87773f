// What the runtime adds to each model call: middleware alone, cache misses (SQLite write) and
// hits, with events appended to a run folder. The inner model answers instantly, so the numbers
// are pure overhead. Usage: npm run bench -- runtime-overhead [calls]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CallCache } from "../src/runtime/call-cache.ts";
import { Run } from "../src/runtime/run.ts";
import { RunStats } from "../src/runtime/run-stats.ts";
import { TokenBudget } from "../src/runtime/token-budget.ts";
import { wrapModel } from "../src/runtime/wrap-model.ts";
import { ScriptedModel } from "../src/testing/scripted-model.ts";

const calls = Number(process.argv[3] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), "chorus-bench-"));
const inner = new ScriptedModel({ script: (request) => `answer to ${request.prompt}` });
const cache = new CallCache(join(dir, "calls.sqlite"));
const run = Run.create({ dir: join(dir, "run"), config: {} });
const stats = new RunStats();
const wrapped = wrapModel(inner, {
  cache,
  stats,
  budget: new TokenBudget(Number.MAX_SAFE_INTEGER),
  onCall: (event) => run.appendEvent(event),
});

async function timePerCall(label: string, call: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < calls; i++) await call(i);
  const us = ((performance.now() - started) * 1000) / calls;
  process.stderr.write(`${label.padEnd(28)} ${us.toFixed(1)} µs/call\n`);
  return us;
}

const prompt = (i: number) => `question ${i} ${"context ".repeat(50)}`;
const bare = await timePerCall("bare scripted model", (i) =>
  inner.generate({ prompt: prompt(i), temperature: 0 }),
);
const sampled = await timePerCall("wrapped, not cacheable", (i) =>
  wrapped.generate({ prompt: prompt(i), temperature: 1 }),
);
const miss = await timePerCall("wrapped, cache miss + write", (i) =>
  wrapped.generate({ prompt: prompt(i), temperature: 0 }),
);
const hit = await timePerCall("wrapped, cache hit", (i) =>
  wrapped.generate({ prompt: prompt(i), temperature: 0 }),
);
run.close();
cache.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  `runtime-overhead: ${calls} calls; overhead per call ${(sampled - bare).toFixed(1)} µs (events only), ` +
    `${(miss - bare).toFixed(1)} µs (cache miss + write), cache hit ${hit.toFixed(1)} µs`,
);
