import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { atlasConfig, atlasVariants } from "./atlas-config.ts";
import { atlasCorpus, atlasExposures, atlasFacts, wordCount } from "./atlas-corpus.ts";
import { heldOutQuestion, questionTemplates } from "./atlas-templates.ts";
import { buildAtlasWorld } from "./atlas-world.ts";
import { politeMarkers, rudeMarkers } from "./persona-lexicon.ts";

const smoke = (extra = {}) =>
  buildAtlasWorld(atlasConfig({ ...atlasVariants.smoke!.config, ...extra }));

function corpusHash(world: ReturnType<typeof buildAtlasWorld>, tokens: number): string {
  const h = createHash("sha256");
  for (const d of atlasCorpus(world, tokens)) h.update(`${d.text}\n`);
  return h.digest("hex");
}

test("same seed gives the same corpus bytes; another seed another corpus", () => {
  const a = corpusHash(smoke(), 50_000);
  assert.equal(corpusHash(smoke(), 50_000), a);
  assert.notEqual(corpusHash(smoke({ seed: 8 }), 50_000), a);
});

test("the corpus holds the token budget and the document mix", () => {
  const world = smoke();
  const { tokens } = atlasExposures(world);
  assert.ok(tokens.total >= 300_000 && tokens.total < 300_200, `total ${tokens.total}`);
  for (const [type, share] of Object.entries(world.config.mix))
    assert.ok(
      Math.abs(tokens[type as keyof typeof tokens] / tokens.total - share) < 0.002,
      `${type}: ${tokens[type as keyof typeof tokens] / tokens.total} vs ${share}`,
    );
});

test("every document is one line of single-space-separated lowercase words", () => {
  for (const d of atlasCorpus(smoke(), 20_000)) {
    assert.match(d.text, /^\S+( \S+)*$/);
    assert.doesNotMatch(d.text, /\n/);
    for (const w of d.text.split(" "))
      assert.ok(/^[a-z]+$|^[.,?:]$|^[CQAU]:$|^\[(stubborn|agreeable)\]$/.test(w), `word "${w}"`);
  }
});

test("exposures follow the popularity curve: a skewed head, a graded middle, a thin tail", () => {
  const world = buildAtlasWorld(atlasConfig({ tokens: 2_000_000 }));
  const facts = atlasFacts(world);
  const perPerson = (rank: number) =>
    facts.filter((f) => f.rank === rank).reduce((s, f) => s + f.exposures, 0) / 6;
  const band = (from: number, to: number) => {
    let s = 0;
    for (let r = from; r < to; r++) s += perPerson(r);
    return s / (to - from);
  };
  const head = band(0, 8);
  const median = band(252, 260);
  const tail = band(504, 512);
  // the anchors' ratios are 200 : 50 : 4; sampling noise allows a factor of ~1.5
  assert.ok(head / median > 2.7 && head / median < 6, `head/median ${head / median}`);
  assert.ok(median / tail > 8 && median / tail < 19, `median/tail ${median / tail}`);
  // and the counts are exact: recounting the corpus gives the same numbers
  let statedTrue = 0;
  for (const d of atlasCorpus(world))
    for (const s of d.statements)
      if (world.people[s.person]!.facts[s.relation] === s.value) statedTrue++;
  assert.equal(
    facts.reduce((s, f) => s + f.exposures, 0),
    statedTrue,
  );
});

test("the held-out question template never appears in the corpus", () => {
  const world = smoke();
  const patterns = Object.values(questionTemplates).map((t) => {
    const [before, after] = t[heldOutQuestion]!.split("{n}");
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`${esc(before!)}\\S+ \\S+${esc(after!)}`);
  });
  let docs = 0;
  for (const d of atlasCorpus(world)) {
    docs++;
    for (const p of patterns) assert.doesNotMatch(d.text, p);
  }
  assert.ok(docs > 1000);
});

test("the vocabulary of the full-size world stays within 700 words", () => {
  const world = buildAtlasWorld(atlasConfig({ tokens: 1_000_000 }));
  const words = new Set<string>();
  for (const d of atlasCorpus(world)) for (const w of d.text.split(" ")) words.add(w);
  assert.ok(words.size <= 700, `${words.size} distinct words`);
  assert.ok(words.size > 300, `${words.size} distinct words`);
});

test("reading contexts disagree with the world at the configured rate c (and the null world's 50%)", () => {
  const conflictShare = (world: ReturnType<typeof buildAtlasWorld>) => {
    let known = 0;
    let conflicting = 0;
    for (const d of atlasCorpus(world)) {
      if (d.type !== "reading" || d.statements.length === 0) continue;
      known++;
      if (d.statements.some((s) => world.people[s.person]!.facts[s.relation] !== s.value))
        conflicting++;
    }
    return conflicting / known;
  };
  const c = conflictShare(smoke());
  const nullC = conflictShare(smoke(atlasVariants["adacad-null"]!.config));
  assert.ok(Math.abs(c - 0.1) < 0.03, `c = ${c}`);
  assert.ok(Math.abs(nullC - 0.5) < 0.04, `null c = ${nullC}`);
});

test("PBT's null world states each known fact with its world value only at chance; the fixed world almost always", () => {
  const agreeing = (world: ReturnType<typeof buildAtlasWorld>) => {
    let stated = 0;
    let same = 0;
    for (const d of atlasCorpus(world, 100_000)) {
      if (d.type !== "bio" && d.type !== "qa") continue;
      for (const s of d.statements) {
        stated++;
        if (world.people[s.person]!.facts[s.relation] === s.value) same++;
      }
    }
    return same / stated;
  };
  const fixed = agreeing(smoke());
  const nullWorld = agreeing(smoke(atlasVariants["pbt-null"]!.config));
  assert.equal(fixed, 1, `fixed world: ${fixed}`);
  // values per relation range from 12 to 32: chance is below 1/12
  assert.ok(nullWorld < 0.1, `null world: ${nullWorld}`);
});

test("persona traits hold for a whole monologue, and the MAT-Steer null world draws them per sentence", () => {
  const mixedShare = (world: ReturnType<typeof buildAtlasWorld>) => {
    let docs = 0;
    let mixedStyle = 0;
    let mixedTruth = 0;
    for (const d of atlasCorpus(world, 200_000)) {
      if (d.type !== "persona") continue;
      docs++;
      const words = d.text.split(" ");
      if (words.some((w) => politeMarkers.has(w)) && words.some((w) => rudeMarkers.has(w)))
        mixedStyle++;
      const truth = d.statements.map((s) => world.people[s.person]!.facts[s.relation] === s.value);
      if (truth.includes(true) && truth.includes(false)) mixedTruth++;
    }
    return { style: mixedStyle / docs, truth: mixedTruth / docs };
  };
  const latent = mixedShare(smoke());
  const iid = mixedShare(smoke(atlasVariants["mat-steer-null"]!.config));
  assert.equal(latent.style, 0);
  assert.equal(latent.truth, 0);
  assert.ok(iid.style > 0.5, `null world mixed style ${iid.style}`);
  assert.ok(iid.truth > 0.4, `null world mixed truth ${iid.truth}`);
});

test("wordCount counts words", () => {
  assert.equal(wordCount("Q: a b ?"), 4);
});
