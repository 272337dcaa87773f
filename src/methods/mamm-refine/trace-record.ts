import type { CollaborationResult } from "./collaborate.ts";
import type { DebateOutcome } from "./debate.ts";
import type { MammRefineResult } from "./mamm-refine.ts";

/** One debate as a run record keeps it: each round's votes, reasoning cut short. */
export interface DebateRecord {
  consensus: boolean;
  /** The answer the debate settled on (a label, or a draft's index), null when none parsed. */
  answer: string | number | null;
  /** Per round, per agent: its answer (null: unparsed or not called) and its reasoning. */
  rounds: Array<{
    round: number;
    votes: Array<{ answer: string | number | null; reasoning: string }>;
  }>;
}

/** A CRITIQUE or REFINE collaboration: the drafts, which one was chosen, the rerank debate. */
export interface CollaborationRecord {
  drafts: string[];
  /** Index into `drafts` of the chosen text, null when no writer produced one. */
  chosen: number | null;
  rerank?: DebateRecord;
}

/** What `details.trace` holds: the data behind the viewer's debate/refine tree. */
export interface MammTraceRecord {
  detect: DebateRecord[];
  critique: (CollaborationRecord | null)[];
  refine: CollaborationRecord | null;
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function debateRecord(
  outcome: DebateOutcome,
  answerOf: (key: string) => string | number,
  maxChars: number,
): DebateRecord {
  return {
    consensus: outcome.consensus,
    answer: outcome.key === null ? null : answerOf(outcome.key),
    rounds: outcome.rounds.map((r) => ({
      round: r.round,
      votes: r.votes.map((v) => ({
        answer: v.key === null ? null : answerOf(v.key),
        reasoning: cut(v.reasoning, maxChars),
      })),
    })),
  };
}

function collaborationRecord(c: CollaborationResult, maxChars: number): CollaborationRecord {
  // rerank keys are the drafts' texts: keep their index, not a second copy of the text
  const index = (text: string) => c.candidates.indexOf(text);
  return {
    drafts: c.candidates,
    chosen: c.text === null ? null : index(c.text),
    ...(c.rerank ? { rerank: debateRecord(c.rerank, index, maxChars) } : {}),
  };
}

/**
 * The stages' debates for a run record (issue 18: details kept final labels only): DETECT's votes
 * per sentence and round, CRITIQUE's and REFINE's drafts with the chosen one and their reranking
 * votes. Reasoning is cut to `maxChars` so records stay small.
 */
export function traceRecord(trace: MammRefineResult["trace"], maxChars = 160): MammTraceRecord {
  return {
    detect: trace.detect.map((d) => debateRecord(d, (key) => key, maxChars)),
    critique: trace.critique.map((c) => (c ? collaborationRecord(c, maxChars) : null)),
    refine: trace.refine ? collaborationRecord(trace.refine, maxChars) : null,
  };
}
