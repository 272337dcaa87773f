import { diffWords } from "../../shared/token-diff.ts";
import { el, fmt } from "../dom.ts";
import { diffView } from "./diff-view.ts";

type Answer = string | number | null;

/** The shape `details.trace` has (src/methods/mamm-refine/trace-record.ts); the page imports no Node code. */
interface DebateRecord {
  consensus: boolean;
  answer: Answer;
  rounds: Array<{ round: number; votes: Array<{ answer: Answer; reasoning: string }> }>;
}

interface CollaborationRecord {
  drafts: string[];
  chosen: number | null;
  rerank?: DebateRecord;
}

interface MammDetails {
  sentences: string[];
  labels: ("yes" | "no" | null)[];
  critiques: (string | null)[];
  refinedText: string;
  changed: boolean;
  faithfulness?: number;
  faithfulnessBefore?: number;
  supportedFraction?: number;
  supportedFractionBefore?: number;
  calls?: Record<string, { calls: number }>;
  trace?: {
    detect: DebateRecord[];
    critique: (CollaborationRecord | null)[];
    refine: CollaborationRecord | null;
  };
}

function isMamm(details: unknown): details is MammDetails {
  const d = details as Partial<MammDetails> | null;
  return (
    Array.isArray(d?.sentences) && Array.isArray(d?.labels) && typeof d?.refinedText === "string"
  );
}

/** Rounds × agents: each cell the agent's answer after that round, its reasoning as a tooltip. */
function debateGrid(debate: DebateRecord, label: string, show: (a: Answer) => string): HTMLElement {
  const agents = Math.max(0, ...debate.rounds.map((r) => r.votes.length));
  return el(
    "table",
    { class: "plain debate", "aria-label": label },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, "round"),
        ...Array.from({ length: agents }, (_, a) => el("th", { scope: "col" }, `agent ${a + 1}`)),
      ),
    ),
    el(
      "tbody",
      {},
      ...debate.rounds.map((r) =>
        el(
          "tr",
          {},
          el("td", { class: "num" }, r.round),
          ...r.votes.map((v) =>
            el(
              "td",
              { title: v.reasoning, class: v.answer === null ? "small" : "" },
              el("strong", {}, v.answer === null ? "–" : show(v.answer)),
              v.reasoning ? el("span", { class: "small" }, ` ${v.reasoning}`) : null,
            ),
          ),
        ),
      ),
    ),
    el(
      "caption",
      {},
      debate.consensus ? "consensus: " : "no consensus, final agent: ",
      el("strong", {}, debate.answer === null ? "none" : show(debate.answer)),
    ),
  );
}

/** Drafts with the chosen one marked, then the rerank debate that chose it. */
function collaboration(c: CollaborationRecord, what: string): HTMLElement {
  return el(
    "div",
    { class: "collab" },
    el(
      "ol",
      { "aria-label": `${what} drafts` },
      ...c.drafts.map((d, i) =>
        el("li", { class: i === c.chosen ? "chosen" : "" }, d, i === c.chosen ? " ✓ chosen" : ""),
      ),
    ),
    c.rerank
      ? debateGrid(c.rerank, `${what} rerank debate`, (a) => `draft ${Number(a) + 1}`)
      : null,
  );
}

const change = (name: string, before: number | undefined, after: number | undefined) =>
  before === undefined && after === undefined ? "" : ` · ${name} ${fmt(before)} → ${fmt(after)}`;

/**
 * MAMM-Refine (and its DCR baseline): per sentence, the DETECT debate (votes per round, consensus),
 * then the CRITIQUE drafts and rerank for flagged sentences, then the REFINE drafts and the refined
 * text as a word diff against the input, with faithfulness before → after.
 */
export function mammRefinePanel(details: unknown): HTMLElement | null {
  if (!isMamm(details)) return null;
  const trace = details.trace;
  const original = details.sentences.join(" ");
  return el(
    "section",
    { class: "panel", "aria-label": "MAMM-Refine" },
    el("h2", {}, "MAMM-Refine: detect → critique → refine"),
    el(
      "p",
      { class: "facts" },
      details.changed ? "refined" : "unchanged",
      change("faithfulness", details.faithfulnessBefore, details.faithfulness),
      change("supported fraction", details.supportedFractionBefore, details.supportedFraction),
      details.calls
        ? ` · calls ${Object.entries(details.calls)
            .map(([stage, c]) => `${stage} ${c.calls}`)
            .join(", ")}`
        : "",
    ),
    el(
      "ol",
      { class: "sentences", "aria-label": "sentences" },
      ...details.sentences.map((sentence, i) => {
        const label = details.labels[i] ?? null;
        const debate = trace?.detect[i];
        const critique = trace?.critique[i];
        return el(
          "li",
          {},
          el(
            "span",
            { class: label === "no" ? "bad" : label === "yes" ? "good" : "small" },
            label === "no" ? "unfaithful" : label === "yes" ? "faithful" : "no verdict",
          ),
          " ",
          sentence,
          debate ? debateGrid(debate, `detect debate ${i + 1}`, String) : null,
          critique ? collaboration(critique, `critique ${i + 1}`) : null,
          !critique && details.critiques[i]
            ? el("p", { class: "small" }, `critique: ${details.critiques[i]}`)
            : null,
        );
      }),
    ),
    trace?.refine ? el("h3", {}, "Refine drafts") : null,
    trace?.refine ? collaboration(trace.refine, "refine") : null,
    el("h3", {}, "Refined text against the input"),
    diffView(diffWords(original, details.refinedText), "refinement diff"),
    trace
      ? null
      : el(
          "p",
          { class: "hint" },
          "This run's records predate the debate trace: votes per round are not shown.",
        ),
  );
}
