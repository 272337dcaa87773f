import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AreYouSureOutcome } from "../../methods/pbt/are-you-sure.ts";
import { chatFormat } from "../../methods/pbt/chat-format.ts";
import { type DialogueTree, isAgreement, levelCounts } from "../../methods/pbt/dialogue-tree.ts";
import {
  summarizeAreYouSure,
  summarizeDebate,
  summarizePersuasion,
} from "../../methods/pbt/eval-summary.ts";
import type { PersuasionOutcome } from "../../methods/pbt/persuasion-eval.ts";
import { collectPairs, pairThresholds } from "../../methods/pbt/sibling-pairs.ts";
import type { TeamDebateOutcome } from "../../methods/pbt/team-debate.ts";
import { transcriptFormat } from "../../methods/pbt/transcript-format.ts";
import { countMoves } from "../../methods/pbt/turn-moves.ts";
import type { PbtCondition, PbtTreesView, PbtView } from "../shared/training-data.ts";
import { resultLines } from "./results-file.ts";

const isTree = (r: unknown): r is DialogueTree =>
  Array.isArray((r as DialogueTree | null)?.nodes) &&
  typeof (r as DialogueTree).question === "string";

/** Tree shapes, turn moves, and the sibling pairs `chorus pbt pairs` would start from. */
export function treesView(
  trees: readonly DialogueTree[],
  label: string,
  format: "chat" | "transcript",
): PbtTreesView {
  const levels: number[] = [];
  let turns = 0;
  let agreedAtStart = 0;
  for (const t of trees) {
    levelCounts(t).forEach((c, l) => {
      levels[l] = (levels[l] ?? 0) + c;
      turns += c;
    });
    const blind = t.nodes.find((n) => n.level === 1);
    if (blind && isAgreement(blind)) agreedAtStart++;
  }
  const { counts } = collectPairs(trees, {
    format: format === "chat" ? chatFormat : transcriptFormat,
  });
  return {
    label,
    trees: trees.length,
    turns,
    levels: Array.from(levels, (c) => c ?? 0),
    agreedAtStart,
    moves: countMoves(trees),
    pairs: { accept: counts.accept, resist: counts.resist, threshold: pairThresholds.corrected },
  };
}

type Outcome = PersuasionOutcome | AreYouSureOutcome | TeamDebateOutcome;

/** Summaries of one condition's outcomes, as `chorus pbt eval` reports them (same seed). */
function condition(
  name: string,
  o: { persuasion: Outcome[]; sure: Outcome[]; first: Outcome[]; second: Outcome[] },
  seed: number,
): PbtCondition {
  return {
    name,
    ...(o.persuasion.length
      ? { persuasion: summarizePersuasion(o.persuasion as PersuasionOutcome[], seed) }
      : {}),
    ...(o.sure.length
      ? { areYouSure: summarizeAreYouSure(o.sure as AreYouSureOutcome[], seed) }
      : {}),
    ...(o.first.length
      ? {
          debate: summarizeDebate(
            o.first as TeamDebateOutcome[],
            o.second as TeamDebateOutcome[],
            seed,
          ),
        }
      : {}),
  };
}

/**
 * `chorus pbt trees` (results: trees), `chorus pbt eval` (results: outcomes, report.json) and
 * `chorus demo pbt --measure` (ids `tree/train/…`, `tree/eval/…`, `eval/<base|seed/variant>/
 * <measure>/…`, `train/<seed>/<variant>`); the smoke `demo pbt` files a summary per variant.
 */
export function pbtView(dir: string, config: Record<string, unknown>, seed: number): PbtView {
  const lines = resultLines<unknown>(dir);
  const format = config["format"] === "chat" ? "chat" : "transcript";
  const trees: PbtTreesView[] = [];
  const conditions: PbtCondition[] = [];
  const measure = lines.some((l) => l.id.startsWith("eval/") || l.id.startsWith("tree/"));
  if (measure) {
    for (const [key, label] of [
      ["tree/train/", "training trees"],
      ["tree/eval/", "evaluation trees"],
    ] as const) {
      const found = lines.filter((l) => l.id.startsWith(key)).map((l) => l.result);
      if (found.length) trees.push(treesView(found.filter(isTree), label, "transcript"));
    }
    const tags: string[] = [];
    const byTag = new Map<string, Record<string, Outcome[]>>();
    for (const l of lines) {
      const m = /^eval\/(.+)\/(persuasion|sure|team-first|team-second)\/[^/]+$/.exec(l.id);
      if (!m) continue;
      if (!byTag.has(m[1]!)) {
        tags.push(m[1]!);
        byTag.set(m[1]!, {});
      }
      const of = byTag.get(m[1]!)!;
      of[m[2]!] = [...(of[m[2]!] ?? []), l.result as Outcome];
    }
    const training = new Map(
      lines.filter((l) => l.id.startsWith("train/")).map((l) => [l.id.slice(6), l.result]),
    );
    // base's "are you sure?" lines include the questions it got wrong (asked to find those it
    // answers right); the measurement, and so this summary, keeps only the questions kept
    const variantSure = tags
      .map((t) => byTag.get(t)!["sure"])
      .find((s, i) => tags[i] !== "base" && s);
    const kept = variantSure ? new Set(variantSure.map((o) => o.id)) : undefined;
    for (const tag of tags) {
      const o = byTag.get(tag)!;
      const c = condition(
        tag === "base" ? tag : `seed ${tag.replace("/", " · ")}`,
        {
          persuasion: o["persuasion"] ?? [],
          sure: (o["sure"] ?? []).filter((x) => !kept || kept.has(x.id)),
          first: o["team-first"] ?? [],
          second: o["team-second"] ?? [],
        },
        seed,
      );
      const trained = training.get(tag) as PbtCondition["training"] | undefined;
      conditions.push(trained ? { ...c, training: trained } : c);
    }
  } else if (lines.some((l) => isTree(l.result))) {
    trees.push(treesView(lines.map((l) => l.result).filter(isTree), "trees", format));
  } else if (existsSync(join(dir, "report.json"))) {
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as Omit<
      PbtCondition,
      "name"
    >;
    const lora = typeof config["lora"] === "string" ? ` + ${config["lora"]}` : "";
    conditions.push({ name: `evaluated model${lora}`, ...report });
  } else {
    // the smoke demo: one line per variant, its summaries already computed
    for (const l of lines) conditions.push({ name: l.id, ...(l.result as object) });
  }
  return { kind: "pbt", trees, conditions };
}
