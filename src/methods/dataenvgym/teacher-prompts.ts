import type { ChatMessage } from "../../model/language-model.ts";
import type { CompletedInstance, TaskInstance } from "./types.ts";

/**
 * The teachers' prompts (our wording of the official agents' instructions). Each asks for JSON
 * under a schema; `kind` says what one datum is: a worked problem (math and the like, the answer
 * rendered by the task's target format) or a code problem with one assert and a solution.
 */
export type DatumKind = "worked" | "code";

const system: ChatMessage = {
  role: "system",
  content:
    "You are an expert teacher who writes training data for a student model. You study the student's mistakes and write new, correct practice problems with solutions that teach what it is missing. You answer in JSON only.",
};

const datumShape = (kind: DatumKind): string =>
  kind === "worked"
    ? 'each datum is {"problem", "reasoning" (a step-by-step solution), "final_answer" (the bare final value; LaTeX allowed, backslashes escaped as JSON requires)}'
    : 'each datum is {"problem" (a self-contained Python function task), "test" (one Python assert that calls the function), "solution" (a complete Python function, no prose)}';

/** Limits on a reply's shape: items per list; characters per text field (small local teachers). */
export interface SchemaLimits {
  items?: number;
  maxChars?: number;
}

export function datumSchema(kind: DatumKind, limits: SchemaLimits = {}): Record<string, unknown> {
  const fields =
    kind === "worked" ? ["problem", "reasoning", "final_answer"] : ["problem", "test", "solution"];
  const text = { type: "string", ...(limits.maxChars ? { maxLength: limits.maxChars } : {}) };
  return {
    type: "object",
    properties: Object.fromEntries(fields.map((f) => [f, text])),
    required: fields,
  };
}

const listSchema = (key: string, item: Record<string, unknown>, items?: number) => ({
  type: "object",
  properties: {
    [key]: { type: "array", items: item, ...(items ? { minItems: items, maxItems: items } : {}) },
  },
  required: [key],
});

/** `{ data: [datum] }` (exactly `limits.items` when given) */
export const dataSchema = (kind: DatumKind, limits: SchemaLimits = {}) =>
  listSchema("data", datumSchema(kind, limits), limits.items);

/** `{ hypotheses: [{ weak_skill, data: [datum × perHypothesis] }] × hypotheses }` */
export const hypothesesSchema = (
  kind: DatumKind,
  hypotheses: number,
  perHypothesis: number,
  limits: SchemaLimits = {},
) =>
  listSchema(
    "hypotheses",
    {
      type: "object",
      properties: {
        weak_skill: { type: "string", ...(limits.maxChars ? { maxLength: limits.maxChars } : {}) },
        data: dataSchema(kind, { ...limits, items: perHypothesis }).properties.data,
      },
      required: ["weak_skill", "data"],
    },
    hypotheses,
  );

/** `{ subskills: [string × count] }` */
export const subskillsSchema = (count: number, limits: SchemaLimits = {}) =>
  listSchema(
    "subskills",
    { type: "string", ...(limits.maxChars ? { maxLength: limits.maxChars } : {}) },
    count,
  );

const showError = (c: CompletedInstance, i: number): string =>
  `Mistake ${i + 1}\nProblem: ${c.instance.instruction}\nStudent's answer: ${c.response.trim() || "(empty)"}` +
  (c.instance.gold ? `\nCorrect answer: ${c.instance.gold}` : "");

/** Open-ended: task examples plus raw errors (the errors' problems, not blank lines). */
export function openEndedPrompt(
  kind: DatumKind,
  examples: readonly TaskInstance[],
  errors: readonly CompletedInstance[],
  count: number,
): ChatMessage[] {
  const shown = examples.map((x, i) => `Example ${i + 1}: ${x.instruction}`).join("\n");
  const mistakes = errors.map(showError).join("\n\n");
  return [
    system,
    {
      role: "user",
      content: `Problems of the task look like these:\n${shown || "(none)"}\n\nThe student got these wrong:\n${mistakes || "(no mistakes shown)"}\n\nWrite ${count} new problems in the task's style that would teach the student what these mistakes show it lacks. Reply as {"data": [...]}; ${datumShape(kind)}.`,
    },
  ];
}

/** Skill-list: one skill's errors; hypotheses of weak subskills, `perHypothesis` data each. */
export function skillListPrompt(
  kind: DatumKind,
  skill: string,
  errors: readonly CompletedInstance[],
  hypotheses: number,
  perHypothesis: number,
): ChatMessage[] {
  const situation =
    errors.length > 0
      ? `The student makes mistakes on problems of the skill "${skill}":\n\n${errors.map(showError).join("\n\n")}\n\nInfer ${hypotheses} distinct weak subskills of "${skill}" that explain these mistakes.`
      : `The student answers the problems of the skill "${skill}" it was shown correctly. Name ${hypotheses} harder subskills of "${skill}" it should practise next.`;
  return [
    system,
    {
      role: "user",
      content: `${situation} For each, write ${perHypothesis} new problems that exercise it. Reply as {"hypotheses": [{"weak_skill", "data": [...]}]}; ${datumShape(kind)}.`,
    },
  ];
}

/** Skill-tree Explore: new subskill names. */
export function subskillsPrompt(
  skill: string,
  existing: readonly string[],
  count: number,
): ChatMessage[] {
  const known =
    existing.length > 0
      ? `Subskills already covered: ${existing.join("; ")}.`
      : "No subskills are covered yet.";
  return [
    system,
    {
      role: "user",
      content: `Skill: "${skill}". ${known} Name ${count} new, distinct subskills of "${skill}" that are not in that list, each a short phrase. Reply as {"subskills": [...]}.`,
    },
  ];
}

/** Skill-tree engine: data for one subskill, avoiding problems already made. */
export function subskillDataPrompt(
  kind: DatumKind,
  skill: string,
  subskill: string,
  count: number,
  avoid: readonly string[],
): ChatMessage[] {
  const seen =
    avoid.length > 0
      ? `\nDo not repeat these existing problems:\n${avoid.map((a) => `- ${a}`).join("\n")}`
      : "";
  return [
    system,
    {
      role: "user",
      content: `Write ${count} new problems of the skill "${skill}" that require the subskill "${subskill}".${seen}\nReply as {"data": [...]}; ${datumShape(kind)}.`,
    },
  ];
}

/** Uniform baseline: problems of a skill, no feedback. */
export function blindPrompt(kind: DatumKind, skill: string, count: number): ChatMessage[] {
  return [
    system,
    {
      role: "user",
      content: `Write ${count} new problems of the skill "${skill}". Reply as {"data": [...]}; ${datumShape(kind)}.`,
    },
  ];
}
