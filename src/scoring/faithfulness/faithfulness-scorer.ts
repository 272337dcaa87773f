import { splitSentences } from "./split-sentences.ts";
import type { SupportJudge, SupportVerdict } from "./support-judge.ts";

/** One sentence's verdict. */
export interface SentenceFaithfulness extends SupportVerdict {
  sentence: string;
  supported: boolean;
}

/** A text's faithfulness to its source. */
export interface FaithfulnessResult {
  /** Mean P(supported) over sentences, in [0, 1] (1 for a text without sentences). */
  score: number;
  /** Fraction of sentences with P(supported) ≥ threshold. */
  supportedFraction: number;
  sentences: SentenceFaithfulness[];
  judge: string;
}

/** Options of `FaithfulnessScorer`. */
export interface FaithfulnessScorerOptions {
  /** P(supported) at or above which a sentence counts as supported (default 0.5). */
  threshold?: number;
  /** Sentence splitter (default `splitSentences`). */
  split?: (text: string) => string[];
}

/**
 * Sentence-level faithfulness: split the text, ask the judge whether the source supports each
 * sentence, average. Plug in any `SupportJudge` (an LLM judge, an NLI endpoint, your own).
 * @example
 * const scorer = new FaithfulnessScorer(new LlmSupportJudge(model));
 * const { score, sentences } = await scorer.score(article, summary);
 */
export class FaithfulnessScorer {
  readonly #judge: SupportJudge;
  readonly #options: FaithfulnessScorerOptions;

  constructor(judge: SupportJudge, options: FaithfulnessScorerOptions = {}) {
    this.#judge = judge;
    this.#options = options;
  }

  /** Scores `text` against `source`. */
  async score(
    source: string,
    text: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<FaithfulnessResult> {
    const sentences = (this.#options.split ?? splitSentences)(text);
    const verdicts = await this.#judge.judge(
      sentences.map((sentence) => ({ source, sentence })),
      options,
    );
    const threshold = this.#options.threshold ?? 0.5;
    const rows = sentences.map((sentence, i) => ({
      sentence,
      ...verdicts[i]!,
      supported: verdicts[i]!.probability >= threshold,
    }));
    const n = rows.length;
    return {
      score: n === 0 ? 1 : rows.reduce((s, r) => s + r.probability, 0) / n,
      supportedFraction: n === 0 ? 1 : rows.filter((r) => r.supported).length / n,
      sentences: rows,
      judge: this.#judge.name,
    };
  }
}
