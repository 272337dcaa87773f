/** A LoRA adapter to apply: a GGUF LoRA file made for the loaded model, and its strength. */
export interface LoraSpec {
  path: string;
  /** Multiplies the adapter's alpha/rank (default 1). */
  scale?: number;
}

/**
 * An adapter a model is serving now. `sha256` is the file's content hash, so an adapter retrained
 * into the same path is a different adapter (caches key on it, never on the path).
 */
export interface ActiveLora {
  path: string;
  scale: number;
  sha256: string;
}
