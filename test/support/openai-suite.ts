import { after, before } from "node:test";
import { createOpenAIModel, type OpenAIModelOptions } from "../../src/engines/openai/index.ts";
import type { LanguageModel } from "../../src/model/language-model.ts";
import {
  type OpenAITestServer,
  type OpenAITestServerOptions,
  startOpenAITestServer,
} from "./openai-server.ts";

/** Starts a test server for the enclosing describe block and closes it after. */
export function serverFor(options: OpenAITestServerOptions): () => OpenAITestServer {
  let server: OpenAITestServer | undefined;
  before(async () => {
    server = await startOpenAITestServer(options);
  });
  after(() => server?.close());
  return () => server as OpenAITestServer;
}

/** Our OpenAI engine pointed at a test server, with short retries and timeouts. */
export function modelFor(
  server: OpenAITestServer,
  options: Partial<OpenAIModelOptions> = {},
): LanguageModel {
  return createOpenAIModel({
    baseURL: server.url,
    model: "test-model",
    retryBaseMs: 5,
    timeoutMs: 5000,
    ...options,
  });
}
