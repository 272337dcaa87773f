import type { ChatMessage, LanguageModel } from "../../model/language-model.ts";
import type { DebugTask } from "./debug-task.ts";
import { type CallUsage, ModelCalls } from "./model-calls.ts";
import { extractCode } from "./parse-unit-test.ts";
import { debugChatStart, selfReviewMessage } from "./prompts.ts";
import type { Sampling } from "./utdebug-config.ts";

/** One round of the no-unit-test baseline. */
export interface SelfDebugRound {
  round: number;
  verdict: "correct" | "incorrect" | "unclear";
  /** The code after this round. */
  code: string;
  changed: boolean;
}

/**
 * The no-UT baseline (spec 3.8, `no_ut_*.py`): the debugger judges its code itself, without
 * running anything, and rewrites it when it calls it incorrect; it stops once it says "correct".
 */
export async function selfDebug(
  task: DebugTask,
  model: LanguageModel,
  options: { rounds?: number; sampling?: Sampling; seed?: number; signal?: AbortSignal } = {},
): Promise<{
  finalCode: string;
  rounds: SelfDebugRound[];
  history: ChatMessage[];
  usage: CallUsage;
}> {
  const rounds = options.rounds ?? 3;
  const sampling = options.sampling ?? { temperature: 0.7, topP: 0.9, maxTokens: 8192 };
  const calls = new ModelCalls(options.seed ?? 0, options.signal);
  let history: ChatMessage[] = [...debugChatStart(task), selfReviewMessage(task.language)];
  let code = task.buggyCode;
  const trace: SelfDebugRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    const reply =
      (await calls.generate(model, { messages: history, n: 1, ...sampling })).generations[0]
        ?.text ?? "";
    const said = [...reply.matchAll(/Verdict:\s*\**\s*(correct|incorrect)/gi)].at(-1)?.[1];
    const verdict = said ? (said.toLowerCase() as "correct" | "incorrect") : "unclear";
    // only a fenced block counts as new code: a bare verdict must not replace the program
    const proposed =
      verdict !== "correct" && reply.includes("```") ? extractCode(reply) : undefined;
    const changed = proposed !== undefined && proposed.trim() !== "" && proposed !== code;
    if (changed) code = proposed;
    trace.push({ round, verdict, code, changed });
    if (verdict === "correct") break;
    history = [...history, { role: "assistant", content: reply }, selfReviewMessage(task.language)];
  }
  return { finalCode: code, rounds: trace, history, usage: calls.usage };
}
