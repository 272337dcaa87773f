import type { LanguageModel } from "../../model/language-model.ts";
import type { Run } from "../../runtime/run.ts";
import { type RunItemsReport, runItems } from "../../runtime/run-items.ts";
import type { DialogueTree, PbtQuestion } from "./dialogue-tree.ts";
import { type GrowNotes, type GrowOptions, growTree } from "./grow-tree.ts";

/** Counts that say whether the trees are usable before any pair is made. */
export interface TreeSummary {
  trees: number;
  nodes: number;
  /** Turns whose extracted answer was NONE (the model did not answer in a usable form). */
  noAnswer: number;
  skipped: Record<string, number>;
}

/**
 * Grows one tree per question, each appended to the run's results.jsonl as it finishes, so a
 * killed run resumes without repeating a tree (`Run.resume`).
 */
export async function growTrees(
  questions: readonly PbtQuestion[],
  agents: readonly [LanguageModel, LanguageModel],
  options: GrowOptions,
  run?: {
    run?: Run;
    concurrency?: number;
    signal?: AbortSignal;
  },
): Promise<{ report: RunItemsReport<DialogueTree>; trees: DialogueTree[]; notes: GrowNotes }> {
  const notes: GrowNotes = { skipped: {} };
  const report = await runItems(
    questions,
    (q, ctx) => growTree(q, agents, { ...options, signal: ctx.signal }, notes),
    {
      id: (q) => q.id,
      ...(run?.run ? { run: run.run } : {}),
      ...(run?.concurrency ? { concurrency: run.concurrency } : {}),
      ...(run?.signal ? { signal: run.signal } : {}),
    },
  );
  return { report, trees: report.results.map((r) => r.result), notes };
}

/** Nodes, turns without an extractable answer, and skipped turns of a set of trees. */
export function summarizeTrees(trees: readonly DialogueTree[], notes?: GrowNotes): TreeSummary {
  let nodes = 0;
  let noAnswer = 0;
  for (const t of trees)
    for (const n of t.nodes) {
      if (n.parent < 0) continue;
      nodes++;
      const a = n.answers[n.agent as 0 | 1];
      if (a === null || /^none$/i.test(a)) noAnswer++;
    }
  return { trees: trees.length, nodes, noAnswer, skipped: notes?.skipped ?? {} };
}
