/**
 * How a micro-batch of sequences is packed into one activation matrix: sequence b owns rows
 * offsets[b] .. offsets[b] + lengths[b] − 1, so every linear layer runs one product over all
 * rows, while attention and positions stay per sequence.
 */
export interface Packing {
  /** Token ids of every row, sequence after sequence. */
  tokens: Int32Array;
  lengths: number[];
  offsets: number[];
  /** Total rows (Σ lengths). */
  rows: number;
  /** Longest sequence: attention pads every sequence to it. */
  maxLength: number;
  /** Each row's position within its own sequence (plus the KV cache's length when decoding). */
  positions: Int32Array;
  /** Rows that get logits: sequence b's positions ≥ logitsFrom[b], in row order. */
  logitRows: Int32Array;
  /** Where sequence b's logit rows start in `logitRows` (and in the logits matrix). */
  logitOffsets: number[];
}

/**
 * Packs `sequences`; `logitsFrom[b]` is sequence b's first position that needs logits (clamped
 * to its last position), `pos0` shifts positions: one shift for all, or one per sequence (each
 * sequence's KV cache length when decoding a batch).
 */
export function packSequences(
  sequences: readonly (readonly number[])[],
  logitsFrom: readonly number[],
  vocabSize: number,
  pos0: number | readonly number[] = 0,
): Packing {
  if (sequences.length === 0) throw new Error("forward: no sequences to run");
  const lengths = sequences.map((s) => s.length);
  const offsets: number[] = [];
  let rows = 0;
  for (const [b, n] of lengths.entries()) {
    if (n === 0)
      throw new RangeError(`forward: sequence ${b} is empty; every sequence needs ≥ 1 token`);
    offsets.push(rows);
    rows += n;
  }
  const tokens = new Int32Array(rows);
  const positions = new Int32Array(rows);
  const logitList: number[] = [];
  const logitOffsets: number[] = [];
  sequences.forEach((seq, b) => {
    const o = offsets[b]!;
    const start = typeof pos0 === "number" ? pos0 : (pos0[b] ?? 0);
    for (let t = 0; t < seq.length; t++) {
      const tok = seq[t]!;
      if (!(Number.isInteger(tok) && tok >= 0 && tok < vocabSize))
        throw new RangeError(`token id ${tok} is outside the vocabulary (0..${vocabSize - 1})`);
      tokens[o + t] = tok;
      positions[o + t] = start + t;
    }
    const from = Math.min(Math.max(0, logitsFrom[b] ?? 0), seq.length - 1);
    logitOffsets.push(logitList.length);
    for (let t = from; t < seq.length; t++) logitList.push(o + t);
  });
  return {
    tokens,
    lengths,
    offsets,
    rows,
    maxLength: Math.max(...lengths),
    positions,
    logitRows: Int32Array.from(logitList),
    logitOffsets,
  };
}
