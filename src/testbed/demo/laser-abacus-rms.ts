/**
 * The arms of LASeR's testbed measurement (docs/laser.md, "Amendment 2"), as `OutcomeRewardModel`s
 * the method's loop calls: the trained ORM adapters (RM_list, RM_prog), RM_noise, RM_len, and the
 * baselines' and null world's gold-label scorers. Every score is a pure function of the input, so
 * a resumed run scores the same texts the same way.
 */
import { SeededRandom } from "../../math/seeded-random.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { MathShepherdPrm } from "../../scoring/math-shepherd-prm.ts";
import type { OutcomeInput, OutcomeRewardModel } from "../../scoring/reward-model.ts";
import { type AbacusLaserItem, firstTask, isRight } from "./laser-abacus-items.ts";

/** The ORM's tag after a solution; the label token after it is `+` (right) or `-` (wrong). */
export const ormTag = "?";

/** The ORM's text up to its tag: the prompt, the completion's first task, the tag. */
export function ormText(prompt: string, completion: string): string {
  return `${prompt.trim()} ${firstTask(completion)} ${ormTag}`;
}

/**
 * A trained ORM adapter read as the MAgICoRe demo reads its ORM: P(`+`) against P(`-`) right
 * after the tag, with the whole first task as one step (`MathShepherdPrm`).
 */
export class AdapterOrm implements OutcomeRewardModel {
  readonly #prm: MathShepherdPrm;

  constructor(
    readonly name: string,
    model: LanguageModel,
  ) {
    this.#prm = new MathShepherdPrm(model, {
      stepTag: ormTag,
      good: "+",
      bad: "-",
      concurrency: 1,
    });
  }

  async scoreOutcomes(inputs: readonly OutcomeInput[], o: { signal?: AbortSignal } = {}) {
    const scores = await this.#prm.scoreSteps(
      inputs.map((i) => ({ question: i.question, steps: [firstTask(i.solution)] })),
      o,
    );
    return scores.map((s) => s[0]!);
  }
}

/** RM_noise: a uniform score per (question, solution), the same every time it is asked. */
export class NoiseRm implements OutcomeRewardModel {
  constructor(readonly name = "rm-noise") {}
  async scoreOutcomes(inputs: readonly OutcomeInput[]) {
    return inputs.map((i) => new SeededRandom(`${this.name}:${i.question}:${i.solution}`).next());
  }
}

/**
 * RM_len: prefers longer answers (consistent but blind to correctness): 1 − 2^(−words/8) of the
 * completion's first task, so every extra word scores higher.
 */
export class LengthRm implements OutcomeRewardModel {
  constructor(readonly name = "rm-len") {}
  async scoreOutcomes(inputs: readonly OutcomeInput[]) {
    return inputs.map((i) => {
      const text = firstTask(i.solution);
      const words = text === "" ? 0 : text.split(" ").length;
      return 1 - 2 ** (-words / 8);
    });
  }
}

/** Items by the question the loop passes an RM (the prompt). */
function byPrompt(items: readonly AbacusLaserItem[]): Map<string, AbacusLaserItem> {
  return new Map(items.map((it) => [it.question ?? it.prompt, it]));
}

/**
 * The exact label (1 right, 0 wrong), flipped with probability `flip` by a hash of the arm's name
 * and the text (0: the gold-label baseline; > 0: the null world's equally reliable arms). A
 * question it does not know is an error: it would silently score 0.
 */
export class GoldRm implements OutcomeRewardModel {
  readonly #items: Map<string, AbacusLaserItem>;

  constructor(
    readonly name: string,
    items: readonly AbacusLaserItem[],
    private readonly flip = 0,
  ) {
    this.#items = byPrompt(items);
  }

  async scoreOutcomes(inputs: readonly OutcomeInput[]) {
    return inputs.map((i) => {
      const item = this.#items.get(i.question);
      if (!item) throw new Error(`${this.name}: no gold answer for "${i.question}"`);
      const right = isRight(item, i.solution);
      const flipped =
        this.flip > 0 &&
        new SeededRandom(`${this.name}:flip:${i.question}:${i.solution}`).next() < this.flip;
      return right !== flipped ? 1 : 0;
    });
  }
}

/**
 * The oracle arm: each input scored by its family's reliable RM (RM_list on list prompts, RM_prog
 * on prog prompts), so every batch gets the arm a perfect selector would pick.
 */
export class FamilyRoutedRm implements OutcomeRewardModel {
  readonly #items: Map<string, AbacusLaserItem>;

  constructor(
    readonly name: string,
    private readonly byFamily: Record<string, OutcomeRewardModel>,
    items: readonly AbacusLaserItem[],
  ) {
    this.#items = byPrompt(items);
  }

  async scoreOutcomes(inputs: readonly OutcomeInput[], o: { signal?: AbortSignal } = {}) {
    const out = new Array<number | undefined>(inputs.length).fill(undefined);
    for (const [family, rm] of Object.entries(this.byFamily)) {
      const at = inputs.flatMap((i, k) =>
        this.#items.get(i.question)?.family === family ? [k] : [],
      );
      if (at.length === 0) continue;
      const scores = await rm.scoreOutcomes(
        at.map((k) => inputs[k]!),
        o,
      );
      at.forEach((k, j) => {
        out[k] = scores[j]!;
      });
    }
    const missing = out.indexOf(undefined);
    if (missing >= 0) throw new Error(`${this.name}: no family for "${inputs[missing]!.question}"`);
    return out as number[];
  }
}
