import { readFileSync, writeFileSync } from "node:fs";
import { DataError } from "../../model/errors.ts";
import type { ChatMessage, LanguageModel } from "../../model/language-model.ts";
import { askTeacher, listField, type TeacherCallOptions, textField } from "./teacher-call.ts";
import type { SkillDiscovery, TaskInstance } from "./types.ts";

/** Skills from a function of the instance (a known label, or a stub rule in tests). */
export class LabelSkills implements SkillDiscovery {
  constructor(
    readonly skills: readonly string[],
    private readonly label: (instance: TaskInstance) => string = (x) => x.skill ?? "",
  ) {}

  async skillOf(instance: TaskInstance): Promise<string> {
    return this.label(instance);
  }
}

/** The frozen result of a discovery: the categories and each known instance's category. */
export interface DiscoveredSkills {
  skills: string[];
  /** instruction -> category */
  assignments: Record<string, string>;
}

const ask = (content: string): ChatMessage[] => [
  {
    role: "system",
    content: "You are an expert who names the skills a problem requires. You answer in JSON only.",
  },
  { role: "user", content },
];

const objectOf = (fields: Record<string, unknown>, required = Object.keys(fields)) => ({
  type: "object",
  properties: fields,
  required,
});

/**
 * Metacognitive skill discovery (Didolkar et al., as DataEnvGym uses it), run ONCE per task and
 * frozen: (1) the teacher names one fine-grained snake_case skill per instance; (2) it clusters
 * those names into mutually exclusive, collectively exhaustive categories (at least
 * `minCategories` when given); (3) each instance is mapped to exactly one category, asking again
 * (up to `retries` times) while the answer is outside the list; an instance still unmapped takes
 * the category its step-1 skill was clustered into. Unseen instances are mapped online with step
 * (3), or refused when `offline` (re-running discovery renames categories and breaks skill-tree
 * histories, so a frozen file is the normal way to use it).
 */
export class LlmSkillDiscovery implements SkillDiscovery {
  private constructor(
    private readonly found: DiscoveredSkills,
    private readonly teacher: LanguageModel | undefined,
    private readonly options: TeacherCallOptions & { offline?: boolean; retries?: number },
  ) {}

  get skills(): readonly string[] {
    return this.found.skills;
  }

  static async discover(
    teacher: LanguageModel,
    instances: readonly TaskInstance[],
    options: TeacherCallOptions & { minCategories?: number; retries?: number } = {},
  ): Promise<LlmSkillDiscovery> {
    const call = { ...options, retries: options.retries ?? 3 };
    const labels: string[] = [];
    for (const x of instances) {
      const label = await askTeacher(
        teacher,
        ask(
          `Problem: ${x.instruction}\nName the one fine-grained skill this problem requires most, in snake_case. Reply as {"skill": "..."}.`,
        ),
        objectOf({ skill: { type: "string" } }),
        (v) => textField(v, "skill").trim(),
        call,
      );
      labels.push(label ?? "unlabelled");
    }
    const names = [...new Set(labels)];
    const least = options.minCategories
      ? ` Make at least ${options.minCategories} categories.`
      : "";
    const clusters = await askTeacher(
      teacher,
      ask(
        `Skill names:\n${names.join("\n")}\n\nGroup them into broader named categories that are mutually exclusive and collectively exhaustive: every name in exactly one category.${least} Reply as {"categories": [{"name", "skills": [...]}]}.`,
      ),
      objectOf({
        categories: {
          type: "array",
          items: objectOf({
            name: { type: "string" },
            skills: { type: "array", items: { type: "string" } },
          }),
        },
      }),
      (v) =>
        listField(v, "categories").map((c) => ({
          name: textField(c, "name").trim(),
          skills: listField(c, "skills").map(String),
        })),
      call,
    );
    if (!clusters || clusters.length === 0)
      throw new DataError("skill discovery: the teacher never returned skill categories");
    const categoryOfLabel = new Map(
      clusters.flatMap((c) => c.skills.map((s) => [s, c.name] as const)),
    );
    const found: DiscoveredSkills = {
      skills: [...new Set(clusters.map((c) => c.name))],
      assignments: {},
    };
    const discovery = new LlmSkillDiscovery(found, teacher, call);
    for (const [i, x] of instances.entries()) {
      const mapped = await discovery.mapOnline(x);
      found.assignments[x.instruction] =
        mapped ?? categoryOfLabel.get(labels[i]!) ?? found.skills[0]!;
    }
    return discovery;
  }

  /** A frozen discovery from `save`; `teacher` maps unseen instances unless `offline`. */
  static load(
    path: string,
    teacher?: LanguageModel,
    options: TeacherCallOptions & { offline?: boolean } = {},
  ): LlmSkillDiscovery {
    const found = JSON.parse(readFileSync(path, "utf8")) as DiscoveredSkills;
    if (!Array.isArray(found.skills) || typeof found.assignments !== "object")
      throw new DataError('expected {"skills": [...], "assignments": {...}}', { file: path });
    return new LlmSkillDiscovery(found, teacher, options);
  }

  save(path: string): void {
    writeFileSync(path, `${JSON.stringify(this.found, null, 2)}\n`);
  }

  /** Step (3) for one instance: a category from the list, or undefined after the retries. */
  private async mapOnline(x: TaskInstance): Promise<string | undefined> {
    if (!this.teacher) return undefined;
    const skills = this.found.skills;
    return askTeacher(
      this.teacher,
      ask(
        `Categories:\n${skills.join("\n")}\n\nProblem: ${x.instruction}\nWhich one category's skill does this problem require? Reply as {"category": "..."} with a name from the list.`,
      ),
      objectOf({ category: { type: "string", enum: [...skills] } }),
      (v) => {
        const name = textField(v, "category").trim();
        if (!skills.includes(name)) throw new Error(`"${name}" is not one of the categories`);
        return name;
      },
      { ...this.options, retries: this.options.retries ?? 3 },
    );
  }

  async skillOf(instance: TaskInstance): Promise<string> {
    const known = this.found.assignments[instance.instruction];
    if (known !== undefined) return known;
    if (this.options.offline || !this.teacher)
      throw new DataError(
        `skill discovery is frozen offline and has no category for: ${instance.instruction.slice(0, 80)}`,
      );
    const mapped = (await this.mapOnline(instance)) ?? this.found.skills[0]!;
    this.found.assignments[instance.instruction] = mapped;
    return mapped;
  }
}
