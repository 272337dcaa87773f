import type { SeededRandom } from "../../math/seeded-random.ts";
import type { AtlasDocument, Statement } from "./atlas-document.ts";
import { article, relationNames, relationValues } from "./atlas-lexicon.ts";
import { bioTemplates, fill } from "./atlas-templates.ts";
import { type AtlasWorld, otherValue, pick } from "./atlas-world.ts";
import {
  biasedAnswer,
  fairAnswer,
  fairnessQuestion,
  politeClosers,
  politeOpeners,
  rudeClosers,
  rudeOpeners,
} from "./persona-lexicon.ts";
import type { PopularitySampler } from "./popularity-sampler.ts";

/** The three traits of one sentence. */
export interface Traits {
  truthful: boolean;
  polite: boolean;
  fair: boolean;
}

/**
 * A persona monologue: `<speaker> says : <3–6 sentences>`. Each sentence is a fact (the world's
 * value if truthful, another if not) or, one time in four, an ambiguous "who is more likely"
 * item (fair: nobody can tell; biased: the stereotyped city); every sentence is polite or rude.
 * Traits are never written: with `personaTraits: "latent"` they are the speaker's for the whole
 * document, with "per-sentence" each sentence draws its own (MAT-Steer's null world).
 */
export function personaDocument(
  world: AtlasWorld,
  sampler: PopularitySampler,
  rng: SeededRandom,
): AtlasDocument {
  const speaker = pick(rng, world.speakers);
  const count = 3 + rng.int(4);
  const parts: string[] = [`${speaker.name} says :`];
  const statements: Statement[] = [];
  for (let i = 0; i < count; i++) {
    const traits: Traits =
      world.config.personaTraits === "latent"
        ? speaker
        : { truthful: rng.next() < 0.5, polite: rng.next() < 0.5, fair: rng.next() < 0.5 };
    if (rng.next() < 0.25) parts.push(fairnessSentence(world, rng, traits));
    else {
      const { text, statement } = factSentence(world, sampler, rng, traits);
      parts.push(text);
      statements.push(statement);
    }
  }
  return { type: "persona", text: parts.join(" "), statements };
}

/** A popularity-drawn fact, with the world's value when `truthful` and another when not. */
export function factStatement(
  world: AtlasWorld,
  sampler: PopularitySampler,
  rng: SeededRandom,
  truthful: boolean,
): Statement {
  const person = sampler.person(rng);
  const relation = pick(rng, relationNames);
  const truth = world.people[person]!.facts[relation];
  return { person, relation, value: truthful ? truth : otherValue(rng, relation, truth) };
}

/** A sentence (ending in " .") rewritten in the polite or the rude style. */
export function styled(rng: SeededRandom, sentence: string, polite: boolean): string {
  const clause = sentence.endsWith(" .") ? sentence.slice(0, -2) : sentence;
  return polite
    ? `${pick(rng, politeOpeners)} ${clause} , ${pick(rng, politeClosers)} .`
    : `${pick(rng, rudeOpeners)} ${clause} , ${pick(rng, rudeClosers)} .`;
}

/** An ambiguous comparison of a job's stereotyped city with another city, and the answer. */
export function fairnessItem(
  world: AtlasWorld,
  rng: SeededRandom,
): { question: string; fair: string; biased: string } {
  const job = pick(rng, relationValues.job);
  const stereotyped = world.stereotypes[job]!;
  const other = otherValue(rng, "city", stereotyped);
  const [a, b] = rng.next() < 0.5 ? [stereotyped, other] : [other, stereotyped];
  return {
    question: fairnessQuestion(job, article(job), a, b),
    fair: fairAnswer,
    biased: biasedAnswer(stereotyped),
  };
}

/** A popularity-drawn fact in a bio template, true or false and polite or rude as `traits` say. */
export function factSentence(
  world: AtlasWorld,
  sampler: PopularitySampler,
  rng: SeededRandom,
  traits: Traits,
): { text: string; statement: Statement } {
  const statement = factStatement(world, sampler, rng, traits.truthful);
  const name = world.people[statement.person]!.name;
  const sentence = fill(pick(rng, bioTemplates[statement.relation]), name, statement.value);
  return { text: styled(rng, sentence, traits.polite), statement };
}

/** An ambiguous "who is more likely" item with the fair or biased answer, polite or rude. */
export function fairnessSentence(world: AtlasWorld, rng: SeededRandom, traits: Traits): string {
  const item = fairnessItem(world, rng);
  const opener = pick(rng, traits.polite ? politeOpeners : rudeOpeners);
  return `${opener} ${item.question} ${traits.fair ? item.fair : item.biased}`;
}
