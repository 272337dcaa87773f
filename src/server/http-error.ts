import {
  CapabilityError,
  ChorusError,
  ConfigError,
  DataError,
  ModelCallError,
  ModelTimeoutError,
  UsageError,
} from "../model/errors.ts";

/** OpenAI's error `type` values that chorus serve uses. */
export type OpenAIErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "not_found_error"
  | "server_error";

/** An error with an HTTP status, sent as OpenAI's `{ error: { message, type, param, code } }`. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly type: OpenAIErrorType = status >= 500 ? "server_error" : "invalid_request_error",
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }

  /** The JSON body OpenAI clients parse. */
  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return {
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    };
  }
}

/**
 * Maps whatever a handler threw to an HTTP error: bad requests and missing capabilities are 400,
 * a model timeout 504, a failed upstream call 502, anything else 500 (message only, no stack).
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof CapabilityError) {
    return new HttpError(400, error.message, "invalid_request_error", null, "unsupported");
  }
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof DataError) {
    return new HttpError(400, error.message);
  }
  if (error instanceof ModelTimeoutError) return new HttpError(504, error.message);
  if (error instanceof ModelCallError) return new HttpError(502, error.message);
  if (error instanceof ChorusError) return new HttpError(500, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(500, `internal error: ${message}`);
}
