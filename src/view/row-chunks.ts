/** Rows in the first chunk: more than a screen shows, so the table draws from it alone. */
export const firstChunkRows = 200;
/**
 * Rows in each later chunk: few enough that parsing one does not stall the page (~2.5 MB of JSON
 * for AdaCAD-sized rows), many enough that the table refilters only a few times while they come.
 */
export const laterChunkRows = 5000;

/**
 * The first `count` of `rows` in the chunks a page receives them in (a summary's rows streamed by
 * the server, or embedded in an export): a small first chunk, then larger ones. There is always a
 * first chunk, empty for a run with no rows.
 */
export function rowChunks<T>(rows: readonly T[], count = rows.length): T[][] {
  const chunks = [rows.slice(0, Math.min(count, firstChunkRows))];
  for (let from = firstChunkRows; from < count; from += laterChunkRows)
    chunks.push(rows.slice(from, Math.min(count, from + laterChunkRows)));
  return chunks;
}
