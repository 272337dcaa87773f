import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { UsageError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { HttpRewardModel } from "../../scoring/http-reward-model.ts";
import { LikelihoodRewardModel } from "../../scoring/likelihood-reward-model.ts";
import { LlmJudge } from "../../scoring/llm-judge.ts";
import type { OutcomeRewardModel } from "../../scoring/reward-model.ts";

export const rmSpecHelp =
  "reward model (repeat: one arm each): [name=]likelihood:<gguf>[@<lora.gguf>] | [name=]judge:<gguf>[@<lora.gguf>] | [name=]http:<url>#<model> | [name=]http-classify:<url>#<model>";

/**
 * The LASeR arms from `--rm` specs: likelihood RMs (the official code's score) and yes/no
 * judges over local GGUF models (optionally with a LoRA adapter: an RM trained as an adapter),
 * and reward models served over HTTP. Models load once and close with `close()`.
 */
export async function loadArms(
  specs: readonly string[],
): Promise<{ arms: OutcomeRewardModel[]; close: () => Promise<void> }> {
  const loaded: LanguageModel[] = [];
  const arms: OutcomeRewardModel[] = [];
  try {
    for (const spec of specs) {
      const m = /^(?:([\w.-]+)=)?(likelihood|judge|http|http-classify):(.+)$/.exec(spec);
      if (!m) throw new UsageError(`--rm "${spec}": expected ${rmSpecHelp}`);
      const [, name, kind, target] = m as unknown as [string, string | undefined, string, string];
      if (kind === "http" || kind === "http-classify") {
        const [baseURL, model] = target.split("#");
        if (!baseURL || !model) throw new UsageError(`--rm "${spec}": expected <url>#<model>`);
        const rm = new HttpRewardModel({
          baseURL,
          model,
          endpoint: kind === "http" ? "pooling" : "classify",
        });
        arms.push(named(rm, name));
        continue;
      }
      const [modelPath, lora] = target.split("@");
      const model = await loadLlamaCppModel({
        modelPath: modelPath!,
        ...(lora ? { lora: [{ path: lora }] } : {}),
      });
      loaded.push(model);
      arms.push(
        kind === "likelihood"
          ? new LikelihoodRewardModel(model, name ? { name } : {})
          : named(new LlmJudge(model), name),
      );
    }
  } catch (error) {
    for (const m of loaded) await m.close?.();
    throw error;
  }
  const names = arms.map((a) => a.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) {
    for (const m of loaded) await m.close?.();
    throw new UsageError(`two reward models are named "${dup}"; name them: --rm <name>=<spec>`);
  }
  return {
    arms,
    close: async () => {
      for (const m of loaded) await m.close?.();
    },
  };
}

/** The reward model under another name (reports and `single:<name>` use it). */
function named(rm: OutcomeRewardModel, name: string | undefined): OutcomeRewardModel {
  return name ? { name, scoreOutcomes: (inputs, o) => rm.scoreOutcomes(inputs, o) } : rm;
}
