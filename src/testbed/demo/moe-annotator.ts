import { SeededRandom } from "../../math/seeded-random.ts";
import type {
  Capabilities,
  GenerateRequest,
  GenerateResult,
  LanguageModel,
} from "../../model/language-model.ts";
import { type AbacusSkill, wordings } from "../abacus/abacus-skills.ts";

/**
 * Skill keywords as an annotator would name them: synonyms, and words shared between skills
 * ("comparison", "ordering", "arithmetic"), so routing cannot read the skill off one keyword.
 */
export const skillKeywords: Record<Exclude<AbacusSkill, "chain" | "prog">, readonly string[]> = {
  add: ["addition", "sum", "arithmetic"],
  sub: ["subtraction", "difference", "arithmetic"],
  max: ["maximum", "largest", "comparison"],
  sort: ["sorting", "ordering", "comparison"],
  reverse: ["reversal", "backwards", "ordering"],
  count: ["counting", "frequency", "occurrences"],
};
type KeywordSkill = keyof typeof skillKeywords;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const patterns = Object.entries(wordings).flatMap(([skill, templates]) =>
  templates.map((t) => ({
    skill: skill as KeywordSkill,
    re: new RegExp(
      `^${t
        .split(/\{\w+\}/)
        .map(escapeRegExp)
        .join(".+")}$`,
    ),
  })),
);

/** The skill a question's wording belongs to (the world's paraphrases), or undefined. */
export function skillOfWording(question: string): KeywordSkill | undefined {
  return patterns.find((p) => p.re.test(question.trim()))?.skill;
}

const capabilities: Capabilities = {
  logprobs: "none",
  maxTopLogprobs: 0,
  score: false,
  n: false,
  seed: true,
  jsonSchema: false,
  rawPrompt: true,
  decoder: false,
  internals: false,
  lora: false,
  minTokens: false,
};

/**
 * The keyword annotator's stand-in (docs/testbed.md, Symbolic-MoE): the design's annotator is a
 * trained adapter; this scripted model plays its part. It reads the question in a `Q: …
 * Keywords:` prompt, recognises its skill from the wording as a trained annotator would learn to,
 * and answers one sample of 2–3 of that skill's keywords, each replaced with probability `noise`
 * by a keyword of another skill (label noise). Samples are drawn from the request's seed. Every
 * sample is kept in `samples` (question → keyword lists), for the keyword-precision check.
 */
export class KeywordAnnotatorStandIn implements LanguageModel {
  readonly provider = "stand-in";
  readonly capabilities = capabilities;
  readonly samples = new Map<string, string[][]>();

  constructor(
    readonly id = "annotator",
    private readonly noise = 0.15,
  ) {}

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const prompt = request.prompt ?? request.messages?.at(-1)?.content ?? "";
    const question = prompt.replace(/^Q: /, "").replace(/ Keywords:$/, "");
    const skill = skillOfWording(question);
    const rng = new SeededRandom(request.seed ?? 0);
    const all = Object.values(skillKeywords).flat();
    let words: string[] = [];
    if (skill !== undefined) {
      const own = rng.shuffle([...skillKeywords[skill]]).slice(0, 2 + rng.int(2));
      words = own.map((w) => {
        if (rng.next() >= this.noise) return w;
        const others = all.filter((o) => !skillKeywords[skill].includes(o));
        return others[rng.int(others.length)]!;
      });
    }
    const list = this.samples.get(question) ?? [];
    list.push(words);
    this.samples.set(question, list);
    const text = ` ${words.join(", ")}`;
    return {
      generations: [{ text, finishReason: "stop" }],
      usage: { inputTokens: 0, outputTokens: 0 },
    };
  }
}
