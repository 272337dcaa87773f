import type { BatchAnswer } from "./batch-format.ts";

/** How many failed attempts a request gets before its error is final. */
export interface RetryRule {
  /** Expiry, 408/409/429/5xx, or no status at all: the runner, not the request, failed. */
  transientAttempts: number;
  /** Any other failure (a 4xx the server meant). */
  otherAttempts: number;
}

/**
 * Online: a 4xx is final at once, a transient failure is resubmitted twice. Offline (`vllm
 * run-batch` reports every failure, internal ones included, as status 400): retry once.
 */
export const onlineRetry: RetryRule = { transientAttempts: 3, otherAttempts: 1 };
export const offlineRetry: RetryRule = { transientAttempts: 3, otherAttempts: 2 };

export function isTransient(answer: BatchAnswer): boolean {
  const status = answer.status;
  if (answer.error?.code === "batch_expired" || answer.error?.code === "missing") return true;
  if (status === undefined) return answer.error?.code !== undefined;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Whether a request with these failed attempts is sent again. */
export function shouldRetry(errors: readonly BatchAnswer[], rule: RetryRule): boolean {
  const last = errors.at(-1);
  if (!last) return true;
  return errors.length < (isTransient(last) ? rule.transientAttempts : rule.otherAttempts);
}
