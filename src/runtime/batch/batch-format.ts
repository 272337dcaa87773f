import { DataError } from "../../model/errors.ts";

/**
 * One request of the OpenAI Batch input format (also what `vllm run-batch` reads):
 * `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body": {...}}`.
 */
export interface BatchInputLine {
  custom_id: string;
  method: "POST";
  url: "/v1/chat/completions" | "/v1/completions";
  body: Record<string, unknown>;
}

/** One output or error line, whichever runner wrote it, reduced to what chorus needs. */
export interface BatchAnswer {
  customId: string;
  /** The runner's id of the line (`batch_req_...`, `vllm-...`), so a second import is a no-op. */
  lineId?: string;
  /** HTTP status of the request; undefined when the runner failed it without one. */
  status?: number;
  /** The response body (a chat completion or completion object) when status is 200. */
  body?: unknown;
  /** Why the request failed: the runner's code (e.g. `batch_expired`) and message. */
  error?: { code?: string; message: string };
}

type Json = Record<string, unknown>;

/**
 * Reads one line of a Batch output or error file. OpenAI: `{"id","custom_id","response":
 * {"status_code","request_id","body"},"error":null}`, or `"response":null` with `"error":{code,
 * message}`; error-file lines carry a 4xx/5xx `response` whose body holds `error`. vLLM
 * run-batch: the same shape, every failure inline with `status_code` 400 and `error` a string or
 * an ErrorResponse object.
 * @throws DataError naming the file and line when the line is not such an object.
 */
export function parseBatchAnswer(text: string, where: { file: string; line: number }): BatchAnswer {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (error) {
    throw new DataError(`not a JSON line (${(error as Error).message})`, where);
  }
  if (!value || typeof value !== "object" || typeof value.custom_id !== "string")
    throw new DataError("not a Batch output line: no custom_id string", where);
  const answer: BatchAnswer = { customId: value.custom_id };
  if (typeof value.id === "string") answer.lineId = value.id;
  const response = value.response as Json | null | undefined;
  if (response && typeof response === "object") {
    if (typeof response.status_code === "number") answer.status = response.status_code;
    if (response.body !== undefined && response.body !== null) answer.body = response.body;
  }
  const message =
    errorMessage(value.error) ?? errorMessage((answer.body as Json | undefined)?.error);
  if (message !== undefined) answer.error = message;
  else if (answer.status !== 200)
    answer.error = {
      message: `the runner answered status ${answer.status ?? "none"} without an error message`,
    };
  if (answer.status === 200 && answer.error === undefined && answer.body === undefined)
    answer.error = { message: "status 200 without a response body" };
  return answer;
}

/** Whether an answer carries a usable response. */
export function isAnswered(answer: BatchAnswer): boolean {
  return answer.status === 200 && answer.error === undefined && answer.body !== undefined;
}

function errorMessage(raw: unknown): { code?: string; message: string } | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === "string") return { message: raw };
  if (typeof raw !== "object") return { message: String(raw) };
  const e = raw as Json;
  const message = typeof e.message === "string" ? e.message : JSON.stringify(raw);
  const code =
    typeof e.code === "string" ? e.code : typeof e.type === "string" ? e.type : undefined;
  return code !== undefined ? { code, message } : { message };
}
