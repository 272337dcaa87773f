import type { LanguageModel } from "../../model/language-model.ts";
import { isCorrect, resolveDisagree } from "./answers.ts";
import type { AnswerSlots, DialogueTree } from "./dialogue-tree.ts";
import { labelProbability } from "./label-probability.ts";
import type { PersuasionPair } from "./sibling-pairs.ts";

const special = /^(agree|disagree|none)$/i;

/**
 * The filter model's step 1 (`model_filtering`, spec 3.4): for every node with two real
 * answers, ask whether they differ substantially; when the model says they agree, both slots
 * take the correct one if either is correct, else slot 1 takes slot 0. Returns the re-annotated
 * slots (after "Disagree" resolution) for `PairOptions.answers`.
 */
export async function reannotate(tree: DialogueTree, judge: LanguageModel): Promise<AnswerSlots[]> {
  const slots = resolveDisagree(tree);
  for (const n of tree.nodes) {
    const [a, b] = slots[n.index]!;
    if (n.parent < 0 || a === null || b === null || special.test(a) || special.test(b)) continue;
    if (a.trim().toLowerCase() === b.trim().toLowerCase()) continue;
    const content = `Question: ${tree.question}\nAnswer 1: ${a}\nAnswer 2: ${b}\nDo these two answers agree (they name the same thing) or disagree (they differ substantially)? Reply with agree or disagree.`;
    const pAgree = await labelProbability(judge, [{ role: "user", content }], "agree", "disagree");
    if (pAgree <= 0.5) continue;
    const right = isCorrect(a, tree.gold) ? a : isCorrect(b, tree.gold) ? b : a;
    slots[n.index] = [right, right];
  }
  return slots;
}

/** Whether a reply agrees with the other speaker (P(agree) > 0.5 by the filter model). */
export async function agrees(judge: LanguageModel, reply: string): Promise<boolean> {
  const content = `Here is a reply in a discussion:\n"${reply.trim()}"\nDoes the speaker agree with the other person or disagree with them? Reply with agree or disagree.`;
  return (await labelProbability(judge, [{ role: "user", content }], "agree", "disagree")) > 0.5;
}

/**
 * The filter model's step 6: accept pairs are kept when the chosen reply agrees and the rejected
 * one disagrees, resist pairs the reverse.
 */
export async function verifyPair(judge: LanguageModel, pair: PersuasionPair): Promise<boolean> {
  const [chosen, rejected] = [await agrees(judge, pair.chosen), await agrees(judge, pair.rejected)];
  return pair.code === "accept" ? chosen && !rejected : !chosen && rejected;
}
