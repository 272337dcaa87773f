import { ChorusError } from "../../model/errors.ts";

/**
 * A prompt exceeded `maxPromptTokens`. The AdaCAD reference skips such items instead of
 * truncating them; evaluations catch this error and count the skip in the denominator.
 */
export class PromptTooLongError extends ChorusError {
  override name = "PromptTooLongError";
  constructor(
    readonly promptTokens: number,
    readonly maxPromptTokens: number,
  ) {
    super(
      `prompt has ${promptTokens} tokens, more than maxPromptTokens=${maxPromptTokens}; ` +
        "shorten the context or raise maxPromptTokens",
    );
  }
}
