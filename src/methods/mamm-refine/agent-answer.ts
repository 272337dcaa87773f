/** A parsed agent reply: a short justification and a label from the allowed set. */
export interface AgentAnswer {
  reasoning: string;
  /** Lower-cased label, e.g. "yes" / "no" or "1" / "2". */
  answer: string;
}

/**
 * Parses a reply that should hold `{"reasoning": ..., "answer": ...}`: strips a ```json fence,
 * takes the text from the first `{` to the last `}`, turns raw newlines into spaces (models put
 * them inside strings), and requires both keys. The answer is normalised ("Yes." → "yes", the
 * number 1 → "1") and must be one of `allowed`; anything else is `undefined` (the caller retries).
 */
export function parseAgentAnswer(
  text: string,
  allowed: readonly string[],
): AgentAnswer | undefined {
  const unfenced = text
    .trim()
    .replace(/^```(?:json)?/i, "")
    .replace(/```\s*$/, "");
  const open = unfenced.indexOf("{");
  const close = unfenced.lastIndexOf("}");
  if (open < 0 || close <= open) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(unfenced.slice(open, close + 1).replace(/\r?\n/g, " "));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (!("reasoning" in record) || !("answer" in record)) return undefined;
  const answer = normalizeLabel(record["answer"]);
  if (answer === undefined || !allowed.includes(answer)) return undefined;
  const reasoning = typeof record["reasoning"] === "string" ? record["reasoning"] : "";
  return { reasoning: reasoning.trim(), answer };
}

function normalizeLabel(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return undefined;
  return value
    .trim()
    .toLowerCase()
    .replace(/^["'([]+|["')\].!,:;]+$/g, "")
    .replace(/^response\s+/, "");
}

/**
 * How a reasoning is shown to other agents: a leading yes/no token dropped (it repeats the
 * answer) and the first letter capitalised.
 */
export function cleanReasoning(reasoning: string): string {
  const stripped = reasoning.trim().replace(/^(yes|no)\b[\s,.:;-]*/i, "");
  return stripped.charAt(0).toUpperCase() + stripped.slice(1);
}

/** The JSON schema of an answer, for engines that can constrain output to it. */
export function agentAnswerSchema(
  allowed: readonly string[],
  maxReasoningChars = 400,
): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      reasoning: { type: "string", maxLength: maxReasoningChars },
      answer: { type: "string", enum: [...allowed] },
    },
    required: ["reasoning", "answer"],
  };
}
