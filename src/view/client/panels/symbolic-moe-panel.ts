import { el } from "../dom.ts";

interface MoeDetails {
  keywords?: string[];
  mapped?: string[];
  experts: string[];
  path?: string;
  expertAnswers: (string | null)[];
  expertMajority?: string | null;
  aggregator?: string;
}

function isMoe(details: unknown): details is MoeDetails {
  const d = details as Partial<MoeDetails> | null;
  return Array.isArray(d?.experts) && Array.isArray(d?.expertAnswers);
}

/** A model path's file name: pool models are GGUF paths, the name is what tells them apart. */
const short = (model: string) => model.split("/").at(-1) ?? model;

const chips = (values: readonly string[], label: string) =>
  values.length === 0
    ? el(
        "p",
        { class: "hint", "aria-label": label },
        `no ${label} (none parsed from the model's reply)`,
      )
    : el("ul", { class: "tags", "aria-label": label }, ...values.map((v) => el("li", {}, v)));

/**
 * Symbolic-MoE (and its random-k / all-models baselines): the question's keywords, the skills they
 * map to, the experts recruited for them with each one's answer against gold, their majority,
 * and the aggregator that wrote the final answer.
 */
export function symbolicMoePanel(details: unknown, gold: string): HTMLElement | null {
  if (!isMoe(details)) return null;
  const answerCell = (a: string | null | undefined) =>
    el("td", { class: a === gold ? "good" : a ? "bad" : "small" }, a ?? "no answer");
  return el(
    "section",
    { class: "panel", "aria-label": "Symbolic-MoE" },
    el("h2", {}, "Symbolic-MoE: keywords → skills → experts → aggregator"),
    details.keywords ? el("h3", {}, "Keywords") : null,
    details.keywords ? chips(details.keywords, "keywords") : null,
    details.mapped ? el("h3", {}, "Skills (keywords mapped to the profiles)") : null,
    details.mapped ? chips(details.mapped, "skills") : null,
    el("h3", {}, `Experts${details.path ? ` (chosen by ${details.path})` : ""}`),
    el(
      "table",
      { class: "plain", "aria-label": "experts" },
      el(
        "thead",
        {},
        el("tr", {}, ...["#", "expert", "answer"].map((h) => el("th", { scope: "col" }, h))),
      ),
      el(
        "tbody",
        {},
        ...details.experts.map((expert, i) =>
          el(
            "tr",
            {},
            el("td", { class: "num" }, i + 1),
            el("td", { title: expert }, short(expert)),
            answerCell(details.expertAnswers[i]),
          ),
        ),
      ),
    ),
    el(
      "p",
      { class: "facts" },
      "experts' majority ",
      el(
        "span",
        { class: details.expertMajority === gold ? "good" : details.expertMajority ? "bad" : "" },
        details.expertMajority ?? "–",
      ),
      details.aggregator ? ` → aggregator ${short(details.aggregator)}` : "",
      " · gold ",
      el("strong", {}, gold),
    ),
  );
}
