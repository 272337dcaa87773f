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

type SortKey = string | number | undefined;

interface ColumnKeys {
  /** Whether some value is a string: then every value sorts as lowercased text. */
  text: boolean;
  /** Per row position; undefined for a missing value (null, absent). */
  keys: SortKey[];
}

/**
 * Sort keys per rows array and column. A rows array only ever grows (a live run, rows still
 * arriving), never changes a row it holds, so keys made for its first rows stay valid and a
 * second sort of a column (the other direction, a new filter) reuses them.
 */
const keyCache = new WeakMap<readonly ItemRow[], Map<string, ColumnKeys>>();

/**
 * One column's sort keys: numbers when every present value is a number or boolean, else every
 * present value as lowercased text, so that a plain `<` orders them (`localeCompare` in the
 * comparator, and lowercasing 30k strings on every sort, were most of a text sort's time).
 */
function columnKeys(rows: readonly ItemRow[], column: string): SortKey[] {
  const byColumn = keyCache.get(rows) ?? new Map<string, ColumnKeys>();
  keyCache.set(rows, byColumn);
  const entry = byColumn.get(column) ?? { text: false, keys: [] };
  byColumn.set(column, entry);
  if (entry.keys.length === rows.length) return entry.keys;
  const values = rows.slice(entry.keys.length).map((row) => cellValue(row, column));
  if (!entry.text && values.some((v) => typeof v === "string")) {
    // a string among numbers: every key becomes text, those made before too
    entry.text = true;
    values.unshift(...rows.slice(0, entry.keys.length).map((row) => cellValue(row, column)));
    entry.keys = [];
  }
  for (const v of values)
    entry.keys.push(
      v === null || v === undefined ? undefined : entry.text ? String(v).toLowerCase() : Number(v),
    );
  return entry.keys;
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
    const keys = columnKeys(rows, view.sort);
    // row positions sort by their keys; ties keep file order, missing values go last either way
    return picked.sort((x, y) => {
      const a = keys[x];
      const b = keys[y];
      if (a === undefined || b === undefined) return a === b ? x - y : a === undefined ? 1 : -1;
      return a < b ? -sign : a > b ? sign : x - y;
    });
  }
  return picked;
}
