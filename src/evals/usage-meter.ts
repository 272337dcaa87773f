import { AsyncLocalStorage } from "node:async_hooks";
import type { LanguageModel } from "../model/language-model.ts";
import type { ItemUsage } from "./eval-method.ts";

const scope = new AsyncLocalStorage<ItemUsage>();

/** A zeroed usage record. */
export function emptyUsage(): ItemUsage {
  return { inputTokens: 0, outputTokens: 0, calls: 0, reusedCalls: 0 };
}

/** Adds `b` into `a` (in place); `reused` also counts b's calls as reused. */
export function addUsage(a: ItemUsage, b: ItemUsage, reused = false): void {
  a.inputTokens += b.inputTokens;
  a.outputTokens += b.outputTokens;
  a.calls += b.calls;
  a.reusedCalls += reused ? b.calls : b.reusedCalls;
}

/**
 * Runs `fn` with a fresh usage record that every metered model call inside it (awaited or not,
 * through async context) adds to; returns the value and that record. Nested scopes also add to
 * the enclosing one when `fn` finishes.
 */
export async function metered<T>(fn: () => Promise<T>): Promise<{ value: T; usage: ItemUsage }> {
  const usage = emptyUsage();
  const outer = scope.getStore();
  try {
    const value = await scope.run(usage, fn);
    return { value, usage };
  } finally {
    if (outer) addUsage(outer, usage);
  }
}

/** Adds usage to the current scope (e.g. work reused from another method). */
export function chargeCurrent(usage: ItemUsage, reused: boolean): void {
  const current = scope.getStore();
  if (current) addUsage(current, usage, reused);
}

/**
 * Wraps a model so each generate/score call's tokens are charged to the current scope
 * (`metered`). Calls outside any scope are not counted.
 */
export function meterModel(model: LanguageModel): LanguageModel {
  const charge = (inputTokens: number, outputTokens: number) => {
    const usage = scope.getStore();
    if (!usage) return;
    usage.inputTokens += inputTokens;
    usage.outputTokens += outputTokens;
    usage.calls += 1;
  };
  const wrapped: LanguageModel = {
    id: model.id,
    provider: model.provider,
    capabilities: model.capabilities,
    async generate(request) {
      const result = await model.generate(request);
      charge(result.usage.inputTokens, result.usage.outputTokens);
      return result;
    },
  };
  if (model.score) {
    const score = model.score.bind(model);
    wrapped.score = async (request) => {
      const result = await score(request);
      charge(result.usage.inputTokens, result.usage.outputTokens);
      return result;
    };
  }
  if (model.decoder) wrapped.decoder = model.decoder.bind(model);
  if (model.internals) Object.assign(wrapped, { internals: model.internals });
  if (model.close) wrapped.close = model.close.bind(model);
  return wrapped;
}
