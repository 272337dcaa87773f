import { bootstrapMean } from "../evals/bootstrap.ts";
import { UsageError } from "../model/errors.ts";
import type { RunIndex } from "./run-index.ts";
import type { ComparePair, CompareSide, CompareView, ItemRow } from "./shared/view-data.ts";

/**
 * `steered (fingerprint…, layer …)` for a method of a run made with `--steer`, from its
 * config.json; `chorus steer eval` runs list the methods that are steered (`steered`, not
 * `unsteered`).
 */
export function steerLabel(run: RunIndex, method: string): string {
  const steer = ((run.summary().config as { config?: { steer?: unknown } } | null)?.config?.steer ??
    null) as {
    fingerprint?: string;
    site?: unknown;
    attributes?: string[];
    methods?: string[];
  } | null;
  if (!steer || (Array.isArray(steer.methods) && !steer.methods.includes(method))) return "";
  const site = JSON.stringify(steer.site ?? null);
  return `steered (${String(steer.fingerprint ?? "?").slice(0, 12)}, site ${site}${steer.attributes ? `, ${steer.attributes.join("/")}` : ""})`;
}

const scoreOf = (row: ItemRow) => row.score ?? (row.correct === null ? null : row.correct ? 1 : 0);

function flip(a: ItemRow, b: ItemRow): ComparePair["flip"] {
  if (a.correct !== null && b.correct !== null && a.correct !== b.correct)
    return b.correct ? "gained" : "lost";
  return scoreOf(a) !== scoreOf(b) ? "changed" : null;
}

const side = (row: ItemRow) => ({
  n: row.n,
  score: row.score,
  correct: row.correct,
  prediction: row.prediction,
});

/**
 * Pairs method `a.method` of run `a.run` with `b.method` of `b.run` on the item ids both finished
 * (the last line of an item wins, as a resumed run's report counts it): flips first, Δ of the
 * scores with report.json's paired bootstrap, seeded by run A's report (else 0).
 * @throws UsageError when a side has no lines.
 */
export function compareRuns(
  a: { run: RunIndex; method: string },
  b: { run: RunIndex; method: string },
): CompareView {
  const lines = (s: { run: RunIndex; method: string }) => {
    const byItem = new Map<string, ItemRow>();
    for (const row of s.run.rows) if (row.method === s.method) byItem.set(row.itemId, row);
    if (byItem.size === 0)
      throw new UsageError(`run ${s.run.id} has no lines of method "${s.method}"`);
    return byItem;
  };
  const rowsA = lines(a);
  const rowsB = lines(b);
  const shared = [...rowsA.keys()].filter((id) => rowsB.has(id));
  const pairs: ComparePair[] = shared.map((itemId) => {
    const ra = rowsA.get(itemId)!;
    const rb = rowsB.get(itemId)!;
    return { itemId, a: side(ra), b: side(rb), flip: flip(ra, rb) };
  });
  const scored = pairs.filter(
    (p) => scoreOf(rowsA.get(p.itemId)!) !== null && scoreOf(rowsB.get(p.itemId)!) !== null,
  );
  const scoresA = scored.map((p) => scoreOf(rowsA.get(p.itemId)!)!);
  const scoresB = scored.map((p) => scoreOf(rowsB.get(p.itemId)!)!);
  const seed = a.run.summary().report?.seed ?? 0;
  const mean = (xs: number[]) =>
    xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : Number.NaN;
  const confusion = { both: 0, neither: 0, onlyA: 0, onlyB: 0 };
  for (const p of pairs) {
    if (p.a.correct === null || p.b.correct === null) continue;
    if (p.a.correct && p.b.correct) confusion.both++;
    else if (p.a.correct) confusion.onlyA++;
    else if (p.b.correct) confusion.onlyB++;
    else confusion.neither++;
  }
  const rank = (p: ComparePair) =>
    p.flip === "lost" ? 0 : p.flip === "gained" ? 1 : p.flip ? 2 : 3;
  const sideOf = (s: { run: RunIndex; method: string }): CompareSide => ({
    run: s.run.id,
    method: s.method,
    steer: steerLabel(s.run, s.method),
  });
  return {
    a: sideOf(a),
    b: sideOf(b),
    onlyA: rowsA.size - shared.length,
    onlyB: rowsB.size - shared.length,
    meanA: mean(scoresA),
    meanB: mean(scoresB),
    delta: bootstrapMean(scoresB, { seed, paired: scoresA }),
    seed,
    confusion,
    // stable: flips first (losses, then gains, then other score changes), item order within
    pairs: pairs
      .map((p, i) => ({ p, i }))
      .sort((x, y) => rank(x.p) - rank(y.p) || x.i - y.i)
      .map((x) => x.p),
  };
}
