import type { LanguageModel } from "../../model/language-model.ts";
import { twoWayProbability } from "../../scoring/two-token-probability.ts";

/** P(the model accepts an answer to a question); stored on tree nodes, not used for pairs. */
export interface ConfidenceProbe {
  probe(question: string, answer: string): Promise<number>;
}

const shots = `Decide whether the proposed answer to the question is correct. Reply with yes or no.

Question: What is the largest ocean on Earth?
Proposed answer: Pacific
Do you accept the answer? yes

Question: Who painted the Mona Lisa?
Proposed answer: Picasso
Do you accept the answer? no`;

/**
 * P(yes) / (P(yes) + P(no)) of the next token after a few-shot "Do you accept the answer?"
 * prompt. When the model returns no alternatives (or neither label is among them), it falls back
 * to constrained generation (a yes/no JSON enum where the engine has `jsonSchema`, else greedy
 * text), which gives 1, 0, or 0.5 for anything else.
 */
export function confidenceProbe(model: LanguageModel): ConfidenceProbe {
  return {
    async probe(question, answer) {
      const prompt = `${shots}\n\nQuestion: ${question}\nProposed answer: ${answer}\nDo you accept the answer?`;
      const messages = [{ role: "user" as const, content: prompt }];
      if (model.capabilities.logprobs !== "none") {
        const r = await model.generate({ messages, maxTokens: 1, temperature: 0, logprobs: 20 });
        const top = r.generations[0]?.logprobs?.[0]?.top ?? [];
        const p = twoWayProbability(top, ["yes"], ["no"]);
        if (p !== undefined) return p;
      }
      const constrained = model.capabilities.jsonSchema;
      const r = await model.generate({
        messages,
        temperature: 0,
        maxTokens: constrained ? 8 : 3,
        ...(constrained ? { jsonSchema: { enum: ["yes", "no"] } } : {}),
      });
      const text = (r.generations[0]?.text ?? "").replace(/"/g, "").trim().toLowerCase();
      return text.startsWith("yes") ? 1 : text.startsWith("no") ? 0 : 0.5;
    },
  };
}
