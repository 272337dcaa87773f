import type { LanguageModel } from "../../model/language-model.ts";

/**
 * Turns one reply into a short answer or one of the special outputs "Agree" (only agrees, no
 * answer of its own), "Disagree" (only disagrees) and "NONE" (no answer).
 */
export interface AnswerExtractor {
  extract(question: string, reply: string): Promise<string>;
}

const fewShot = `Extract the final answer that the response gives to the question, in one or two words.
If the response only agrees with someone else without stating an answer, write "Agree".
If it only disagrees without stating an answer, write "Disagree". If it gives no answer, write "NONE".

Question: Which planet is known as the Red Planet?
Response: I'm quite sure it is Mars, because of its iron oxide surface.
Final Answer: Mars

Question: Who wrote Hamlet?
Response: You make a good point, I agree with you.
Final Answer: Agree

Question: What is the capital of Australia?
Response: No, I don't think that's right.
Final Answer: Disagree

Question: How many legs does a spider have?
Response: That is a great question to think about.
Final Answer: NONE`;

/** The official post-processing of an extractor's text (spec 3.3). */
export function cleanExtracted(text: string): string {
  let t = text;
  const at = t.lastIndexOf("Final Answer:");
  if (at >= 0) t = t.slice(at + "Final Answer:".length);
  t = t.trim().split("\n")[0]!.trim();
  t = t.replace(/\.+$/, "").trim();
  if (/^agree\b/i.test(t)) return "Agree";
  if (/^disagree\b/i.test(t)) return "Disagree";
  const paren = /^(\S+)\s*\(/.exec(t);
  if (paren) t = paren[1]!;
  return t === "" || /^none$/i.test(t) ? "NONE" : t;
}

/**
 * An LLM extractor (Mistral-7B-Instruct in the paper): few-shot, sees the question and only the
 * latest reply, greedy, 15 new tokens, the assistant turn forced to start with "Final Answer:".
 */
export function llmExtractor(model: LanguageModel): AnswerExtractor {
  return {
    async extract(question, reply) {
      const content = `${fewShot}\n\nQuestion: ${question}\nResponse: ${reply.trim()}\nFinal Answer:`;
      const r = await model.generate({
        messages: [{ role: "user", content }],
        prefill: "Final Answer:",
        temperature: 0,
        maxTokens: 15,
      });
      return cleanExtracted(r.generations[0]?.text ?? "");
    },
  };
}

/**
 * The exact extractor of the testbed's transcript dialogues (design §5: exact checks replace the
 * LLM extractor): "… it is x ." → x; "you are right" with no value → Agree; a bare "no" →
 * Disagree; a short "x ." → x; anything else NONE.
 */
export const transcriptExtractor: AnswerExtractor = {
  async extract(_question, reply) {
    const sentence = reply.trim().toLowerCase().split(" .")[0]!.trim();
    const stated = /\bit is ([a-z][a-z ]*)$/.exec(sentence);
    if (stated) return stated[1]!.trim();
    if (/^you are right\b/.test(sentence)) return "Agree";
    if (/^no\b[ ,]*$/.test(sentence)) return "Disagree";
    if (/^[a-z][a-z ]*$/.test(sentence) && sentence.split(" ").length <= 3) return sentence;
    return "NONE";
  },
};
