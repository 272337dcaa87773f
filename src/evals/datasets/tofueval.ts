import { existsSync } from "node:fs";
import { DataError } from "../../model/errors.ts";
import type { EvalItem } from "../eval-item.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { mirrorFile, requireMirrorFile } from "./mirror-file.ts";
import { readDatasetRecords, recordError, stringField } from "./read-records.ts";

/** Options of `loadTofuEval`. */
export interface TofuEvalOptions {
  /** "mediasum" or "meetingbank". */
  subset: "mediasum" | "meetingbank";
  /**
   * A JSONL/JSON/CSV file of source documents with fields `doc_id` and `document`. The shared
   * TofuEval copy holds only annotations; summaries whose document is missing are skipped.
   */
  documentsFile?: string;
  /** The annotations CSV (default: `tofueval/<subset>_factual_eval_test.csv` in a data mirror). */
  annotationsFile?: string;
}

/** What the loader kept and what it skipped for lack of a source. */
export interface TofuEvalLoad {
  items: EvalItem[];
  skippedWithoutSource: number;
}

/**
 * TofuEval topic-focused dialogue summaries with human sentence labels (yes = consistent). One
 * item per summary: `meta.sentences`, `meta.labels`, `meta.topic`, `meta.document` (from
 * `documentsFile`), `meta.explanations`. Summaries without a source document are skipped and
 * counted, as MAMM-Refine cannot judge a sentence without its source.
 * @throws DataError when no documents file is given or found: the annotations alone are unusable.
 */
export async function loadTofuEval(options: TofuEvalOptions): Promise<TofuEvalLoad> {
  const documentsFile =
    options.documentsFile ?? mirrorFile(`tofueval/${options.subset}_documents.jsonl`);
  if (!documentsFile || !existsSync(documentsFile))
    throw new DataError(
      `TofuEval ${options.subset}: the shared copy has annotations but no source documents; ` +
        `give a documents file (fields doc_id, document), e.g. datasets/tofueval/${options.subset}_documents.jsonl`,
    );
  const documents = new Map<string, string>();
  for (const record of await readDatasetRecords(documentsFile))
    documents.set(stringField(record, "doc_id"), stringField(record, "document"));
  const file =
    options.annotationsFile ??
    requireMirrorFile(`tofueval/${options.subset}_factual_eval_test.csv`);
  const summaries = new Map<
    string,
    {
      docId: string;
      topic: string;
      model: string;
      rows: Array<{ idx: number; sentence: string; label: string; exp: string }>;
    }
  >();
  for (const record of await readDatasetRecords(file)) {
    const docId = stringField(record, "doc_id");
    const annotation = stringField(record, "annotation_id");
    const model = stringField(record, "model_name");
    const key = `${docId}/${annotation}/${model}`;
    const label = stringField(record, "sent_label").trim().toLowerCase();
    if (label !== "yes" && label !== "no")
      throw recordError(record, `field "sent_label" must be yes or no, got "${label}"`);
    const idx = Number(stringField(record, "sent_idx"));
    if (!Number.isInteger(idx)) throw recordError(record, 'field "sent_idx" must be an integer');
    const entry = summaries.get(key) ?? {
      docId,
      topic: stringField(record, "topic"),
      model,
      rows: [],
    };
    entry.rows.push({
      idx,
      sentence: stringField(record, "summ_sent"),
      label,
      exp: typeof record.value["exp"] === "string" ? (record.value["exp"] as string) : "",
    });
    summaries.set(key, entry);
  }
  const items: EvalItem[] = [];
  let skippedWithoutSource = 0;
  for (const [key, summary] of summaries) {
    const document = documents.get(summary.docId);
    if (document === undefined) {
      skippedWithoutSource++;
      continue;
    }
    const rows = summary.rows.sort((a, b) => a.idx - b.idx);
    items.push({
      id: `tofueval-${options.subset}-${key}`,
      question: `Summarize the document with a focus on the topic "${summary.topic}".`,
      answer: "",
      answerType: "none",
      meta: {
        document,
        topic: summary.topic,
        summarizer: summary.model,
        sentences: rows.map((r) => r.sentence),
        labels: rows.map((r) => r.label),
        explanations: rows.map((r) => r.exp),
        summary: rows.map((r) => r.sentence).join(" "),
      },
    });
  }
  return { items, skippedWithoutSource };
}

/**
 * TofuEval as a named dataset (splits = subsets). Needs `<subset>_documents.jsonl` beside the
 * annotations in a data mirror; see `loadTofuEval` to pass a documents file directly.
 */
export const tofuEval: DatasetLoader = {
  name: "tofueval",
  description:
    "TofuEval MediaSum/MeetingBank summaries with sentence labels (needs source documents)",
  splits: ["mediasum", "meetingbank"],
  answerType: "none",
  files: ["tofueval/mediasum_factual_eval_test.csv", "tofueval/meetingbank_factual_eval_test.csv"],
  async load({ split, file }) {
    const subset = split === "meetingbank" ? "meetingbank" : "mediasum";
    const annotationsFile = file(`tofueval/${subset}_factual_eval_test.csv`);
    return (await loadTofuEval({ subset, annotationsFile })).items;
  },
};
