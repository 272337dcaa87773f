import { ConfigError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { type AbacusConfig, abacusConfig, abacusVariants } from "../abacus/abacus-config.ts";
import { abacusCorpus } from "../abacus/abacus-corpus.ts";
import { type AtlasConfig, atlasConfig, atlasVariants } from "../atlas/atlas-config.ts";
import { atlasCorpus, atlasExposures, wordCount } from "../atlas/atlas-corpus.ts";
import { buildAtlasWorld } from "../atlas/atlas-world.ts";
import { type AbacusChecks, abacusChecks } from "./abacus-checks.ts";
import { type AtlasChecks, atlasChecks } from "./atlas-checks.ts";
import type { AbacusRecipe, AtlasRecipe, TestbedRecipe } from "./testbed-recipes.ts";

/** Sizes of the checks; the shipped builds use the defaults, tests smaller ones. */
export interface CheckSizes {
  /** Atlas: probe this many facts, evenly spread over popularity, instead of all. */
  knowledgeLimit?: number;
  /** Atlas: reading questions. */
  readingN?: number;
  /** Abacus: problems per skill. */
  skillsN?: number;
}

/** What a build needs from its recipe's world: the corpus, and the checks of the built model. */
export interface RecipeWorld {
  /** The world generator's full config, recorded with the model. */
  config: AtlasConfig | AbacusConfig;
  documents: string[];
  /** Corpus words (Atlas: by document type; Abacus: in all, and documents), recorded with the checks. */
  corpus: Record<string, number>;
  check(model: LanguageModel, sizes: CheckSizes): Promise<AtlasChecks | AbacusChecks>;
}

/** The config of the recipe's `variant` among its world's `variants`, or one error naming it. */
function variantConfig<C>(
  recipe: TestbedRecipe,
  variants: Record<string, { config: Partial<C> }>,
): Partial<C> {
  if (recipe.variant === undefined) return {};
  const variant = variants[recipe.variant];
  if (!variant)
    throw new ConfigError(
      `recipe ${recipe.name} names an unknown ${recipe.world} variant "${recipe.variant}"`,
    );
  return variant.config;
}

function atlasRecipeConfig(recipe: AtlasRecipe): AtlasConfig {
  return atlasConfig({ ...variantConfig(recipe, atlasVariants), ...recipe.worldOverrides });
}

function abacusRecipeConfig(recipe: AbacusRecipe): AbacusConfig {
  return abacusConfig({ ...variantConfig(recipe, abacusVariants), ...recipe.worldOverrides });
}

/** The world config a recipe trains on (its world's variant switch, then its own overrides). */
export function recipeWorldConfig(recipe: TestbedRecipe): AtlasConfig | AbacusConfig {
  return recipe.world === "atlas" ? atlasRecipeConfig(recipe) : abacusRecipeConfig(recipe);
}

/**
 * The recipe's world, generated: Atlas (knowledge: checked by its knowledge curve and reading) or
 * Abacus (procedures: checked by accuracy per skill).
 */
export function recipeWorld(recipe: TestbedRecipe): RecipeWorld {
  if (recipe.world === "atlas") {
    const config = atlasRecipeConfig(recipe);
    const world = buildAtlasWorld(config);
    return {
      config,
      documents: [...atlasCorpus(world)].map((d) => d.text),
      corpus: atlasExposures(world).tokens,
      check: (model, sizes) =>
        atlasChecks(model, world, {
          ...(sizes.knowledgeLimit !== undefined ? { knowledgeLimit: sizes.knowledgeLimit } : {}),
          ...(sizes.readingN !== undefined ? { readingN: sizes.readingN } : {}),
        }),
    };
  }
  const config = abacusRecipeConfig(recipe);
  const documents = [...abacusCorpus(config)].map((d) => d.text);
  return {
    config,
    documents,
    corpus: { total: documents.reduce((n, d) => n + wordCount(d), 0), documents: documents.length },
    check: (model, sizes) =>
      abacusChecks(model, config, sizes.skillsN !== undefined ? { n: sizes.skillsN } : {}),
  };
}
