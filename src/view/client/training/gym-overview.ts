import type { GymEpisodeView, GymView } from "../../shared/training-data.ts";
import { el, fmt } from "../dom.ts";
import {
  barCell,
  colourOf,
  legend,
  linePlot,
  numCell,
  palette,
  pct,
  table,
} from "./training-bits.ts";

/** Skills × cycles, each cell a bar: accuracy (share) or data made (share of the largest). */
function skillGrid(
  e: GymEpisodeView,
  label: string,
  value: (c: GymEpisodeView["cycles"][number], skill: string) => number | undefined,
  asCount: boolean,
): HTMLElement {
  const skills = asCount
    ? [...new Set([...e.skills, ...e.cycles.flatMap((c) => Object.keys(c.dataBySkill))])]
    : e.skills;
  const max = Math.max(1, ...e.cycles.flatMap((c) => skills.map((s) => value(c, s) ?? 0)));
  return table(
    label,
    ["skill", ...e.cycles.map((c) => `cycle ${c.cycle}`)],
    skills.map((s) => [
      el("th", { scope: "row" }, s),
      ...e.cycles.map((c) => {
        const v = value(c, s);
        if (v === undefined) return numCell("–");
        const cell = asCount
          ? barCell(String(v), v / max, palette[1])
          : barCell(pct(v), v, palette[0]);
        cell.dataset["skill"] = s;
        cell.dataset["cycle"] = String(c.cycle);
        cell.dataset["value"] = String(v);
        return cell;
      }),
    ]),
  );
}

/**
 * Gym test problems with the student's answer after each tested cycle: the item detail of a
 * DataEnvGym run (its results.jsonl holds no items). Each opens to its responses.
 */
function problemList(e: GymEpisodeView): HTMLElement | null {
  if (e.problems.length === 0) return null;
  const cycles = [...new Set(e.problems.flatMap((p) => p.answers.map((a) => a.cycle)))].sort(
    (a, b) => a - b,
  );
  const shown = e.problems.slice(0, 500);
  return el(
    "div",
    { "aria-label": "test problems" },
    el(
      "h3",
      {},
      `Test problems (${e.problems.length}${shown.length < e.problems.length ? `, first ${shown.length} shown` : ""}): right (✓) or wrong (✗) after each tested cycle`,
    ),
    ...shown.map((p) =>
      el(
        "details",
        { class: "problem", "data-testid": "gym-problem" },
        el(
          "summary",
          {},
          el("code", {}, p.id),
          ` · ${p.skill} · `,
          ...cycles.map((c) => {
            const a = p.answers.find((x) => x.cycle === c);
            return el(
              "span",
              {
                class: a ? (a.correct ? "mark good" : "mark bad") : "mark",
                title: `cycle ${c}`,
                "data-correct": a ? String(a.correct) : "",
              },
              a ? (a.correct ? "✓" : "✗") : "·",
            );
          }),
          ` ${p.question.slice(0, 80)}`,
        ),
        el(
          "dl",
          { class: "answer" },
          el("dt", {}, "problem"),
          el("dd", {}, p.question),
          el("dt", {}, "gold"),
          el("dd", {}, p.gold),
          ...p.answers.flatMap((a) => [
            el("dt", {}, `cycle ${a.cycle}`),
            el(
              "dd",
              { class: a.correct ? "good" : "bad" },
              a.response === "" ? "(empty answer)" : a.response,
            ),
          ]),
        ),
      ),
    ),
  );
}

function episodeSection(e: GymEpisodeView): HTMLElement {
  const tested = e.cycles.some((c) => c.test !== null);
  return el(
    "div",
    { class: "episode", "aria-label": `episode ${e.label}` },
    e.label ? el("h3", {}, `Episode ${e.label}`) : null,
    table(
      "accuracy per cycle",
      ["cycle", "data so far", "validation", "test"],
      e.cycles.map((c) => [
        el("th", { scope: "row" }, c.cycle),
        numCell(c.accumulated),
        el("td", { class: "num" }, pct(c.validation)),
        el("td", { class: "num" }, pct(c.test)),
      ]),
    ),
    el("h3", {}, `Accuracy per skill per cycle (${tested ? "test" : "validation"})`),
    skillGrid(e, "accuracy per skill", (c, s) => c.bySkill[s], false),
    el("h3", {}, "Data generated per skill per cycle"),
    skillGrid(
      e,
      "data per skill",
      (c, s) => c.dataBySkill[s] ?? (c.cycle === 0 ? undefined : 0),
      true,
    ),
    problemList(e),
  );
}

/** `gym compare`: each teacher against the baseline on final test accuracy, with its checks. */
function comparisonSection(c: NonNullable<GymView["comparison"]>): HTMLElement {
  const arms = Object.keys(c.accuracy);
  return el(
    "div",
    { "aria-label": "teacher comparison" },
    el(
      "h3",
      {},
      `Teachers vs ${c.baseline}: final test accuracy, paired by seed and item (seeds ${c.seeds.join(", ")}; 95% hierarchical bootstrap)`,
    ),
    el("p", { class: "facts" }, `targeted (weakest at cycle 0): ${c.targetedSkills.join(", ")}`),
    table(
      "teachers",
      [
        "teacher",
        "final test",
        "Δ vs baseline [95% CI]",
        "Δ targeted",
        "Δ other",
        "checks",
        "verdict",
      ],
      arms.map((arm) => {
        const v = c.verdicts.find((x) => x.arm === arm);
        return [
          el(
            "td",
            {},
            el("span", { class: "swatch", style: `background: ${colourOf(arms, arm)}` }),
            arm,
          ),
          el("td", { class: "num" }, pct(c.accuracy[arm])),
          el(
            "td",
            { class: "num", "data-testid": `delta-${arm}` },
            v
              ? `${fmt(100 * v.delta.mean, 1)} [${fmt(100 * v.delta.low, 1)}, ${fmt(100 * v.delta.high, 1)}]`
              : "baseline",
          ),
          el("td", { class: "num" }, v ? fmt(100 * v.targetedDelta, 1) : ""),
          el("td", { class: "num" }, v ? fmt(100 * v.otherDelta, 1) : ""),
          el(
            "td",
            {},
            v
              ? Object.entries(v.checks)
                  .map(([k, ok]) => `${ok ? "✓" : "✗"} ${k}`)
                  .join(" · ")
              : "",
          ),
          el(
            "td",
            { class: v ? (v.reproduced ? "good" : "bad") : "" },
            v ? (v.reproduced ? "reproduced" : "not reproduced") : "",
          ),
        ];
      }),
    ),
    el("h3", {}, "Mean test accuracy per cycle"),
    legend(arms),
    linePlot(
      "test accuracy per cycle",
      arms.map((a) => ({ name: a, values: c.curves[a] ?? [], colour: colourOf(arms, a) })),
      "cycle",
      1,
    ),
  );
}

/** DataEnvGym: an episode's accuracy and data per skill per cycle, or a teacher comparison. */
export function gymOverview(v: GymView): HTMLElement {
  return el(
    "section",
    { class: "panel", "aria-label": "DataEnvGym" },
    el(
      "h2",
      {},
      v.comparison || v.episodes.length > 1
        ? "DataEnvGym: teachers compared"
        : "DataEnvGym episode",
    ),
    v.comparison ? comparisonSection(v.comparison) : null,
    ...v.episodes.map(episodeSection),
  );
}
