import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { requireMirrorFile } from "../../evals/datasets/mirror-file.ts";
import { readRecords, recordError, type SourceRecord } from "../../evals/datasets/read-records.ts";
import { DataError, UsageError } from "../../model/index.ts";
import type { EvalRole } from "./evaluate.ts";
import type { ForgetItem } from "./select-coreset.ts";

/**
 * The unlearning data in `../shared/datasets` (MANIFEST §7, §5), read in place:
 *
 * | name | file | items |
 * |---|---|---|
 * | `counterfact:0` | `counterfact_upcore/cf_cluster_0.jsonl` (forget set) | 452 |
 * | `counterfact:0:parap` | `…_parap.jsonl` (paraphrased forget prompts) | 452 |
 * | `counterfact:0:jailbreak` | `…_jailbreak.jsonl` (role-play forget prompts) | 452 |
 * | `counterfact:0:neigh` | `…_neigh.jsonl` (same-topic neighbourhood) | 1,356 |
 * | `counterfact:0:nneigh` | `…_nneigh.jsonl` (the spec's "Neigh": facts outside the set) | 100 |
 * | `tofu:real-authors` | `tofu_eval_sets/real_authors_perturbed.json` (JSON Lines) | 100 |
 * | `tofu:world-facts` | `tofu_eval_sets/world_facts_perturbed.json` (JSON Lines) | 117 |
 * | `triviaqa:0` | `triviaqa_upcore/tv_cluster_0.jsonl.gz` | 11,891 |
 *
 * and `tofu:idontknow` (`tofu_eval_sets/idontknow.jsonl`, plain text, one refusal a line).
 */

/** CounterFact variants shipped beside each cluster's forget set. */
export const counterfactVariants = ["parap", "jailbreak", "neigh", "nneigh"] as const;
export type CounterfactVariant = (typeof counterfactVariants)[number];

/** Short evaluation-set names `--eval` accepts besides `name=path` and full names. */
export const shortEvalNames = [...counterfactVariants, "real-authors", "world-facts"] as const;

const namedHelp =
  "counterfact:<k>[:parap|jailbreak|neigh|nneigh], tofu:real-authors, tofu:world-facts, triviaqa:<k>";

/** A named set's file relative to `shared/datasets`, or undefined when `spec` is not a name. */
export function namedSetFile(spec: string): string | undefined {
  const cf = /^counterfact:(\d+)(?::([a-z]+))?$/.exec(spec);
  if (cf) {
    const variant = cf[2];
    if (variant !== undefined && !(counterfactVariants as readonly string[]).includes(variant))
      throw new UsageError(
        `unknown CounterFact variant "${variant}" in "${spec}"; use one of ${counterfactVariants.join(", ")}`,
      );
    return `counterfact_upcore/cf_cluster_${cf[1]}${variant ? `_${variant}` : ""}.jsonl`;
  }
  const tv = /^triviaqa:(\d+)$/.exec(spec);
  if (tv) return `triviaqa_upcore/tv_cluster_${tv[1]}.jsonl.gz`;
  if (spec === "tofu:real-authors") return "tofu_eval_sets/real_authors_perturbed.json";
  if (spec === "tofu:world-facts") return "tofu_eval_sets/world_facts_perturbed.json";
  if (spec === "tofu:idontknow") return "tofu_eval_sets/idontknow.jsonl";
  if (/^(counterfact|tofu|triviaqa):/.test(spec))
    throw new UsageError(`unknown data set name "${spec}"; named sets: ${namedHelp}`);
  return undefined;
}

/** The file a set argument names: an existing path as is, else a shared set by name. */
export function resolveSetFile(spec: string): string {
  if (existsSync(spec)) return spec;
  const relative = namedSetFile(spec);
  if (relative === undefined)
    throw new DataError(`no such file, and not a named set (${namedHelp})`, { file: spec });
  return requireMirrorFile(relative);
}

/** Item fields a line may carry (TOFU and CounterFact names). */
const recordHelp =
  'each line needs {"question": string, "answer": string} and may have "id", "paraphrased_answer" (string) and "perturbed_answer" (a string or a list of strings)';

function itemFrom(record: SourceRecord, index: number): ForgetItem {
  const v = record.value;
  const text = (field: string, optional: boolean): string | undefined => {
    const x = v[field];
    if (x === undefined && optional) return undefined;
    if (typeof x === "number" && Number.isFinite(x)) return String(x);
    if (typeof x !== "string" || x.trim() === "")
      throw recordError(
        record,
        `${x === undefined ? `missing field "${field}"` : `field "${field}" must be a non-empty string, got ${JSON.stringify(x)?.slice(0, 60)}`}; ${recordHelp}`,
      );
    return x;
  };
  const item: ForgetItem = {
    id: typeof v.id === "string" || typeof v.id === "number" ? String(v.id) : String(index),
    question: text("question", false)!,
    answer: text("answer", false)!,
  };
  const paraphrased = text("paraphrased_answer", true);
  if (paraphrased !== undefined) item.paraphrasedAnswer = paraphrased;
  const perturbed = v.perturbed_answer;
  if (perturbed !== undefined) {
    const list = typeof perturbed === "string" ? [perturbed] : perturbed;
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((p) => typeof p === "string" && p.trim() !== "")
    )
      throw recordError(
        record,
        `field "perturbed_answer" must be a non-empty string or list of non-empty strings, got ${JSON.stringify(perturbed)?.slice(0, 60)}; ${recordHelp}`,
      );
    item.perturbedAnswers = list as string[];
  }
  return item;
}

/**
 * Reads a set of `{question, answer[, id, paraphrased_answer, perturbed_answer]}` records from a
 * path (`.jsonl`, `.json` array or JSON Lines, optionally `.gz`) or a shared set's name.
 * Ids default to the 0-based record index.
 * @throws DataError naming file:line and the fix for a bad record; UsageError for a bad name.
 */
export function loadUnlearningSet(spec: string): ForgetItem[] {
  const file = resolveSetFile(spec);
  const items = readRecords(file).map((record, i) => itemFrom(record, i));
  if (items.length === 0) throw new DataError(`no items; ${recordHelp}`, { file });
  return items;
}

/**
 * A refusal pool: plain text, one refusal per non-blank line (TOFU's `idontknow.jsonl`, which
 * is not JSON despite its name); a line holding a JSON string is unquoted.
 */
export function loadRefusals(spec = "tofu:idontknow"): string[] {
  const file = resolveSetFile(spec);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new DataError(`cannot read the refusal file: ${(error as Error).message}`, { file });
  }
  const refusals = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      if (!line.startsWith('"')) return line;
      try {
        const parsed: unknown = JSON.parse(line);
        return typeof parsed === "string" ? parsed : line;
      } catch {
        return line;
      }
    });
  if (refusals.length === 0)
    throw new DataError("no refusals; write one refusal sentence per line", { file });
  return refusals;
}

/** The shared refusal pool when it is there, else undefined (the built-in five strings apply). */
export function sharedRefusals(): string[] | undefined {
  try {
    return loadRefusals();
  } catch {
    return undefined;
  }
}

/** One evaluation set argument resolved: its report name, source and role. */
export interface EvalSetSpec {
  name: string;
  spec: string;
  role: EvalRole;
}

/**
 * Resolves one `--eval` entry: a short name (`parap`, `jailbreak`, `neigh`, `nneigh` — of the
 * forget set's CounterFact cluster — `real-authors`, `world-facts`), a full name
 * (`counterfact:0:nneigh`), `name=path`, or a path (named after its file). parap and jailbreak
 * are forget-side sets (Truth Ratio min(R, 1/R)); real-authors and world-facts use TOFU's
 * normalised Prob.; everything else is retain-side.
 */
export function evalSetSpec(entry: string, forgetSpec?: string): EvalSetSpec {
  const eq = entry.indexOf("=");
  if (eq > 0) {
    const name = entry.slice(0, eq);
    return { name, spec: entry.slice(eq + 1), role: roleOf(name) };
  }
  if ((counterfactVariants as readonly string[]).includes(entry)) {
    const cluster = forgetSpec ? /^counterfact:(\d+)$/.exec(forgetSpec)?.[1] : undefined;
    if (cluster === undefined)
      throw new UsageError(
        `--eval ${entry} needs --forget counterfact:<k> (or write counterfact:<k>:${entry} or ${entry}=<path>)`,
      );
    return { name: entry, spec: `counterfact:${cluster}:${entry}`, role: roleOf(entry) };
  }
  if (entry === "real-authors" || entry === "world-facts")
    return { name: entry, spec: `tofu:${entry}`, role: "tofu" };
  const cf = /^counterfact:\d+:([a-z]+)$/.exec(entry);
  if (cf) return { name: cf[1]!, spec: entry, role: roleOf(cf[1]!) };
  if (entry === "tofu:real-authors" || entry === "tofu:world-facts")
    return { name: entry.slice(5), spec: entry, role: "tofu" };
  const name = basename(entry).replace(/(\.jsonl|\.json)?(\.gz)?$/, "");
  return { name, spec: entry, role: roleOf(name) };
}

/** The default role of a set by its name (see EvalRole). */
export function roleOf(name: string): EvalRole {
  if (name === "parap" || name === "jailbreak") return "forget";
  if (name === "real-authors" || name === "world-facts") return "tofu";
  return "retain";
}
