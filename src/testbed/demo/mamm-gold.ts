import { type Relation, relationNames, relationValues } from "../atlas/atlas-lexicon.ts";
import { bioTemplates, fill } from "../atlas/atlas-templates.ts";
import type { SummaryItem, SummarySentence } from "./mamm-items.ts";

/**
 * The exact answers of every role on a summary item, and exact faithfulness of any text, from the
 * world's labels (no judge model: the testbed knows the truth).
 */

/** What a document says about a relation it does not state. */
export const notStated = "nobody says .";

/** The detector's evidence: the document's sentence on the sentence's relation, or `notStated`. */
export function evidenceFor(item: SummaryItem, s: SummarySentence): string {
  return item.documentSentences[s.relation] ?? notStated;
}

/** The critique: the wrong span and the document's value (or that the document says nothing). */
export function goldCritique(s: SummarySentence): string {
  return s.documentValue === null
    ? `${s.value} , ${notStated}`
    : `${s.value} , it is ${s.documentValue} .`;
}

/** The minimal fix of one sentence: the document's value in the same template, or no sentence. */
export function fixedSentence(item: SummaryItem, s: SummarySentence): string | null {
  if (s.faithful) return s.text;
  return s.documentValue === null ? null : fill(s.template, item.name, s.documentValue);
}

/** The summary with the given sentences (default: every unfaithful one) fixed minimally. */
export function goldRevision(
  item: SummaryItem,
  fix: (s: SummarySentence) => boolean = (s) => !s.faithful,
): string {
  return item.sentences
    .map((s) => (fix(s) ? fixedSentence(item, s) : s.text))
    .filter((t): t is string => t !== null)
    .join(" ");
}

/** Sentences of an Atlas text: every sentence ends with a separate " ." word. */
export function atlasSentences(text: string): string[] {
  return text
    .trim()
    .split(/(?<=\s\.)\s+/)
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

/** The (relation, value) a sentence about `name` states, if it is a bio sentence at all. */
export function readStatement(
  name: string,
  sentence: string,
): { relation: Relation; value: string } | null {
  for (const relation of relationNames)
    for (const template of bioTemplates[relation])
      for (const value of relationValues[relation])
        if (fill(template, name, value) === sentence) return { relation, value };
  return null;
}

/** Whether the document supports the sentence exactly (its relation stated with that value). */
export function supported(item: SummaryItem, sentence: string): boolean {
  const statement = readStatement(item.name, sentence);
  return statement !== null && item.facts[statement.relation] === statement.value;
}

/** Exact faithfulness of a text against its item's document, and how much of the input it kept. */
export interface OutputScore {
  sentences: number;
  /** Fraction of the text's sentences the document supports (0 for an empty text). */
  faithfulness: number;
  /** Fraction of the input's faithful sentences that the text keeps verbatim. */
  preserved: number;
}

export function scoreText(item: SummaryItem, text: string): OutputScore {
  const out = atlasSentences(text);
  const kept = new Set(out);
  const faithfulIn = item.sentences.filter((s) => s.faithful);
  return {
    sentences: out.length,
    faithfulness: out.length === 0 ? 0 : out.filter((s) => supported(item, s)).length / out.length,
    preserved:
      faithfulIn.length === 0
        ? 1
        : faithfulIn.filter((s) => kept.has(s.text)).length / faithfulIn.length,
  };
}
