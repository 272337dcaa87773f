import type { LanguageModel } from "../../model/language-model.ts";
import { codeInstruction } from "./code-task.ts";
import type { DataEngine, DraftDatum } from "./data-engine.ts";
import { askTeacher, listField, type TeacherCallOptions, textField } from "./teacher-call.ts";
import {
  blindPrompt,
  type DatumKind,
  dataSchema,
  hypothesesSchema,
  openEndedPrompt,
  skillListPrompt,
  subskillDataPrompt,
  subskillsPrompt,
  subskillsSchema,
} from "./teacher-prompts.ts";
import type { Task } from "./types.ts";

export interface LlmEngineOptions extends TeacherCallOptions {
  /** What one datum is (default "worked"; "code" for code tasks). */
  kind?: DatumKind;
  /** Data asked for in one open-ended call (default 10: 120 per iteration = 12 calls). */
  perCall?: number;
  /**
   * Characters per text field in the reply schema (JSON-schema `maxLength`; default none). Tiny
   * local teachers under a grammar need it to finish their JSON within `maxTokens`.
   */
  maxFieldChars?: number;
  /** Existing problems shown to the subskill engine to avoid duplicates (default 10). */
  avoidShown?: number;
  /** Teacher calls made so far and drops, for logs. */
  log?: (event: { call: string; asked: number; got: number; dropped?: string }) => void;
}

/**
 * The data generation engine of the paper's agents: any chorus model with JSON-schema output
 * (GPT-4o in the paper; a local GGUF under a grammar here). Worked data become the task's target
 * format (`Final Answer: The final answer is $\boxed{…}$.` for math); code data an MBPP-style
 * instruction with the teacher's assert and a fenced solution.
 */
export class LlmDataEngine implements DataEngine {
  readonly kind: DatumKind;
  private calls = 0;

  constructor(
    readonly teacher: LanguageModel,
    readonly task: Task,
    readonly options: LlmEngineOptions = {},
  ) {
    this.kind = options.kind ?? "worked";
  }

  private limits(items?: number) {
    const chars = this.options.maxFieldChars;
    return { ...(items !== undefined ? { items } : {}), ...(chars ? { maxChars: chars } : {}) };
  }

  /** One datum from the teacher's JSON, or an error (a malformed datum fails its call). */
  private datum(value: unknown, skill?: string, subskill?: string): DraftDatum {
    const tags = { ...(skill !== undefined ? { skill } : {}), ...(subskill ? { subskill } : {}) };
    if (this.kind === "code") {
      const problem = textField(value, "problem");
      const test = textField(value, "test");
      return {
        instruction: codeInstruction({ prompt: problem, tests: [test] }),
        response: this.task.target(textField(value, "solution")),
        ...tags,
      };
    }
    return {
      instruction: textField(value, "problem"),
      response: this.task.target(
        textField(value, "final_answer").trim(),
        String((value as Record<string, unknown>)["reasoning"] ?? ""),
      ),
      ...tags,
    };
  }

  private async ask<T>(
    what: string,
    messages: Parameters<typeof askTeacher>[1],
    schema: Record<string, unknown>,
    accept: (v: unknown) => T,
  ): Promise<T | undefined> {
    const seed = this.options.seed;
    const result = await askTeacher(this.teacher, messages, schema, accept, {
      ...this.options,
      ...(seed !== undefined ? { seed: seed + 1000 * this.calls++ } : {}),
      onDrop: (reason) => {
        this.options.log?.({ call: what, asked: 0, got: 0, dropped: reason });
        this.options.onDrop?.(reason);
      },
    });
    return result;
  }

  async likeErrors(request: Parameters<DataEngine["likeErrors"]>[0]): Promise<DraftDatum[]> {
    const perCall = this.options.perCall ?? 10;
    const out: DraftDatum[] = [];
    for (let left = request.count; left > 0; left -= perCall) {
      const n = Math.min(perCall, left);
      const messages = openEndedPrompt(this.kind, request.examples, request.errors, n);
      const got = await this.ask(
        "open-ended",
        messages,
        dataSchema(this.kind, this.limits(n)),
        (v) => listField(v, "data").map((d) => this.datum(d)),
      );
      this.options.log?.({ call: "open-ended", asked: n, got: got?.length ?? 0 });
      out.push(...(got ?? []).slice(0, n));
    }
    return out;
  }

  async forSkill(request: Parameters<DataEngine["forSkill"]>[0]): Promise<DraftDatum[]> {
    const { skill, errors, hypotheses, count } = request;
    const per = Math.max(1, Math.ceil(count / hypotheses));
    const messages = skillListPrompt(this.kind, skill, errors, hypotheses, per);
    const got = await this.ask(
      "skill-list",
      messages,
      hypothesesSchema(this.kind, hypotheses, per, this.limits()),
      (v) =>
        listField(v, "hypotheses").flatMap((h) => {
          const weak = textField(h, "weak_skill");
          return listField(h, "data").map((d) => this.datum(d, skill, weak));
        }),
    );
    this.options.log?.({ call: `skill-list ${skill}`, asked: count, got: got?.length ?? 0 });
    return (got ?? []).slice(0, count);
  }

  async proposeSubskills(
    request: Parameters<DataEngine["proposeSubskills"]>[0],
  ): Promise<string[]> {
    const { skill, existing, count } = request;
    const taken = new Set(existing.map((s) => s.toLowerCase()));
    // Too few new names is a failed attempt (retried); too many are cut.
    const got = await this.ask(
      "explore",
      subskillsPrompt(skill, existing, count),
      subskillsSchema(count, this.limits()),
      (v) => {
        const fresh = [
          ...new Set(
            listField(v, "subskills")
              .filter((s): s is string => typeof s === "string" && s.trim() !== "")
              .map((s) => s.trim()),
          ),
        ].filter((s) => !taken.has(s.toLowerCase()));
        if (fresh.length < count)
          throw new Error(`asked ${count} new subskills, got ${fresh.length}`);
        return fresh.slice(0, count);
      },
    );
    return got ?? [];
  }

  async forSubskill(request: Parameters<DataEngine["forSubskill"]>[0]): Promise<DraftDatum[]> {
    const { skill, subskill, count } = request;
    const avoid = request.avoid.slice(-(this.options.avoidShown ?? 10));
    const messages = subskillDataPrompt(this.kind, skill, subskill, count, avoid);
    const got = await this.ask(
      "subskill",
      messages,
      dataSchema(this.kind, this.limits(count)),
      (v) => listField(v, "data").map((d) => this.datum(d, skill, subskill)),
    );
    this.options.log?.({
      call: `subskill ${skill}/${subskill}`,
      asked: count,
      got: got?.length ?? 0,
    });
    return (got ?? []).slice(0, count);
  }

  async forSkillBlind(request: { skill: string; count: number }): Promise<DraftDatum[]> {
    const { skill, count } = request;
    const messages = blindPrompt(this.kind, skill, count);
    const got = await this.ask(
      "uniform",
      messages,
      dataSchema(this.kind, this.limits(count)),
      (v) => listField(v, "data").map((d) => this.datum(d, skill)),
    );
    this.options.log?.({ call: `uniform ${skill}`, asked: count, got: got?.length ?? 0 });
    return (got ?? []).slice(0, count);
  }

  state(): unknown {
    return { calls: this.calls };
  }

  restore(state: unknown): void {
    this.calls = (state as { calls: number }).calls;
  }
}
