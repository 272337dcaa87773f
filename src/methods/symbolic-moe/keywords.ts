import type { ChatMessage } from "../../model/language-model.ts";

/** The annotator's prompt: which skills a question needs, as 2–5 comma-separated keywords. */
export function keywordMessages(question: string): ChatMessage[] {
  return [
    {
      role: "user",
      content:
        `Question: ${question.trim()}\n\n` +
        "Which core knowledge areas, subjects or skills does answering this question require? " +
        "Give 2 to 5 short keywords separated by commas, for instance: algebra, organic chemistry, " +
        "contract law, virology, macroeconomics, probability, anatomy, moral philosophy, accounting. " +
        "Reply with the keywords only, in this form:\nKeywords: <keyword 1>, <keyword 2>, ...",
    },
  ];
}

/**
 * One annotator sample's keywords: the text after the last "Keywords:" (the whole text when
 * there is none), split on commas, trimmed, lower-cased, periods removed; empty ones dropped.
 */
export function parseKeywords(text: string): string[] {
  const at = text.lastIndexOf("Keywords:");
  const tail = at >= 0 ? text.slice(at + "Keywords:".length) : text;
  return tail
    .split(",")
    .map((k) => k.trim().toLowerCase().replaceAll(".", "").trim())
    .filter((k) => k !== "");
}

/**
 * The frequency filter over all samples of one question: keywords longer than `maxLength` (20)
 * are dropped, then only those proposed more than once across the pooled samples survive (twice
 * in one sample counts), deduplicated in order of first appearance.
 */
export function filterKeywords(samples: readonly (readonly string[])[], maxLength = 20): string[] {
  const pooled = samples.flat().filter((k) => k.length <= maxLength);
  const counts = new Map<string, number>();
  for (const k of pooled) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].filter(([, c]) => c > 1).map(([k]) => k);
}
