import type { ItemUsage } from "./eval-method.ts";

/** One line of an eval run's results.jsonl (`result` field): one method on one item. */
export interface EvalRecord {
  method: string;
  itemId: string;
  prediction: string | null;
  gold: string;
  correct: boolean;
  /** In [0, 1]: 1/0 for answer checks, the method's own score otherwise. */
  score: number;
  usage: ItemUsage;
  /** Wall time of the item (for batch methods: the batch's time divided by its items). */
  wallMs: number;
  details?: Record<string, unknown>;
}
