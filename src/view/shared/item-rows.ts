import { compileFilter } from "./filter-expression.ts";
import type { ItemRow, Scalar } from "./view-data.ts";

/** The fixed columns of the item table, in display order; `extra` columns follow. */
export const baseColumns = [
  "method",
  "itemId",
  "prediction",
  "gold",
  "correct",
  "score",
  "tokens",
  "calls",
  "wallMs",
] as const;

/** A row's value by column name: a fixed column, else one of the method's `extra` scalars. */
export function cellValue(row: ItemRow, name: string): Scalar | undefined {
  if ((baseColumns as readonly string[]).includes(name) || name === "n" || name === "id")
    return row[name as keyof ItemRow] as Scalar;
  return row.extra[name];
}

/** Nulls and missing values sort last whatever the direction. */
function order(a: Scalar | undefined, b: Scalar | undefined): number {
  const aMissing = a === null || a === undefined;
  const bMissing = b === null || b === undefined;
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  if (typeof a === "string" || typeof b === "string") return String(a).localeCompare(String(b));
  return Number(a) - Number(b);
}

/**
 * The positions in `rows` that pass `filter`, sorted by `sort` (stable; ties keep file order).
 * @throws FilterSyntaxError for a malformed filter.
 */
export function selectRows(
  rows: readonly ItemRow[],
  view: { filter: string; sort: string; descending: boolean },
): number[] {
  const keep = compileFilter(view.filter);
  const picked: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (keep((name) => cellValue(row, name))) picked.push(i);
  }
  if (view.sort) {
    const sign = view.descending ? -1 : 1;
    const keys = picked.map((i) => cellValue(rows[i]!, view.sort));
    const positions = picked.map((_, k) => k);
    positions.sort((x, y) => {
      const a = keys[x];
      const b = keys[y];
      const missing = order(a, b);
      if (a === null || a === undefined || b === null || b === undefined) return missing || x - y;
      return sign * missing || x - y;
    });
    return positions.map((k) => picked[k]!);
  }
  return picked;
}
