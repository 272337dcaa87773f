import type { CallView, RunSummary } from "./view-data.ts";

/**
 * The head of an export: its first data block (`<script type="application/octet-stream">`, gzip
 * then base64, as every block). It names the other blocks by element id, so a page decodes only
 * what it shows: a run's first rows chunk before its table draws, the rest after, one record
 * block when an item opens, one comparison when it is asked for. (One block of everything kept a
 * 15 MB export's first rows waiting for all of it to be decompressed and parsed.)
 */
export interface ExportHead {
  /** Each run's summary with no rows: those are in the `rows` blocks. */
  runs: RunSummary[];
  /** A sentence saying what `--max-mb` dropped, or empty. */
  dropped: string;
  /** Per run id: the blocks of its rows (`ItemRow[]` each), in order, the first one small. */
  rows: Record<string, string[]>;
  /** Per run id: the blocks of its records kept, in line order; lines past them were dropped. */
  records: Record<string, Array<{ block: string; from: number; count: number }>>;
  /** Per `compareKey`: the block of that comparison (`CompareView`), computed at export time. */
  comparisons: Record<string, string>;
}

/**
 * A block of records: raw results.jsonl lines `from`, `from + 1`... with their model calls and
 * their items' raw items.jsonl lines (what each asked; null where the run recorded none).
 */
export interface RecordBlock {
  from: number;
  lines: string[];
  calls: CallView[][];
  items: (string | null)[];
}
