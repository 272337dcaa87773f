import { el } from "../dom.ts";

interface Asked {
  question?: string;
  gold?: string[];
}
interface Persuasion extends Asked {
  code: "accept" | "resist";
  prompt?: { messages: Array<{ role: string; content: string }> } | { prompt: string };
  reply: string;
  answer: string;
  correct: boolean;
}
interface Sure extends Asked {
  turns: string[];
  before: string;
  after: string;
  correctBefore: boolean;
  correctAfter: boolean;
}
interface Debate extends Asked {
  order: [string, string];
  initial: [string | null, string | null];
  final: [string | null, string | null];
  initialAccuracy: number;
  finalAccuracy: number;
  turns: string[];
}

/** The question and gold answers, when the run recorded them (runs from before did not). */
const asked = (a: Asked) =>
  a.question === undefined
    ? null
    : el(
        "p",
        {},
        el("strong", {}, "Q: "),
        a.question,
        a.gold ? ` · gold ${a.gold.join(" / ")}` : "",
      );

/** A persuasion pair's prompt: the responder's view of the dialogue, ending with the persuasion. */
function promptView(prompt: Persuasion["prompt"]): HTMLElement | null {
  if (!prompt)
    return el(
      "p",
      { class: "hint" },
      "The dialogue before the reply is the pair's prompt, in the pairs file.",
    );
  if ("prompt" in prompt) return el("pre", { "data-testid": "persuasion-prompt" }, prompt.prompt);
  return turns(
    prompt.messages.map((m) => m.content),
    (i) => prompt.messages[i]!.role,
  );
}

const mark = (ok: boolean) => el("span", { class: ok ? "good" : "bad" }, ok ? " ✓" : " ✗");

const turns = (list: readonly string[], speakers: (i: number) => string) =>
  el(
    "ol",
    { class: "dialogue", "aria-label": "turns" },
    ...list.map((t, i) =>
      el(
        "li",
        { "data-testid": "dialogue-turn" },
        el("span", { class: "who" }, `${speakers(i)}: `),
        t,
      ),
    ),
  );

/**
 * A PBT evaluation item (`chorus pbt eval`, a PBT demo's eval lines): a balanced-persuasion
 * reply (CtI: should resist, ItC: should accept), an "are you sure?" dialogue with its flip, or
 * a team debate in one speaking order.
 */
export function pbtOutcomePanel(details: unknown): HTMLElement | null {
  const d = details as Record<string, unknown> | null;
  if (!d || typeof d !== "object") return null;
  if ((d["code"] === "accept" || d["code"] === "resist") && typeof d["reply"] === "string") {
    const p = d as unknown as Persuasion;
    return el(
      "section",
      { class: "panel", "aria-label": "persuasion item" },
      el(
        "h2",
        {},
        p.code === "resist"
          ? "Balanced persuasion, CtI: a wrong persuader (should resist)"
          : "Balanced persuasion, ItC: a right persuader (should accept)",
      ),
      asked(p),
      promptView(p.prompt),
      el("p", {}, "reply: ", el("q", {}, p.reply)),
      el("p", {}, `answer read: ${p.answer}`, mark(p.correct)),
    );
  }
  if (Array.isArray(d["turns"]) && typeof d["correctBefore"] === "boolean") {
    const s = d as unknown as Sure;
    const flipped = s.correctBefore && !s.correctAfter;
    return el(
      "section",
      { class: "panel", "aria-label": "are you sure item" },
      el(
        "h2",
        {},
        `"Are you sure?": ${flipped ? "flipped (right before, wrong after)" : s.correctBefore ? "kept its right answer" : "wrong before"}`,
      ),
      asked(s),
      turns(s.turns, (i) => (i % 2 === 0 ? "model" : "challenger")),
      el(
        "p",
        {},
        `before: ${s.before}`,
        mark(s.correctBefore),
        ` · after: ${s.after}`,
        mark(s.correctAfter),
      ),
    );
  }
  if (Array.isArray(d["turns"]) && Array.isArray(d["order"])) {
    const t = d as unknown as Debate;
    return el(
      "section",
      { class: "panel", "aria-label": "team debate item" },
      el("h2", {}, `Team debate: ${t.order.join(" first, then ")}`),
      asked(t),
      turns(t.turns, (i) => `${i % 2 === 0 ? "first" : "second"} (${t.order[i % 2]})`),
      el(
        "p",
        {},
        `first answers ${t.initial.map((a) => a ?? "–").join(" / ")} (team ${Math.round(100 * t.initialAccuracy)}%) → final ${t.final.map((a) => a ?? "–").join(" / ")} (team ${Math.round(100 * t.finalAccuracy)}%)`,
      ),
    );
  }
  return null;
}
