import type { EvalItem } from "../evals/eval-item.ts";
import type { EvalContext, ItemUsage, MethodOutput } from "../evals/eval-method.ts";
import type { ModelSource } from "../evals/model-source.ts";
import { metered, meterModel } from "../evals/usage-meter.ts";
import type { ChatMessage } from "../model/language-model.ts";
import { HttpError } from "./http-error.ts";
import type { ServedModels } from "./model-source.ts";
import type { VirtualModel } from "./served-methods.ts";
import { signalledModel } from "./signalled-model.ts";

/** One chat request to a virtual model `<method>:<model>`. */
export interface MethodRequest {
  virtual: VirtualModel;
  messages: readonly ChatMessage[];
  /** The request's `documents` field: AdaCAD's context, before any system message. */
  documents?: readonly string[];
  /** The method's seed (its sampling derives from it); default 0. */
  seed?: number;
  id: string;
  signal: AbortSignal;
}

/** The method's output, the text a client gets, and every internal call's tokens. */
export interface MethodAnswer {
  content: string;
  output: MethodOutput;
  usage: ItemUsage;
}

/**
 * The chat as an eval item: the last user message is the question; the context (AdaCAD's) is
 * the `documents`, else the system messages. There is no gold answer.
 */
export function chatItem(request: MethodRequest): EvalItem {
  const question = request.messages.findLast((m) => m.role === "user")?.content;
  if (question === undefined || question.trim() === "") {
    throw new HttpError(
      400,
      `${request.virtual.name} answers the last user message; send one`,
      "invalid_request_error",
      "messages",
    );
  }
  const system = request.messages.filter((m) => m.role === "system").map((m) => m.content);
  const context = (request.documents?.length ? request.documents : system).join("\n\n");
  return {
    id: `chat-${request.id}`,
    question,
    answer: "",
    answerType: request.virtual.answerType,
    meta: context.trim() !== "" ? { context } : {},
  };
}

/**
 * Runs the method on the chat: each role is played by the served model the virtual model's roles
 * name, else by its base model; each internal call is metered and stops when the client goes away.
 */
export async function runMethod(
  served: ServedModels,
  request: MethodRequest,
): Promise<MethodAnswer> {
  const { virtual, signal } = request;
  const item = chatItem(request);
  const others = Object.values(virtual.roles).filter((name) => name !== virtual.model);
  const models: ModelSource = {
    names: [virtual.model, ...new Set(others)],
    nameFor: (role) => virtual.roles[role] ?? virtual.model,
    use: (name, fn) => served.use(name, (model) => fn(meterModel(signalledModel(model, signal)))),
  };
  const context: EvalContext = {
    models,
    seed: request.seed ?? 0,
    options: virtual.settings,
    dataset: { name: "chat", split: "request", answerType: virtual.answerType },
    // one item per request: nothing to share or to split between items
    reuse: (_key, compute) => compute(),
    forItem: (_id, fn) => fn(),
    signal,
    log: () => {},
  };
  const { method } = virtual;
  const { value: output, usage } = await metered(async () => {
    if (method.runItem) return method.runItem(item, context);
    const outputs = await method.runBatch!([item], context);
    return outputs[0]!;
  });
  signal.throwIfAborted();
  return { content: output.response ?? output.prediction ?? "", output, usage };
}
