import { readFile, writeFile } from "node:fs/promises";
import { DataError, type LanguageModel, requireInternals } from "../../model/index.ts";
import { isolationForestOutliers } from "./isolation-forest.ts";
import { localOutlierFactorOutliers } from "./local-outlier-factor.ts";
import { pcaMahalanobisOutliers } from "./pca-mahalanobis.ts";

/** Outlier detector: UPCORE's Isolation Forest, or the LOF / PCA(2)+Mahalanobis ablations (§3.2). */
export type OutlierDetector = "iforest" | "lof" | "pca-mahalanobis";

/** One forget-set fact: the prompt and the answer to unlearn. */
export interface ForgetItem {
  id: string;
  question: string;
  answer: string;
  /** TOFU/CounterFact `paraphrased_answer` (Truth Ratio's reference answer when present). */
  paraphrasedAnswer?: string;
  /** TOFU/CounterFact `perturbed_answer`: wrong answers for Prob. and Truth Ratio. */
  perturbedAnswers?: string[];
}

/** Per-item outcome of the selection, as written to selection.json. */
export interface SelectionEntry {
  id: string;
  /**
   * Lower is more anomalous: the forest's score_samples (−anomaly score), LOF's
   * negative_outlier_factor_, or −d² (squared Mahalanobis distance in the PCA(2) plane).
   */
  score: number;
  pruned: boolean;
  features?: number[];
}

export interface CoresetSelection {
  format: "chorus-upcore-selection";
  version: 1;
  model?: string;
  /** Engine layer read (l_out-<layer>) and token: penultimate hidden state, last question token. */
  layer: number;
  /** Absent in selections written before LOF existed (= "iforest"). */
  detector?: OutlierDetector;
  contamination: number;
  seed: number;
  threshold: number;
  /** Trace of the unbiased covariance of the features before and after pruning (spec §3.2). */
  varBefore: number;
  varAfter: number;
  items: SelectionEntry[];
}

/**
 * Penultimate hidden state (HF `hidden_states[-2]` = the residual stream entering the last block,
 * engine layer nLayers−2) at the last token of the question only, BOS added, no template (§3.1).
 */
export async function forgetFeatures(
  model: LanguageModel,
  questions: readonly string[],
): Promise<Float32Array[]> {
  const internals = requireInternals(model);
  const layer = internals.nLayers - 2;
  if (layer < 0) throw new DataError("UPCORE needs a model with at least two blocks");
  const out: Float32Array[] = [];
  for (const question of questions) {
    const hidden = await internals.captureHidden(question, {
      layers: [layer],
      positions: "last",
      rawPrompt: true,
    });
    out.push(hidden.states.get(layer)![0]!);
  }
  return out;
}

/** Σ_j var_j with the n−1 denominator. */
export function totalVariance(points: readonly ArrayLike<number>[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const dim = points[0]!.length;
  let total = 0;
  for (let j = 0; j < dim; j++) {
    let mean = 0;
    for (const p of points) mean += p[j]! / n;
    let ss = 0;
    for (const p of points) ss += (p[j]! - mean) ** 2;
    total += ss / (n - 1);
  }
  return total;
}

/**
 * UPCORE selection: features → Isolation Forest (100 trees, contamination 0.1, seed 42), or
 * LOF (n_neighbors 20, same contamination rule) with `detector: "lof"`, or PCA(2) + Mahalanobis
 * distance (same rule) with `detector: "pca-mahalanobis"`.
 */
export async function selectCoreset(
  model: LanguageModel,
  items: readonly ForgetItem[],
  options: {
    contamination?: number;
    seed?: number;
    saveFeatures?: boolean;
    modelName?: string;
    detector?: OutlierDetector;
  } = {},
): Promise<CoresetSelection> {
  if (items.length < 2)
    throw new DataError(`the forget set has ${items.length} items; UPCORE needs at least 2`);
  const contamination = options.contamination ?? 0.1;
  const seed = options.seed ?? 42;
  const features = await forgetFeatures(
    model,
    items.map((i) => i.question),
  );
  const detector = options.detector ?? "iforest";
  const { outlier, scores, threshold } =
    detector === "lof"
      ? localOutlierFactorOutliers(features, { contamination })
      : detector === "pca-mahalanobis"
        ? pcaMahalanobisOutliers(features, { contamination })
        : isolationForestOutliers(features, { contamination, seed });
  return {
    format: "chorus-upcore-selection",
    version: 1,
    ...(options.modelName !== undefined ? { model: options.modelName } : {}),
    layer: requireInternals(model).nLayers - 2,
    detector,
    contamination,
    seed,
    threshold,
    varBefore: totalVariance(features),
    varAfter: totalVariance(features.filter((_, i) => !outlier[i])),
    items: items.map((item, i) => ({
      id: item.id,
      score: scores[i]!,
      pruned: outlier[i]!,
      ...(options.saveFeatures ? { features: Array.from(features[i]!) } : {}),
    })),
  };
}

/** Reads `{question, answer[, id]}` JSONL (ids default to the 0-based line index). */
export async function readForgetItems(path: string): Promise<ForgetItem[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new DataError(`cannot read: ${(error as Error).message}`, { file: path });
  }
  const items: ForgetItem[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line);
    } catch {
      throw new DataError("invalid JSON", { file: path, line: index + 1 });
    }
    if (typeof record.question !== "string" || typeof record.answer !== "string")
      throw new DataError('each line needs string fields "question" and "answer"', {
        file: path,
        line: index + 1,
      });
    items.push({
      id:
        typeof record.id === "string" || typeof record.id === "number"
          ? String(record.id)
          : String(items.length),
      question: record.question,
      answer: record.answer,
    });
  }
  if (items.length === 0)
    throw new DataError("no items; expected JSONL lines with question and answer", { file: path });
  return items;
}

/** Writes a selection as JSON. */
export async function saveSelection(path: string, selection: CoresetSelection): Promise<void> {
  await writeFile(path, `${JSON.stringify(selection, null, 1)}\n`);
}

/** Reads a selection written by `saveSelection`. */
export async function loadSelection(path: string): Promise<CoresetSelection> {
  let raw: CoresetSelection;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new DataError(`cannot read the selection: ${(error as Error).message}`, { file: path });
  }
  if (raw?.format !== "chorus-upcore-selection" || !Array.isArray(raw.items))
    throw new DataError(
      'not a selection file (expected format "chorus-upcore-selection"); write one with `chorus upcore select`',
      { file: path },
    );
  return raw;
}
