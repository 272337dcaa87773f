import type { Command } from "commander";
import { UsageError } from "../../model/errors.ts";
import {
  type AbacusConfig,
  abacusConfig,
  abacusVariants,
} from "../../testbed/abacus/abacus-config.ts";
import { abacusCorpus } from "../../testbed/abacus/abacus-corpus.ts";
import { abacusItems } from "../../testbed/abacus/abacus-eval.ts";
import { type AtlasConfig, atlasConfig, atlasVariants } from "../../testbed/atlas/atlas-config.ts";
import { atlasCorpus, atlasFacts } from "../../testbed/atlas/atlas-corpus.ts";
import { atlasEvalSets } from "../../testbed/atlas/atlas-eval-sets.ts";
import { buildAtlasWorld } from "../../testbed/atlas/atlas-world.ts";
import { writeCorpusJsonl, writeJsonl } from "../../testbed/corpus-jsonl.ts";
import { registerBuild } from "./testbed-build.ts";

interface WorldFlags {
  seed?: string;
  variant?: string;
  tokens?: string;
  facts?: boolean;
  corpus?: boolean;
  eval?: string;
  evalSeed?: string;
  n?: string;
}

/**
 * `chorus testbed world <atlas|abacus>`: a seeded world's ground truth (`--facts`), its
 * pretraining corpus (`--corpus`) or one of its eval sets (`--eval <set>`), as JSON lines on
 * stdout. See docs/testbed.md.
 */
export function register(program: Command): void {
  const testbed = program
    .command("testbed")
    .description("the testbed's generated worlds and their eval sets (see docs/testbed.md)");
  testbed
    .command("world")
    .description("print a world's facts, its pretraining corpus or an eval set as JSON lines")
    .argument("<world>", "atlas (knowledge world) or abacus (procedural world)")
    .option("--seed <n>", "world seed (default 7)")
    .option(
      "--variant <name>",
      `a named config switch: atlas ${Object.keys(atlasVariants).join(", ")}; abacus ${Object.keys(abacusVariants).join(", ")}`,
    )
    .option(
      "--tokens <n>",
      "corpus size in words (atlas 8000000, abacus 12000000; sets atlas exposure counts too)",
    )
    .option("--facts", "print atlas's ground truth: {person, relation, value, exposures, rank}")
    .option("--corpus", 'print the pretraining corpus as {"text"} lines')
    .option(
      "--eval <set>",
      `print an eval set: atlas ${Object.keys(atlasEvalSets).join(", ")}; abacus skills`,
    )
    .option("--eval-seed <n>", "seed of the eval draw, separate from the world seed (default 1)")
    .option("--n <count>", "items per set (eval sets that have a size)")
    .addHelpText(
      "after",
      `
Examples:
  chorus testbed world atlas --seed 7 --facts | head
  chorus testbed world atlas --seed 7 --corpus --tokens 8000000 > corpus.jsonl
  chorus testbed world atlas --variant smoke --corpus > smoke.jsonl
  chorus testbed world atlas --variant adacad-null --corpus > null-corpus.jsonl
  chorus testbed world atlas --seed 7 --eval adacad --eval-seed 1 > adacad.jsonl
  chorus testbed world atlas --eval steer-statements > attrs.jsonl   # for chorus steer train --attributes
  chorus testbed world abacus --seed 7 --corpus --tokens 12000000 > abacus.jsonl
  chorus testbed world abacus --eval skills --eval-seed 1 --n 100 > abacus-test.jsonl
  chorus testbed world abacus --variant lsb-first --eval skills > abacus-lsb-test.jsonl
  chorus testbed world abacus --variant columns --corpus --tokens 20000 | head -3   # worked sums

Atlas variants:
${listing(atlasVariants)}
Atlas eval sets:
${listing(atlasEvalSets)}
Abacus variants:
${listing(abacusVariants)}`,
    )
    .action(async (world: string, flags: WorldFlags) => {
      const modes = [flags.facts, flags.corpus, flags.eval !== undefined].filter(Boolean).length;
      if (modes !== 1)
        throw new UsageError("give exactly one of --facts, --corpus or --eval <set>");
      if (flags.eval === undefined && (flags.evalSeed !== undefined || flags.n !== undefined))
        throw new UsageError("--eval-seed and --n apply only to --eval <set>");
      if (world === "abacus") return abacusAction(flags);
      if (world !== "atlas") throw new UsageError(`unknown world "${world}": use atlas or abacus`);
      const config = atlasConfigFrom(flags);
      const atlas = buildAtlasWorld(config);
      if (flags.facts) await writeJsonl(atlasFacts(atlas), process.stdout);
      else if (flags.corpus) await writeCorpusJsonl(atlasCorpus(atlas), process.stdout);
      else {
        const set = atlasEvalSets[flags.eval!];
        if (!set)
          throw new UsageError(
            `unknown eval set "${flags.eval}": use one of ${Object.keys(atlasEvalSets).join(", ")}`,
          );
        const evalSeed = integer(flags.evalSeed ?? "1", "--eval-seed", 0);
        const n = flags.n === undefined ? undefined : integer(flags.n, "--n", 1);
        if (n !== undefined && !set.sized)
          throw new UsageError(
            `--eval ${flags.eval} has a fixed size (every known fact); drop --n`,
          );
        await writeJsonl(set.draw(atlas, evalSeed, n), process.stdout);
      }
    });
  registerBuild(testbed);
}

/** Abacus: a procedural world, so no fact table; its eval set is `skills` (n problems per skill). */
async function abacusAction(flags: WorldFlags): Promise<void> {
  if (flags.facts)
    throw new UsageError(
      "abacus has no fact table (its ground truth is its generator's rules): use --corpus or --eval skills",
    );
  let overrides: Partial<AbacusConfig> = {};
  if (flags.variant !== undefined) {
    const variant = abacusVariants[flags.variant];
    if (!variant)
      throw new UsageError(
        `unknown abacus --variant "${flags.variant}": use one of ${Object.keys(abacusVariants).join(", ")}`,
      );
    overrides = { ...variant.config };
  }
  if (flags.seed !== undefined) overrides.seed = integer(flags.seed, "--seed", 0);
  if (flags.tokens !== undefined) overrides.tokens = integer(flags.tokens, "--tokens", 1);
  const config = abacusConfig(overrides);
  if (flags.corpus) {
    await writeCorpusJsonl(abacusCorpus(config), process.stdout);
    return;
  }
  if (flags.eval !== "skills")
    throw new UsageError(`unknown abacus eval set "${flags.eval}": use skills`);
  const evalSeed = integer(flags.evalSeed ?? "1", "--eval-seed", 0);
  const n = flags.n === undefined ? undefined : integer(flags.n, "--n", 1);
  await writeJsonl(
    abacusItems(evalSeed, n, config.chain, config.notation, config.working),
    process.stdout,
  );
}

/** `  name  about` lines for --help. */
function listing(entries: Record<string, { about: string }>): string {
  const width = Math.max(...Object.keys(entries).map((k) => k.length));
  return Object.entries(entries)
    .map(([name, { about }]) => `  ${name.padEnd(width)}  ${about}`)
    .join("\n");
}

function atlasConfigFrom(flags: WorldFlags): AtlasConfig {
  let overrides: Partial<AtlasConfig> = {};
  if (flags.variant !== undefined) {
    const variant = atlasVariants[flags.variant];
    if (!variant)
      throw new UsageError(
        `unknown --variant "${flags.variant}": use one of ${Object.keys(atlasVariants).join(", ")}`,
      );
    overrides = { ...variant.config };
  }
  if (flags.seed !== undefined) overrides.seed = integer(flags.seed, "--seed", 0);
  if (flags.tokens !== undefined) overrides.tokens = integer(flags.tokens, "--tokens", 1);
  return atlasConfig(overrides);
}

function integer(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`${flag} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}
