/**
 * The request mix of the `chorus serve` load test and bench: mostly valid chat and text
 * completions, with malformed, oversized and misrouted requests interleaved, each with the
 * statuses a clean refusal may have.
 */
import { SeededRandom } from "../../src/math/seeded-random.ts";
import type { LoadRequest } from "./http-load.ts";

/** A request kind and the statuses it may get. */
interface RequestKind {
  make: (model: string, maxBodyBytes: number) => LoadRequest;
  expected: readonly number[];
  /** Relative frequency in the mix. */
  weight: number;
}

const kinds: Record<string, RequestKind> = {
  chat: {
    weight: 40,
    expected: [200],
    make: (model) => ({
      kind: "chat",
      method: "POST",
      path: "/v1/chat/completions",
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 8 }),
    }),
  },
  completion: {
    weight: 20,
    expected: [200],
    make: (model) => ({
      kind: "completion",
      method: "POST",
      path: "/v1/completions",
      body: JSON.stringify({ model, prompt: "Once", max_tokens: 8 }),
    }),
  },
  badJson: {
    weight: 5,
    expected: [400],
    make: () => ({
      kind: "badJson",
      method: "POST",
      path: "/v1/chat/completions",
      body: '{"model":',
    }),
  },
  notObject: {
    weight: 3,
    expected: [400],
    make: () => ({ kind: "notObject", method: "POST", path: "/v1/completions", body: "[1,2]" }),
  },
  badFields: {
    weight: 5,
    expected: [400],
    make: (model) => ({
      kind: "badFields",
      method: "POST",
      path: "/v1/chat/completions",
      body: JSON.stringify({ model, messages: "hello", temperature: "hot", n: -1 }),
    }),
  },
  oversized: {
    weight: 4,
    expected: [413],
    make: (model, max) => ({
      kind: "oversized",
      method: "POST",
      path: "/v1/completions",
      body: JSON.stringify({ model, prompt: "x".repeat(max * 4) }),
    }),
  },
  oversizedChunked: {
    weight: 3,
    expected: [413],
    make: (model, max) => ({
      kind: "oversizedChunked",
      method: "POST",
      path: "/v1/completions",
      body: JSON.stringify({ model, prompt: "y".repeat(max * 4) }),
      chunked: true,
    }),
  },
  unknownModel: {
    weight: 3,
    expected: [404],
    make: () => ({
      kind: "unknownModel",
      method: "POST",
      path: "/v1/chat/completions",
      body: JSON.stringify({ model: "nope", messages: [{ role: "user", content: "hi" }] }),
    }),
  },
  badEscape: {
    weight: 3,
    expected: [400, 404],
    make: () => ({ kind: "badEscape", method: "GET", path: "/v1/models/%E0%A4%A" }),
  },
  unknownRoute: {
    weight: 2,
    expected: [404],
    make: () => ({ kind: "unknownRoute", method: "GET", path: "/v2/anything?x=%%" }),
  },
  wrongMethod: {
    weight: 2,
    expected: [405],
    make: () => ({ kind: "wrongMethod", method: "GET", path: "/v1/chat/completions" }),
  },
};

/** The statuses a request of `kind` may get. */
export function expectedStatuses(kind: string): readonly number[] {
  return kinds[kind]?.expected ?? [];
}

/** `count` requests drawn from the mix with a seed, for a server serving `model`. */
export function serveRequestMix(
  count: number,
  model: string,
  maxBodyBytes: number,
  seed = 1,
): LoadRequest[] {
  const random = new SeededRandom(seed);
  const entries = Object.values(kinds);
  const weights = entries.map((k) => k.weight);
  return Array.from({ length: count }, () =>
    entries[random.weighted(weights)]!.make(model, maxBodyBytes),
  );
}
