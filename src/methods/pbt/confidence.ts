import type { LanguageModel } from "../../model/language-model.ts";
import { labelProbability } from "./label-probability.ts";

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
 * P(yes) / (P(yes) + P(no)) after a few-shot "Do you accept the answer?" prompt (spec 3.3), with
 * constrained generation as the fallback where the engine gives no token alternatives.
 */
export function confidenceProbe(model: LanguageModel): ConfidenceProbe {
  return {
    probe: (question, answer) =>
      labelProbability(
        model,
        [
          {
            role: "user",
            content: `${shots}\n\nQuestion: ${question}\nProposed answer: ${answer}\nDo you accept the answer?`,
          },
        ],
        "yes",
        "no",
      ),
  };
}
