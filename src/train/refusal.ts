import { SeededRandom } from "../math/seeded-random.ts";
import type { SftRecord } from "./data.ts";

/**
 * Refusal SFT data (UPCORE's "Refusal"/"IDK" unlearning): each forget prompt paired with a
 * refusal drawn at random (seeded) from `refusals`, e.g. "I'm not certain about that.".
 * Train on them with `sftObjective` (or `tokenObjective` beside +1 retain rows).
 */
export function refusalRecords(
  prompts: readonly string[],
  refusals: readonly string[],
  options: { seed?: number; separator?: string } = {},
): Array<{ prompt: string; completion: string }> & SftRecord[] {
  if (refusals.length === 0) throw new Error("refusal SFT needs at least one refusal string");
  const rng = new SeededRandom(options.seed ?? 0);
  const sep = options.separator ?? " ";
  return prompts.map((prompt) => ({
    prompt,
    completion: `${sep}${refusals[rng.int(refusals.length)]!}`,
  }));
}
