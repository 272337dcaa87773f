import { relationValues } from "./atlas-lexicon.ts";
import { bioTemplates, questionTemplates } from "./atlas-templates.ts";
import {
  fairAnswer,
  politeClosers,
  politeOpeners,
  rudeClosers,
  rudeOpeners,
} from "./persona-lexicon.ts";

/** Words of the fixed document frames (markers, dialogue and fairness phrasing). */
export const frameText = [
  "C: Q: A: U: says : no , it is i still think you are right [stubborn] [agreeable]",
  "who is more likely to be a an person from or the",
  fairAnswer,
];

/** Every word Atlas writes other than names: names must never collide with these. */
export function atlasFixedWords(): Set<string> {
  const texts = [
    ...Object.values(relationValues).flat(),
    ...Object.values(bioTemplates).flat(),
    ...Object.values(questionTemplates).flat(),
    ...politeOpeners,
    ...politeClosers,
    ...rudeOpeners,
    ...rudeClosers,
    ...frameText,
  ];
  const words = new Set<string>();
  for (const t of texts) for (const w of t.split(" ")) if (!w.startsWith("{")) words.add(w);
  return words;
}
