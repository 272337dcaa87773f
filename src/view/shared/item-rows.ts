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

/**
 * Per rows array and column, each row's rank in that column's order (equal values share a rank;
 * missing values have none), made for `count` rows. A rows array only ever grows (a live run,
 * rows still arriving), so ranks are remade only when it has; sorting again (the other
 * direction, a new filter) compares ranks, not text.
 */
const rankCache = new WeakMap<readonly ItemRow[], Map<string, { count: number; ranks: Rank[] }>>();

type Rank = number | undefined;

/**
 * One column's ranks: numbers order as numbers when every present value is a number or boolean,
 * else every present value orders as text by `localeCompare` (ignoring case first). One
 * `localeCompare` sort of the column, then integer comparisons: a text sort of 30k rows that
 * compared strings on every sort was most of its time.
 */
function columnRanks(rows: readonly ItemRow[], column: string): Rank[] {
  const byColumn = rankCache.get(rows) ?? new Map<string, { count: number; ranks: Rank[] }>();
  rankCache.set(rows, byColumn);
  const cached = byColumn.get(column);
  if (cached && cached.count === rows.length) return cached.ranks;
  const values = rows.map((row) => cellValue(row, column));
  const text = values.some((v) => typeof v === "string");
  const keys = values.map((v) => (text ? String(v) : Number(v)));
  const present: number[] = [];
  for (let i = 0; i < values.length; i++)
    if (values[i] !== null && values[i] !== undefined) present.push(i);
  if (text) present.sort((x, y) => (keys[x] as string).localeCompare(keys[y] as string));
  else present.sort((x, y) => (keys[x] as number) - (keys[y] as number));
  const ranks: Rank[] = new Array(rows.length).fill(undefined);
  for (let k = 0; k < present.length; k++) {
    const i = present[k]!;
    const before = present[k - 1];
    // equal values share a rank, so that file order breaks their tie
    ranks[i] = before !== undefined && keys[before] === keys[i] ? ranks[before] : k;
  }
  byColumn.set(column, { count: rows.length, ranks });
  return ranks;
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
    const ranks = columnRanks(rows, view.sort);
    // ties keep file order; missing values go last either way
    return picked.sort((x, y) => {
      const a = ranks[x];
      const b = ranks[y];
      if (a === undefined || b === undefined) return a === b ? x - y : a === undefined ? 1 : -1;
      return sign * (a - b) || x - y;
    });
  }
  return picked;
}
