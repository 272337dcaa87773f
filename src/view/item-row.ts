import type { ItemRow, Scalar } from "./shared/view-data.ts";

const textLimit = 300;

function text(value: unknown): string {
  const s = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
  return s.length > textLimit ? `${s.slice(0, textLimit)}…` : s;
}

const num = (value: unknown) => (typeof value === "number" ? value : 0);

/** The scalar fields of a method's `details`: short enough for a table cell and a filter. */
function scalars(details: unknown): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  if (typeof details !== "object" || details === null) return out;
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === "number" || typeof value === "boolean") out[key] = value;
    else if (typeof value === "string" && value.length <= 80) out[key] = value;
  }
  return out;
}

/**
 * One results.jsonl line (`{id, index, result}`) as a table row. Eval records (`method`, `itemId`,
 * `score`, `usage`...) fill every column; other commands' results show as their JSON, with the
 * run's method name from config.json.
 */
export function itemRow(
  n: number,
  line: { id?: unknown; result?: unknown },
  method: string,
): ItemRow {
  const id = String(line.id ?? n);
  const r = (typeof line.result === "object" && line.result !== null ? line.result : {}) as Record<
    string,
    unknown
  >;
  if (typeof r["method"] === "string" && typeof r["itemId"] === "string") {
    const usage = (r["usage"] ?? {}) as Record<string, unknown>;
    return {
      n,
      id,
      method: r["method"],
      itemId: r["itemId"],
      prediction: text(r["prediction"] ?? ""),
      gold: text(r["gold"] ?? ""),
      correct: typeof r["correct"] === "boolean" ? r["correct"] : null,
      score: typeof r["score"] === "number" ? r["score"] : null,
      tokens: num(usage["inputTokens"]) + num(usage["outputTokens"]),
      calls: num(usage["calls"]),
      wallMs: num(r["wallMs"]),
      extra: scalars(r["details"]),
    };
  }
  return {
    n,
    id,
    method,
    itemId: id,
    prediction: text(line.result),
    gold: "",
    correct: null,
    score: null,
    tokens: 0,
    calls: 0,
    wallMs: 0,
    extra: scalars(line.result),
  };
}
