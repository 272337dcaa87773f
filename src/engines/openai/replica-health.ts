/** How to ask a replica whether it is back. */
export interface HealthCheckOptions {
  /** Path from the server root (vLLM, SGLang, llama.cpp server and `chorus serve` answer `/health`). */
  healthPath: string;
  apiKey: string | undefined;
  timeoutMs: number;
  fetch: typeof fetch;
}

/**
 * Whether the server behind `baseURL` is healthy: `GET <root><healthPath>` answers 2xx. A server
 * without that route (404/405, e.g. OpenAI itself) is asked for `GET <baseURL>/models` instead.
 * Any error or other status means not yet.
 */
export async function checkHealth(baseURL: string, options: HealthCheckOptions): Promise<boolean> {
  const base = baseURL.replace(/\/+$/, "");
  const root = base.replace(/\/v\d+$/, "");
  const status = await statusOf(root + options.healthPath, options);
  if (status === 404 || status === 405) {
    const models = await statusOf(`${base}/models`, options);
    return models !== undefined && models >= 200 && models < 300;
  }
  return status !== undefined && status >= 200 && status < 300;
}

async function statusOf(url: string, options: HealthCheckOptions): Promise<number | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const response = await options.fetch(url, {
      method: "GET",
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
      signal: controller.signal,
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
