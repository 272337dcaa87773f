import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JsonlAppender, readJsonl } from "../../runtime/jsonl-file.ts";
import type { CompletedInstance, PerformanceReport, TrainingDatum } from "./types.ts";

/** One row of an episode's log: the student after a cycle of data and a retraining. */
export interface CycleRecord {
  /** 0 = the untrained student (after reset). */
  cycle: number;
  /** Data each of the cycle's teacher calls returned (the actual counts, after drops). */
  generated: number[];
  /** Data the student has been given in total. */
  accumulated: number;
  validation: PerformanceReport;
  test?: PerformanceReport;
  /** The stop rule fired in this cycle: the episode is over. */
  stopped: boolean;
  seconds: number;
}

/** A datum as stored: with the cycle whose teacher call made it. */
export type StoredDatum = TrainingDatum & { cycle: number };

/**
 * One test problem as the student answered it after a cycle (`test-answers.jsonl`), so a viewer
 * can show which problems a teacher's data fixed. A cycle rerun after a kill appends its answers
 * again: readers keep the last line per (cycle, id).
 */
export interface TestAnswer {
  cycle: number;
  id: string;
  skill?: string;
  question: string;
  gold: string;
  response: string;
  correct: boolean;
}

/** What a resumed episode starts from. */
export interface SavedEpisode {
  records: CycleRecord[];
  data: TrainingDatum[];
  agentState: unknown;
}

/**
 * An episode's folder: `cycles.jsonl` (one CycleRecord per cycle), `data.jsonl` (every datum with
 * its cycle), `agent-state-<cycle>.json` (the teacher's state after that cycle),
 * `test-answers.jsonl` (the student's answer to every test problem after each cycle that was
 * tested; not needed to resume). A cycle counts
 * once its record is written, and the record is written last, so a kill mid-cycle resumes at the
 * start of that cycle with the data and teacher state of the one before.
 */
export class EpisodeFolder {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private get recordsPath(): string {
    return join(this.dir, "cycles.jsonl");
  }

  load(): SavedEpisode | undefined {
    const records = readJsonl<CycleRecord>(this.recordsPath, { repair: true });
    const last = records.at(-1);
    if (!last) return undefined;
    const data = readJsonl<StoredDatum>(join(this.dir, "data.jsonl"), { repair: true })
      .filter((d) => d.cycle <= last.cycle)
      .map(({ cycle: _, ...datum }) => datum);
    const statePath = join(this.dir, `agent-state-${last.cycle}.json`);
    const agentState = existsSync(statePath)
      ? JSON.parse(readFileSync(statePath, "utf8"))
      : undefined;
    return { records, data, agentState };
  }

  /** Saves one finished cycle: its data, the teacher's state, then the record. */
  save(record: CycleRecord, data: readonly TrainingDatum[], agentState: unknown): void {
    const out = new JsonlAppender(join(this.dir, "data.jsonl"));
    try {
      for (const d of data) out.append({ ...d, cycle: record.cycle });
    } finally {
      out.close();
    }
    if (agentState !== undefined) {
      const path = join(this.dir, `agent-state-${record.cycle}.json`);
      writeFileSync(`${path}.tmp`, JSON.stringify(agentState));
      renameSync(`${path}.tmp`, path);
    }
    const log = new JsonlAppender(this.recordsPath);
    try {
      log.append(record);
    } finally {
      log.close();
    }
  }

  /** Appends the student's answers to the test problems after `cycle` (before its record). */
  saveTest(cycle: number, completed: readonly CompletedInstance[]): void {
    const out = new JsonlAppender(join(this.dir, "test-answers.jsonl"));
    try {
      for (const c of completed)
        out.append({
          cycle,
          id: c.instance.id,
          ...(c.instance.skill !== undefined ? { skill: c.instance.skill } : {}),
          question: c.instance.instruction,
          gold: c.instance.gold,
          response: c.response,
          correct: c.correct,
        } satisfies TestAnswer);
    } finally {
      out.close();
    }
  }

  writeConfig(config: Record<string, unknown>): void {
    writeFileSync(join(this.dir, "episode.json"), `${JSON.stringify(config, null, 2)}\n`);
  }
}
