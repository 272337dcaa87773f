import { el } from "../dom.ts";
import { alphaColor, alphaTextColor } from "./alpha-color.ts";

/** A pool member's scores as MAgICoRe records them (its ScoredAnswer). */
export interface ScoredAnswer {
  answer: string | null;
  orm: number;
  prm: number[];
}

export function isScoredList(value: unknown): value is ScoredAnswer[] {
  return (
    Array.isArray(value) &&
    value.every(
      (s) =>
        typeof s === "object" &&
        s !== null &&
        typeof (s as ScoredAnswer).orm === "number" &&
        Array.isArray((s as ScoredAnswer).prm),
    )
  );
}

/** Two places, or the order of magnitude of a score too small for them (a tiny model's P(+)). */
const scoreText = (x: number) => (x === 0 || x >= 0.005 ? x.toFixed(2) : x.toExponential(0));

/**
 * A pool's solutions as rows: answer (against gold), ORM, then one cell per step coloured by the
 * PRM's score on the same light → dark scale as α (dark = the PRM trusts the step), then the
 * product of the steps, which with the ORM gives the reward R the vote weighs.
 */
export function stepScoreTable(
  label: string,
  pool: readonly ScoredAnswer[],
  gold: string,
): HTMLElement {
  const steps = Math.max(1, ...pool.map((s) => s.prm.length));
  return el(
    "table",
    { class: "plain step-scores", "aria-label": label },
    el("caption", {}, label),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...["#", "answer", "ORM"].map((h) => el("th", { scope: "col" }, h)),
        el("th", { scope: "col", colspan: steps }, "PRM per step"),
        el("th", { scope: "col" }, "Π PRM"),
      ),
    ),
    el(
      "tbody",
      {},
      ...pool.map((s, i) =>
        el(
          "tr",
          {},
          el("td", { class: "num" }, i + 1),
          el(
            "td",
            { class: s.answer === gold ? "good" : s.answer === null ? "small" : "bad" },
            s.answer ?? "no answer",
          ),
          el("td", { class: "num" }, s.orm.toFixed(2)),
          ...Array.from({ length: steps }, (_, j) => {
            const score = s.prm[j];
            return score === undefined
              ? el("td", {})
              : el(
                  "td",
                  {
                    class: "step-score",
                    "aria-label": `step ${j + 1}: ${score}`,
                    title: `step ${j + 1}: PRM ${score}`,
                    style: `background: ${alphaColor(score)}; color: ${alphaTextColor(score)}`,
                  },
                  scoreText(score),
                );
          }),
          el("td", { class: "num" }, scoreText(s.prm.reduce((a, b) => a * b, 1))),
        ),
      ),
    ),
  );
}
