import type { Transformer } from "./transformer.ts";

const tails = new WeakMap<Transformer, Promise<void>>();

/**
 * Runs `fn` while holding `model`'s lock: reference passes that change the shared model for a
 * while (detaching LoRA, swapping in other weights) queue here instead of interleaving, which
 * would let one pass see the other's half-restored weights. Not re-entrant: `fn` must not take
 * the same model's lock again.
 */
export async function withModelLock<T>(model: Transformer, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(model) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  tails.set(
    model,
    previous.then(() => mine),
  );
  await previous;
  try {
    return await fn();
  } finally {
    release();
  }
}
