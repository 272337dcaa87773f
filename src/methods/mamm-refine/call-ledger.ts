import type { Usage } from "../../model/language-model.ts";

/** Model calls and tokens spent, per stage: the spec's call budget made visible. */
export class CallLedger {
  readonly byStage = new Map<
    string,
    { calls: number; inputTokens: number; outputTokens: number }
  >();

  /** Records one call of `stage`. */
  add(stage: string, usage: Usage): void {
    const entry = this.byStage.get(stage) ?? { calls: 0, inputTokens: 0, outputTokens: 0 };
    entry.calls++;
    entry.inputTokens += usage.inputTokens;
    entry.outputTokens += usage.outputTokens;
    this.byStage.set(stage, entry);
  }

  /** Calls of one stage (0 when it never ran). */
  calls(stage: string): number {
    return this.byStage.get(stage)?.calls ?? 0;
  }

  /** Totals over all stages. */
  total(): { calls: number; inputTokens: number; outputTokens: number } {
    let calls = 0;
    let inputTokens = 0;
    let outputTokens = 0;
    for (const e of this.byStage.values()) {
      calls += e.calls;
      inputTokens += e.inputTokens;
      outputTokens += e.outputTokens;
    }
    return { calls, inputTokens, outputTokens };
  }

  /** A plain object for JSON output. */
  toJSON(): Record<string, { calls: number; inputTokens: number; outputTokens: number }> {
    return Object.fromEntries(this.byStage);
  }
}
