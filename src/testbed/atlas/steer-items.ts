import type { SeededRandom } from "../../math/seeded-random.ts";
import { bioTemplates, fill } from "./atlas-templates.ts";
import { type AtlasSpeaker, type AtlasWorld, otherValue, pick } from "./atlas-world.ts";
import { evalRandom, itemId } from "./eval-facts.ts";
import {
  factSentence,
  factStatement,
  fairnessItem,
  fairnessSentence,
  type Traits,
} from "./persona-document.ts";
import { politeClosers, politeOpeners, rudeClosers, rudeOpeners } from "./persona-lexicon.ts";
import { PopularitySampler } from "./popularity-sampler.ts";

/** MAT-Steer's three attributes; each names the desirable side of a persona trait. */
export const steerAttributes = ["truthful", "polite", "fair"] as const;
export type SteerAttribute = (typeof steerAttributes)[number];

/** A training statement in `chorus steer train --attributes` form (label 1 = desirable). */
export interface SteerStatement {
  attribute: SteerAttribute;
  text: string;
  label: 0 | 1;
}

/**
 * Contrast pairs per attribute (`pairs` positives and as many negatives), each pair the same
 * content differing in the attribute only: a fact with its world value or another (truthful),
 * the same true fact in the polite or the rude style (polite), the same ambiguous question
 * answered "nobody can tell" or with the stereotype (fair).
 */
export function steerStatements(
  world: AtlasWorld,
  evalSeed: number,
  pairs = 300,
): SteerStatement[] {
  const rng = evalRandom(evalSeed, "steer-statements");
  const sampler = new PopularitySampler(world);
  const out: SteerStatement[] = [];
  for (const attribute of steerAttributes)
    for (let i = 0; i < pairs; i++) {
      const [good, bad] = contrast(world, sampler, rng, attribute);
      out.push({ attribute, text: good, label: 1 }, { attribute, text: bad, label: 0 });
    }
  return out;
}

function contrast(
  world: AtlasWorld,
  sampler: PopularitySampler,
  rng: SeededRandom,
  attribute: SteerAttribute,
): [string, string] {
  if (attribute === "fair") {
    const item = fairnessItem(world, rng);
    return [`${item.question} ${item.fair}`, `${item.question} ${item.biased}`];
  }
  const s = factStatement(world, sampler, rng, true);
  const name = world.people[s.person]!.name;
  const template = pick(rng, bioTemplates[s.relation]);
  if (attribute === "truthful")
    return [
      fill(template, name, s.value),
      fill(template, name, otherValue(rng, s.relation, s.value)),
    ];
  const sentence = fill(template, name, s.value);
  const seed = rng.next();
  return [styledWith(sentence, true, seed), styledWith(sentence, false, seed)];
}

/** `styled` with the wrapper chosen from `u` ∈ [0, 1), so a pair shares its position in the lists. */
function styledWith(sentence: string, polite: boolean, u: number): string {
  const clause = sentence.slice(0, -2);
  const [open, close] = polite ? [politeOpeners, politeClosers] : [rudeOpeners, rudeClosers];
  const o = open[Math.floor(u * open.length)]!;
  const c = close[Math.floor(u * close.length)]!;
  return `${o} ${clause} , ${c} .`;
}

/**
 * A log-likelihood multiple-choice item (the shape of `chorus steer eval`'s `ChoiceItem`): the
 * prompt opens a monologue with two sentences of an undesirable (or, for positive preservation,
 * a desirable) persona and stops where the third sentence's attribute shows; `correct` holds the
 * index of the desirable continuation.
 */
export interface SteerChoiceItem {
  id: string;
  attribute: SteerAttribute;
  persona: "undesirable" | "desirable";
  prompt: string;
  choices: string[];
  correct: number[];
}

/**
 * `undesirable` items per attribute whose prompt comes from a speaker with the undesirable trait,
 * and `desirable` items per attribute from one with the desirable trait (steering should leave
 * these alone). The speaker's other traits show as they are.
 */
export function steerChoiceItems(
  world: AtlasWorld,
  evalSeed: number,
  sizes = { undesirable: 500, desirable: 167 },
): SteerChoiceItem[] {
  const rng = evalRandom(evalSeed, "steer-mc");
  const sampler = new PopularitySampler(world);
  const out: SteerChoiceItem[] = [];
  for (const persona of ["undesirable", "desirable"] as const)
    for (const attribute of steerAttributes)
      for (let i = 0; i < sizes[persona]; i++) {
        const want = persona === "desirable";
        const pool = world.speakers.filter((s) => s[attribute] === want);
        const speaker = pick(rng, pool.length > 0 ? pool : world.speakers);
        const traits: Traits = { ...traitsOf(speaker), [attribute]: want };
        const opening = [0, 1].map(() => personaSentence(world, sampler, rng, traits, attribute));
        const [stem, good, bad] = thirdSentence(world, sampler, rng, traits, attribute);
        const flip = rng.next() < 0.5;
        out.push({
          id: itemId(`steer-${persona}-${attribute}`, i),
          attribute,
          persona,
          prompt: [`${speaker.name} says :`, ...opening, stem].filter((t) => t !== "").join(" "),
          choices: flip ? [bad, good] : [good, bad],
          correct: [flip ? 1 : 0],
        });
      }
  return out;
}

function traitsOf(s: AtlasSpeaker): Traits {
  return { truthful: s.truthful, polite: s.polite, fair: s.fair };
}

/** A sentence that shows `attribute` (a fact for truthful/polite, a fairness item for fair). */
function personaSentence(
  world: AtlasWorld,
  sampler: PopularitySampler,
  rng: SeededRandom,
  traits: Traits,
  attribute: SteerAttribute,
): string {
  return attribute === "fair"
    ? fairnessSentence(world, rng, traits)
    : factSentence(world, sampler, rng, traits).text;
}

/** The third sentence's stem and its desirable and undesirable continuations (each with a leading space). */
function thirdSentence(
  world: AtlasWorld,
  sampler: PopularitySampler,
  rng: SeededRandom,
  traits: Traits,
  attribute: SteerAttribute,
): [string, string, string] {
  if (attribute === "fair") {
    const item = fairnessItem(world, rng);
    const opener = pick(rng, traits.polite ? politeOpeners : rudeOpeners);
    return [`${opener} ${item.question}`, ` ${item.fair}`, ` ${item.biased}`];
  }
  const s = factStatement(world, sampler, rng, true);
  const name = world.people[s.person]!.name;
  if (attribute === "polite") {
    const sentence = fill(pick(rng, bioTemplates[s.relation]), name, s.value);
    const u = rng.next();
    const good = styledWith(sentence, true, u);
    const bad = styledWith(sentence, false, u);
    return ["", ` ${good}`, ` ${bad}`];
  }
  // truthful: cut the sentence where the value (and its article) starts
  const template = pick(rng, bioTemplates[s.relation]);
  const wrong = otherValue(rng, s.relation, s.value);
  const cut = template.indexOf(template.includes("{a}") ? "{a}" : "{v}");
  const opener = pick(rng, traits.polite ? politeOpeners : rudeOpeners);
  const closer = pick(rng, traits.polite ? politeClosers : rudeClosers);
  const stem = `${opener} ${fill(template.slice(0, cut).trimEnd(), name)}`;
  const rest = (v: string) => ` ${fill(template.slice(cut), name, v).slice(0, -2)} , ${closer} .`;
  return [stem, rest(s.value), rest(wrong)];
}
