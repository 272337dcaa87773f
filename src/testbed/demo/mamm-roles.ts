import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { type AtlasWorld, otherValue, pick } from "../atlas/atlas-world.ts";
import {
  atlasSentences,
  evidenceFor,
  fixedSentence,
  goldCritique,
  goldRevision,
  notStated,
} from "./mamm-gold.ts";
import { type SummaryItem, type SummarySentence, summaryItems, summaryText } from "./mamm-items.ts";
import { atlasMammPrompts as P } from "./mamm-prompts.ts";

/** The agents' roles, one LoRA adapter each (the detector on both model families). */
export type MammRole = "detector" | "critic" | "selector" | "editor";

/** One SFT pair in the Atlas prompt set's format. */
export interface RolePair {
  prompt: string;
  completion: string;
}

/**
 * `n` training pairs for `role`, from summary items of the role's own stream of `seed` (never the
 * eval stream). Every format the method will show the role is trained: first rounds, debate rounds
 * (other agents' answers, right or wrong, before the cue) and GENERATE rounds (earlier drafts).
 */
export function roleTrainingPairs(
  world: AtlasWorld,
  role: MammRole,
  seed: number,
  n: number,
): RolePair[] {
  const rng = new SeededRandom(deriveSeed(seed, `mamm-role-${role}`));
  // more items than pairs: a role that needs an unfaithful sentence skips summaries without one
  const items = summaryItems(world, seed, `train-${role}`, 3 * n);
  let next = 0;
  const draw = (ok: (item: SummaryItem) => boolean) => {
    while (next < items.length - 1 && !ok(items[next]!)) next++;
    return items[next++]!;
  };
  const make = { detector, critic, selector, editor }[role];
  return Array.from({ length: n }, () => make(draw, rng));
}

type Draw = (ok: (item: SummaryItem) => boolean) => SummaryItem;
const any = () => true;
const hasFlaw = (item: SummaryItem) => item.sentences.some((s) => !s.faithful);

const flip = (rng: SeededRandom, p = 0.5) => rng.next() < p;

function detector(draw: Draw, rng: SeededRandom): RolePair {
  // unfaithful sentences as often as faithful ones (balanced classes)
  const wantFaithful = flip(rng);
  const item = draw((it) => it.sentences.some((s) => s.faithful === wantFaithful));
  const s = pick(
    rng,
    item.sentences.filter((x) => x.faithful === wantFaithful),
  );
  const label = s.faithful ? "yes" : "no";
  const base = P.detect(item.document, s.text);
  const answer = { label, reasoning: evidenceFor(item, s) };
  let prompt = base;
  if (flip(rng)) {
    // a debate round: 2–4 earlier answers (own first), each right or wrong at random
    const others = Array.from({ length: 2 + rng.int(3) }, () => ({
      label: flip(rng) ? "yes" : "no",
      reasoning: flip(rng, 0.7) ? evidenceFor(item, s) : pick(rng, docSentencesOr(item)),
    }));
    prompt = P.debateRound(base, others);
  }
  return { prompt, completion: ` ${answer.reasoning} A: ${label === "yes" ? "right" : "no"}` };
}

function docSentencesOr(item: SummaryItem): string[] {
  return [...atlasSentences(item.document), notStated];
}

function unfaithfulOf(item: SummaryItem, rng: SeededRandom): SummarySentence | undefined {
  const bad = item.sentences.filter((s) => !s.faithful);
  return bad.length > 0 ? pick(rng, bad) : undefined;
}

/** A plausible wrong critique: the span right, the value wrong (or "nobody says" swapped in). */
function wrongCritique(s: SummarySentence, rng: SeededRandom): string {
  if (s.documentValue === null || flip(rng, 0.3))
    return `${s.value} , it is ${otherValue(rng, s.relation, s.documentValue ?? s.value)} .`;
  return `${s.value} , ${notStated}`;
}

function critic(draw: Draw, rng: SeededRandom): RolePair {
  // a summary without a flaw teaches the false alarm's critique: the span and the same value
  const item = draw(any);
  const s = unfaithfulOf(item, rng) ?? flawless(item, rng);
  const base = P.critique(item.document, s.text);
  const gold = goldCritique(s);
  if (!flip(rng)) return { prompt: base, completion: ` ${gold}` };
  const drafts = rng.shuffle([flip(rng) ? gold : wrongCritique(s, rng), wrongCritique(s, rng)]);
  return { prompt: P.update(base, "critique", drafts), completion: ` ${gold}` };
}

/** A faithful sentence as a critic sees a false alarm: it names the span and the same value. */
function flawless(item: SummaryItem, rng: SeededRandom): SummarySentence {
  return pick(rng, item.sentences);
}

/** A plausible wrong revision: unfixed, fixed with a wrong value, or a faithful sentence dropped. */
function wrongRevision(item: SummaryItem, rng: SeededRandom): string {
  const kind = rng.int(3);
  if (kind === 0) return summaryText(item);
  if (kind === 1)
    return item.sentences
      .map((s) =>
        s.faithful
          ? s.text
          : fixedWith(item, s, otherValue(rng, s.relation, s.documentValue ?? s.value)),
      )
      .join(" ");
  const keep = rng.int(item.sentences.length);
  return goldRevision(item)
    .split(/(?<=\s\.)\s+/)
    .filter((_, i) => i !== keep)
    .join(" ");
}

function fixedWith(item: SummaryItem, s: SummarySentence, value: string): string {
  return (fixedSentence(item, { ...s, documentValue: value }) ?? s.text).trim();
}

function selector(draw: Draw, rng: SeededRandom): RolePair {
  const item = draw(hasFlaw);
  const s = unfaithfulOf(item, rng);
  let base: string;
  let goldFirst = flip(rng);
  if (s && flip(rng)) {
    const [a, b] = [goldCritique(s), wrongCritique(s, rng)];
    base = P.critiqueRerank(item.document, s.text, undefined, goldFirst ? [a, b] : [b, a]);
  } else {
    const [a, b] = [goldRevision(item), wrongRevision(item, rng)];
    if (a === b) goldFirst = true;
    base = P.refineRerank(item.document, "", goldFirst ? [a, b] : [b, a]);
  }
  const gold = goldFirst ? "1" : "2";
  const prompt = flip(rng, 0.3)
    ? P.debateRound(base, [
        { label: flip(rng) ? "1" : "2", reasoning: "" },
        { label: flip(rng) ? "1" : "2", reasoning: "" },
      ])
    : base;
  return { prompt, completion: ` ${gold}` };
}

function editor(draw: Draw, rng: SeededRandom): RolePair {
  // summaries without a flaw still come (false alarms to leave alone), at their natural rate
  const item = draw(any);
  const bad = item.sentences.filter((s) => !s.faithful);
  // false alarms: a faithful sentence whose critique repeats the document's value stays as it is
  const alarms = item.sentences.filter(
    (s) => s.faithful && flip(rng, bad.length === 0 ? 0.5 : 0.15),
  );
  const flagged = item.sentences.filter((s) => bad.includes(s) || alarms.includes(s));
  if (flagged.length === 0) flagged.push(pick(rng, item.sentences));
  const feedback = P.feedback(flagged.map(goldCritique));
  const base = P.refine(item.document, summaryText(item), feedback);
  const gold = goldRevision(item);
  if (!flip(rng)) return { prompt: base, completion: ` ${gold}` };
  const drafts = rng.shuffle([
    flip(rng) ? gold : wrongRevision(item, rng),
    wrongRevision(item, rng),
  ]);
  return { prompt: P.update(base, "revision", drafts), completion: ` ${gold}` };
}
