import type { ExpertSkillMatrix, SkillCell } from "../../shared/view-data.ts";
import { el } from "../dom.ts";
import { alphaColor, alphaTextColor } from "../panels/alpha-color.ts";

/** A model path's file name: pool models are GGUF paths, the name is what tells them apart. */
const short = (model: string) => model.split("/").at(-1) ?? model;
const percent = (part: number, whole: number) =>
  whole === 0 ? "–" : `${((100 * part) / whole).toFixed(1)}%`;

/** One cell: right/recruited, shaded by the share right (pale: rarely right, dark: mostly). */
function cell(c: SkillCell, label: string): HTMLElement {
  if (c.recruited === 0) return el("td", { class: "small", "aria-label": `${label}: never` }, "");
  const share = c.correct / c.recruited;
  return el(
    "td",
    {
      class: "skill-cell",
      "aria-label": `${label}: recruited ${c.recruited}, right ${c.correct}`,
      title: `${label}: recruited ${c.recruited}×, right ${c.correct}× (${percent(c.correct, c.recruited)})`,
      style: `background: ${alphaColor(share)}; color: ${alphaTextColor(share)}`,
    },
    `${c.correct}/${c.recruited}`,
  );
}

/**
 * Symbolic-MoE at run level: which experts keyword routing recruited for which skills, how often,
 * and how often they were then right; beside it the experts' plain majority against the final
 * (aggregated) answer over the same items, the paper's "initial" vs final accuracy.
 */
export function expertSkillMatrix(m: ExpertSkillMatrix): HTMLElement {
  return el(
    "section",
    { class: "panel", "aria-label": `Symbolic-MoE ${m.method}` },
    el("h2", {}, `Symbolic-MoE (${m.method}): experts × skills`),
    el(
      "p",
      { class: "facts" },
      `${m.items} items · experts' majority right ${percent(m.majorityCorrect, m.items)} (${m.majorityCorrect}) → final answer right ${percent(m.finalCorrect, m.items)} (${m.finalCorrect})`,
    ),
    el(
      "table",
      { class: "plain skill-matrix", "aria-label": `expert × skill ${m.method}` },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { scope: "col" }, "expert"),
          ...m.skills.map((s) => el("th", { scope: "col" }, s)),
          el("th", { scope: "col" }, "all"),
        ),
      ),
      el(
        "tbody",
        {},
        ...m.experts.map((expert, e) =>
          el(
            "tr",
            {},
            el("th", { scope: "row", title: expert }, short(expert)),
            ...m.skills.map((skill, s) => cell(m.cells[e]![s]!, `${short(expert)} on ${skill}`)),
            cell(m.totals[e]!, `${short(expert)} on all`),
          ),
        ),
      ),
    ),
    el(
      "p",
      { class: "hint" },
      "Cells: right / recruited, once per recruited slot under each skill its item mapped to; darker = more often right.",
    ),
  );
}
