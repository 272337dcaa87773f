import { article, type Relation } from "./atlas-lexicon.ts";

/**
 * Sentence and question templates of Atlas. `{n}` is a person's name, `{v}` the value and `{a}`
 * its article. Every template is lowercase with punctuation as separate words, so a word-level
 * tokenizer gives one token per word.
 */
type Templates = Record<Relation, readonly string[]>;

/** Bio sentences, several per relation (Physics of LMs 3.1: one fixed format is not extractable). */
export const bioTemplates: Templates = {
  city: [
    "{n} lives in {v} .",
    "{n} has a home in {v} .",
    "the city of {n} is {v} .",
    "{n} grew up in {v} and still lives there .",
  ],
  job: [
    "{n} works as {a} {v} .",
    "{n} earns a living as {a} {v} .",
    "the job of {n} is {v} .",
    "by trade , {n} is {a} {v} .",
  ],
  pet: [
    "{n} has {a} {v} as a pet .",
    "the pet of {n} is {a} {v} .",
    "{n} takes care of a pet {v} .",
    "at home , {n} keeps {a} {v} .",
  ],
  color: [
    "the favorite color of {n} is {v} .",
    "{n} likes the color {v} best .",
    "{n} loves the color {v} .",
    "{n} paints everything {v} .",
  ],
  sport: [
    "{n} plays {v} .",
    "the sport of {n} is {v} .",
    "{n} spends every weekend on {v} .",
    "{n} is good at {v} .",
  ],
  instrument: [
    "{n} plays the {v} .",
    "the instrument of {n} is the {v} .",
    "{n} practices the {v} every day .",
    "{n} can play the {v} well .",
  ],
};

/**
 * Closed-book questions, four per relation. The last one is held out: it never appears in the
 * corpus and is the evaluation probe (can the model retrieve a fact in a wording it never saw?).
 * Its words all occur elsewhere in the corpus, so it is new wording, never new tokens.
 */
export const questionTemplates: Templates = {
  city: [
    "where does {n} live ?",
    "which city does {n} live in ?",
    "in what city is the home of {n} ?",
    "what is the city of {n} ?",
  ],
  job: [
    "what is the job of {n} ?",
    "what does {n} do for a living ?",
    "{n} works as what ?",
    "which job does {n} have ?",
  ],
  pet: [
    "what is the pet of {n} ?",
    "which pet does {n} have ?",
    "what animal does {n} keep at home ?",
    "{n} has which pet ?",
  ],
  color: [
    "what is the favorite color of {n} ?",
    "which color does {n} like best ?",
    "what color does {n} love ?",
    "{n} likes which color ?",
  ],
  sport: [
    "what sport does {n} play ?",
    "which sport is {n} good at ?",
    "what is the sport of {n} ?",
    "{n} plays which sport ?",
  ],
  instrument: [
    "what instrument does {n} play ?",
    "which instrument can {n} play ?",
    "what is the instrument of {n} ?",
    "{n} plays which instrument ?",
  ],
};

/** Index of the held-out question template of every relation. */
export const heldOutQuestion = 3;
/** Question templates the corpus may use. */
export const trainingQuestions = [0, 1, 2] as const;

/** Fills a template. */
export function fill(template: string, name: string, value = ""): string {
  return template.replace("{n}", name).replace("{a}", article(value)).replace("{v}", value);
}

/** `Q: <question> A: <value> .` in question template `template`. */
export function qaPair(name: string, relation: Relation, value: string, template: number): string {
  return `Q: ${fill(questionTemplates[relation][template]!, name)} A: ${value} .`;
}
