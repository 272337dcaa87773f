import type { UnlearnReport } from "./unlearn.ts";

/** The utility measure a run is summed up by: Model Utility when computed, else the first set's ROUGE. */
export function headlineUtility(report: Pick<UnlearnReport, "auc">): string | undefined {
  return "modelUtility" in report.auc ? "modelUtility" : Object.keys(report.auc)[0];
}

/**
 * One selection's unlearning run as a run-folder result (`{method, itemId, score, details}`, the
 * shape eval records have), so `chorus view` lists the selections as rows and draws each curve.
 * `score` is the headline AUC; the scalar fields are what the table shows and filters on.
 */
export function unlearnResult(
  selection: string,
  report: UnlearnReport,
  forgetItems: number,
): {
  method: "unlearn";
  itemId: string;
  prediction: string;
  gold: string;
  score: number | null;
  details: Record<string, unknown>;
} {
  const measure = headlineUtility(report);
  const first = report.points[0];
  const last = report.points.at(-1);
  const utilityAt = (p: UnlearnReport["points"][number] | undefined) =>
    p === undefined || measure === undefined
      ? undefined
      : measure === "modelUtility"
        ? p.modelUtility
        : p.utility[measure];
  // the report's own `method` (ga, npo...) would clash with the record's, so it is renamed
  const { method, ...rest } = report;
  const auc = measure === undefined ? null : (report.auc[measure] ?? null);
  return {
    method: "unlearn",
    itemId: selection,
    prediction: auc === null ? "" : `AUC ${auc.toFixed(4)} (${measure})`,
    gold: "",
    score: auc,
    details: {
      selection,
      unlearnMethod: method,
      forgetItems,
      epochs: Math.max(0, report.points.length - 1),
      ...(measure !== undefined ? { utilityMeasure: measure } : {}),
      ...(first ? { forgetRougeStart: first.forgetRouge } : {}),
      ...(last ? { forgetRougeEnd: last.forgetRouge } : {}),
      ...(utilityAt(first) !== undefined ? { utilityStart: utilityAt(first) } : {}),
      ...(utilityAt(last) !== undefined ? { utilityEnd: utilityAt(last) } : {}),
      ...rest,
    },
  };
}
