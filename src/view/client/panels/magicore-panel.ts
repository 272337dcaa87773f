import { el, fmt } from "../dom.ts";
import { isScoredList, type ScoredAnswer, stepScoreTable } from "./step-scores.ts";

/** One iteration as `details.iterations` records it (MAgICoRe's IterationTrace). */
interface Iteration {
  iteration: number;
  hard: boolean;
  lowQuality: boolean;
  lowConfidence: boolean;
  meanZ: number | null;
  confidenceOrm: number;
  confidencePrm: number;
  majority: string | null;
  answer: string | null;
  refinedAnswers?: (string | null)[];
  /** The triaged pool's scores (left out when it is the previous iteration's `refined`). */
  pool?: ScoredAnswer[];
  refined?: ScoredAnswer[];
}

interface MagicoreDetails {
  initialAnswer: string | null;
  majority: string | null;
  iterations: Iteration[];
  poolAnswers?: (string | null)[];
  calls?: Record<string, number>;
}

function isMagicore(details: unknown): details is MagicoreDetails {
  return Array.isArray((details as { iterations?: unknown } | null)?.iterations);
}

const answer = (a: string | null | undefined, gold: string) =>
  el("span", { class: a === gold ? "good" : a === null || a === undefined ? "" : "bad" }, a ?? "–");

/** Per iteration, the PRM's step scores of the pool it triaged and of the refined solutions. */
function stepScores(iterations: readonly Iteration[], gold: string): HTMLElement | null {
  const tables = iterations.flatMap((it) => [
    isScoredList(it.pool) ? stepScoreTable(`iteration ${it.iteration} pool`, it.pool, gold) : null,
    isScoredList(it.refined)
      ? stepScoreTable(`iteration ${it.iteration} refined`, it.refined, gold)
      : null,
  ]);
  if (tables.every((t) => t === null))
    return el("p", { class: "hint" }, "This run's records hold no per-step scores.");
  return el(
    "div",
    { class: "step-score-tables" },
    el("h3", {}, "Step scores (PRM per step, ORM per solution)"),
    ...tables,
  );
}

/**
 * MAgICoRe: the answer's way from the initial samples (majority, RM-weighted vote) through each
 * iteration's triage (hard = low quality and/or low confidence) and refinement, against gold,
 * then the reward models' scores behind each triage: every solution's ORM and PRM step scores.
 */
export function magicorePanel(details: unknown, gold: string): HTMLElement | null {
  if (!isMagicore(details)) return null;
  const header = [
    "iteration",
    "triage",
    "low quality",
    "low confidence",
    "mean z",
    "ORM conf",
    "PRM conf",
    "majority",
    "refined answers",
    "answer",
  ];
  return el(
    "section",
    { class: "panel", "aria-label": "MAgICoRe" },
    el("h2", {}, "MAgICoRe: iterations"),
    el(
      "p",
      { class: "facts" },
      "initial majority ",
      answer(details.majority, gold),
      " · RM-weighted vote ",
      answer(details.initialAnswer, gold),
      " · final ",
      answer(details.iterations.at(-1)?.answer ?? details.initialAnswer, gold),
      " · gold ",
      el("strong", {}, gold),
      details.calls
        ? ` · calls ${Object.entries(details.calls)
            .map(([role, n]) => `${role} ${n}`)
            .join(", ")}`
        : "",
    ),
    el(
      "table",
      { class: "plain", "aria-label": "MAgICoRe iterations" },
      el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col" }, h)))),
      el(
        "tbody",
        {},
        ...details.iterations.map((it) =>
          el(
            "tr",
            {},
            el("td", { class: "num" }, it.iteration),
            el("td", { class: it.hard ? "hard" : "easy" }, it.hard ? "hard: refine" : "easy: stop"),
            el("td", {}, it.lowQuality ? "yes" : ""),
            el("td", {}, it.lowConfidence ? "yes" : ""),
            el("td", { class: "num" }, fmt(it.meanZ)),
            el("td", { class: "num" }, fmt(it.confidenceOrm)),
            el("td", { class: "num" }, fmt(it.confidencePrm)),
            el("td", {}, answer(it.majority, gold)),
            el(
              "td",
              {},
              ...(it.refinedAnswers ?? []).flatMap((a, i) => [i > 0 ? ", " : "", answer(a, gold)]),
            ),
            el("td", {}, answer(it.answer, gold)),
          ),
        ),
      ),
    ),
    stepScores(details.iterations, gold),
    details.poolAnswers
      ? el(
          "p",
          { class: "facts" },
          `final pool answers: ${details.poolAnswers.map((a) => a ?? "–").join(", ")}`,
        )
      : null,
  );
}
