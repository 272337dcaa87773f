import type { PromptInput } from "../model/prompt-tokens.ts";
import { HttpError } from "./http-error.ts";
import { parseChatRequest } from "./openai-request.ts";
import { type RequestContext, requireModel, sendJson } from "./request-context.ts";

/**
 * `POST /tokenize` (vLLM's, at the server root): `{model, prompt, add_special_tokens}` or
 * `{model, messages}` → `{count, tokens, token_strs?}`. Messages render as for generation: with an
 * open assistant turn, a trailing assistant message continued (what vLLM's
 * `continue_final_message` asks for). chorus's OpenAI engine finds the tokens to score with it.
 */
export async function tokenize(
  context: RequestContext,
  body: Record<string, unknown>,
): Promise<void> {
  const model = body.model;
  if (typeof model !== "string" || model === "") {
    throw new HttpError(400, "model is required", "invalid_request_error", "model");
  }
  requireModel(context.models, model);
  let input: PromptInput;
  if (typeof body.prompt === "string") {
    input = { prompt: body.prompt, special: body.add_special_tokens !== false };
  } else if (Array.isArray(body.messages)) {
    const chat = parseChatRequest({ model, messages: body.messages });
    input = {
      messages: chat.messages,
      ...(chat.prefill !== undefined ? { prefill: chat.prefill } : {}),
    };
  } else {
    throw new HttpError(
      400,
      "send prompt (a string) or messages (a chat)",
      "invalid_request_error",
      "prompt",
    );
  }
  const tokens = await context.models.use(model, async (m) => {
    if (!m.tokenize) {
      throw new HttpError(
        400,
        `model "${model}" (${m.provider}) has no tokenizer chorus serve can reach`,
        "invalid_request_error",
        "model",
        "unsupported",
      );
    }
    return m.tokenize(input);
  });
  sendJson(context.response, 200, {
    count: tokens.ids.length,
    tokens: tokens.ids,
    ...(body.return_token_strs === true ? { token_strs: tokens.tokens } : {}),
  });
}
