/**
 * Typed errors shared by every layer. Each carries a message that names the problem and the fix;
 * the CLI maps `UsageError`/`ConfigError` to exit code 2 and everything else to 1.
 */
export class ChorusError extends Error {
  override name = "ChorusError";
  static isInstance(value: unknown): value is ChorusError {
    return value instanceof ChorusError;
  }
}

/** A method asked a model for something its engine cannot do. */
export class CapabilityError extends ChorusError {
  override name = "CapabilityError";
  constructor(
    readonly modelId: string,
    readonly capability: string,
    readonly enginesWithIt: string[],
  ) {
    super(
      `model "${modelId}" lacks the capability "${capability}"` +
        (enginesWithIt.length > 0 ? `; engines that have it: ${enginesWithIt.join(", ")}` : ""),
    );
  }
}

/** A model call failed: HTTP status and the server's own message when there was one. */
export class ModelCallError extends ChorusError {
  override name = "ModelCallError";
  constructor(
    message: string,
    readonly details: {
      status?: number;
      serverMessage?: string;
      retries?: number;
      url?: string;
    } = {},
  ) {
    super(message);
  }
}

/** A model call did not answer within its time limit. */
export class ModelTimeoutError extends ModelCallError {
  override name = "ModelTimeoutError";
}

/** Bad configuration: names the field and what was expected. */
export class ConfigError extends ChorusError {
  override name = "ConfigError";
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Bad command-line usage (unknown flag, bad value). Exit code 2. */
export class UsageError extends ChorusError {
  override name = "UsageError";
}

/** Bad input data (dataset record, model file, JSONL line): names the file and line when known. */
export class DataError extends ChorusError {
  override name = "DataError";
  constructor(
    message: string,
    readonly location?: { file?: string; line?: number },
  ) {
    super(
      location?.file
        ? `${location.file}${location.line !== undefined ? `:${location.line}` : ""}: ${message}`
        : message,
    );
  }
}

/** The run's token budget was reached; the run stops cleanly and keeps what it finished. */
export class BudgetExceededError extends ChorusError {
  override name = "BudgetExceededError";
  constructor(
    readonly used: number,
    readonly limit: number,
  ) {
    super(`token budget reached: ${used} of ${limit} tokens used`);
  }
}

/**
 * A model call was handed to an offline batch and has no answer yet. The item that made it is
 * neither finished nor failed: it waits for the batch's results (`chorus batch import`) and runs
 * again on `--resume`, when the answer is there.
 */
export class BatchPendingError extends ChorusError {
  override name = "BatchPendingError";
  constructor(readonly customId: string) {
    super(`call ${customId} waits for an offline batch's results`);
  }
}
