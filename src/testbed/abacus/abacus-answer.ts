import { wordCount } from "../atlas/atlas-corpus.ts";
import type { AbacusItem } from "./abacus-eval.ts";
import type { AbacusSkill } from "./abacus-skills.ts";
import type { Working } from "./column-working.ts";

/** Where the final answer starts in a rationale: chain and prog answers follow their working. */
const answerMarkers: Partial<Record<AbacusSkill, string>> = {
  chain: "answer :",
  prog: "output :",
};

/**
 * The final answer in a completion of an Abacus prompt (the text after `A:`), in the form of
 * `AbacusItem.answer`: the words after the skill's answer marker (chain `answer :`, prog
 * `output :`; add and sub `answer :` in a world with `columns` working; the other simple skills
 * answer at once) up to the ` .` that ends them. Only the first task counts: a model that goes
 * on into a next `Q:` is not read there. "" when the completion never reaches the marker.
 */
export function abacusFinalAnswer(
  skill: AbacusSkill,
  completion: string,
  working: Working = "none",
): string {
  let text = completion.split(/(?:^|\s)Q:/)[0]!;
  const worked = working === "columns" && (skill === "add" || skill === "sub");
  const marker = worked ? "answer :" : answerMarkers[skill];
  if (marker !== undefined) {
    const at = text.indexOf(marker);
    if (at < 0) return "";
    text = text.slice(at + marker.length);
  }
  const end = text.search(/(?:^|\s)\.(?:\s|$)/);
  return (end >= 0 ? text.slice(0, end) : text).trim().replace(/\s+/g, " ");
}

/**
 * Tokens a greedy probe of `item` needs: its reference solution and the closing ` .` (one token
 * per word in the corpus vocabulary) plus two spare, so a right answer always fits and a probe
 * costs no more than a little past it.
 */
export function abacusProbeTokens(item: AbacusItem): number {
  return wordCount(item.solution) + 3;
}
