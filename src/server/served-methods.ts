import type { AnswerType } from "../evals/answers/extract-answer.ts";
import type { EvalMethod } from "../evals/eval-method.ts";
import { loadEvalMethod } from "../evals/eval-methods.ts";
import { UsageError } from "../model/errors.ts";

/**
 * Settings by method name (`magicore`) or virtual model name (`magicore:qwen`); `*` holds those
 * for every method. The more specific win.
 */
export type MethodSettings = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * Methods a chat request can drive: the question is the last user message (AdaCAD's context the
 * system message or `documents`). The others need inputs a chat does not carry (code and tests,
 * a summary to refine, a validation split for expert profiles).
 */
export const servableMethods = [
  "cot",
  "self-consistency",
  "best-of-k",
  "rm-vote",
  "self-refine",
  "magicore",
  "adacad",
] as const;

/**
 * Role → served model name (`prm` → `smol`), keyed like MethodSettings: `*`, a method or a
 * virtual model. A role not named is played by the virtual model's own model.
 */
export type MethodRoles = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** One virtual model `<method>:<model>`: the method, its settings, roles and answer type. */
export interface VirtualModel {
  name: string;
  method: EvalMethod;
  model: string;
  settings: Readonly<Record<string, unknown>>;
  /** Roles played by other served models (MAgICoRe's `prm`, AdaCAD's `judge`, ...). */
  roles: Readonly<Record<string, string>>;
  answerType: AnswerType;
}

/** The methods `chorus serve` offers beside each model, loaded and with their settings checked. */
export interface ServedMethods {
  readonly methods: readonly EvalMethod[];
  /** The virtual model names over these base models. */
  names(models: readonly string[]): string[];
  /** The virtual model `name` names; undefined unless it is `<served method>:<one of models>`. */
  resolve(name: string, models: readonly string[]): VirtualModel | undefined;
}

/**
 * Loads the named methods and checks their settings for every model (a bad `--set` fails at
 * start-up, not at the first request). `answerType` is a serving setting: the answers a
 * method extracts (default: the method's first, `math` for the MAgICoRe family).
 * @throws UsageError for a method that is unknown or cannot be served, or a bad setting.
 */
export async function loadServedMethods(
  names: readonly string[],
  settings: MethodSettings,
  models: readonly string[],
  roles: MethodRoles = {},
): Promise<ServedMethods> {
  const methods: EvalMethod[] = [];
  for (const name of new Set(names)) {
    if (!(servableMethods as readonly string[]).includes(name)) {
      await loadEvalMethod(name); // an unknown name gets the registry's list
      throw new UsageError(
        `--method ${name}: this method needs inputs a chat request does not carry; servable methods: ${servableMethods.join(", ")}`,
      );
    }
    methods.push(await loadEvalMethod(name));
  }
  const checkTargets = (what: string, targets: readonly string[]) => {
    for (const target of targets.filter((t) => t !== "*")) {
      const [method, model] = splitName(target);
      if (
        !methods.some((m) => m.name === method) ||
        (model !== undefined && !models.includes(model))
      )
        throw new UsageError(
          `${what} for "${target}": no such served method or virtual model; served: ${methods.map((m) => m.name).join(", ") || "(none)"}`,
        );
    }
  };
  checkTargets("settings", Object.keys(settings));
  checkTargets("roles", Object.keys(roles));
  for (const [target, byRole] of Object.entries(roles))
    for (const [role, model] of Object.entries(byRole))
      if (!models.includes(model))
        throw new UsageError(
          `role ${role}=${model} for "${target}": no served model "${model}"; served models: ${models.join(", ")}`,
        );
  const virtual = (method: EvalMethod, model: string): VirtualModel => {
    const name = `${method.name}:${model}`;
    const merged = { ...settings["*"], ...settings[method.name], ...settings[name] };
    const { answerType = method.answerTypes[0], ...rest } = merged;
    if (!method.answerTypes.includes(answerType as AnswerType))
      throw new UsageError(
        `${name}: answerType must be one of ${method.answerTypes.join(", ")}, got "${String(answerType)}"`,
      );
    method.checkOptions?.(rest);
    const roleModels = { ...roles["*"], ...roles[method.name], ...roles[name] };
    return {
      name,
      method,
      model,
      settings: rest,
      roles: roleModels,
      answerType: answerType as AnswerType,
    };
  };
  for (const method of methods) for (const model of models) virtual(method, model);
  return {
    methods,
    names: (served) => methods.flatMap((m) => served.map((model) => `${m.name}:${model}`)),
    resolve(name, served) {
      const [methodName, model] = splitName(name);
      const method = methods.find((m) => m.name === methodName);
      if (!method || model === undefined) return undefined;
      if (!served.includes(model)) return undefined;
      return virtual(method, model);
    },
  };
}

/** `magicore:qwen` → ["magicore", "qwen"]; `magicore` → ["magicore", undefined]. */
function splitName(name: string): [string, string | undefined] {
  const at = name.indexOf(":");
  return at < 0 ? [name, undefined] : [name.slice(0, at), name.slice(at + 1)];
}
