/**
 * Where a named dataset's files live on the Hugging Face hub. The loader reads the hub's file
 * as it is (parquet, JSONL, CSV, optionally gzipped) with the same field checks as a mirror's
 * copy, so a file is listed here only when its records carry the fields the loader checks.
 */
export interface HubSource {
  /** `owner/name` of the dataset repository. */
  readonly repo: string;
  /** Branch, tag or commit the files are taken from. */
  readonly revision: string;
  /** The hub asks users to accept the dataset's terms before downloading: HF_TOKEN is needed. */
  readonly gated?: boolean;
  /**
   * Each file the loader reads, keyed by its path in a mirror (the layout of
   * `shared/datasets`, see its MANIFEST.md), to its path inside the hub repository.
   */
  readonly files: Readonly<Record<string, string>>;
  /** What differs between the hub's copy and the mirror's, when anything does. */
  readonly note?: string;
}

/** A source as `hf:<owner>/<repo>[@<revision>]`, for listings. */
export function hubSourceLabel(source: HubSource): string {
  const revision = source.revision === "main" ? "" : `@${source.revision}`;
  return `hf:${source.repo}${revision}`;
}
