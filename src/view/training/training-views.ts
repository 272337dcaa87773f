import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RunManifest } from "../../runtime/run.ts";
import type { TrainingView } from "../shared/training-data.ts";
import { comparisonView, episodeView } from "./gym-views.ts";
import { laserEvalView, laserTrainView } from "./laser-views.ts";
import { pbtView } from "./pbt-views.ts";

/** The files whose size and time decide whether a cached view is still right. */
const watched = ["results.jsonl", "laser-report.json", "report.json", "episode/cycles.jsonl"];

const mark = (dir: string, names: readonly string[]) =>
  names
    .map((n) => {
      const path = join(dir, n);
      if (!existsSync(path)) return "-";
      const s = statSync(path);
      return `${s.size}:${s.mtimeMs}`;
    })
    .join("|");

const subfolders = (dir: string) =>
  readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory());

/** The views of a run folder, by what it holds; empty for runs that are not training runs. */
function buildViews(dir: string, manifest: RunManifest): TrainingView[] {
  const config = (manifest.config ?? {}) as Record<string, unknown>;
  const method = String(config["method"] ?? config["demo"] ?? "");
  if (method === "laser-eval") return [laserEvalView(dir, manifest.seed ?? 0)];
  if (existsSync(join(dir, "laser-report.json")) || method === "laser") {
    const own = laserTrainView(dir, "");
    if (own) return [own];
    // `chorus demo laser`: each condition is a LASeR run folder inside the demo's
    return subfolders(dir)
      .map((name) => laserTrainView(join(dir, name), name))
      .filter((v) => v !== null);
  }
  if (existsSync(join(dir, "episode", "cycles.jsonl")))
    return [
      { kind: "gym", episodes: [episodeView(join(dir, "episode"), "", true)], comparison: null },
    ];
  if (existsSync(join(dir, "arms"))) return [comparisonView(dir, config)];
  if (method.startsWith("pbt")) {
    const seed = typeof config["evalSeed"] === "number" ? config["evalSeed"] : (manifest.seed ?? 0);
    return [pbtView(dir, config, seed)];
  }
  return [];
}

const cache = new Map<string, { mark: string; views: TrainingView[] }>();

/**
 * The training panels' data for a run folder (LASeR, DataEnvGym, PBT), computed in Node from
 * the folder's own files and kept until one of them changes. A folder being written (a live run)
 * recomputes at most once per change of its results.
 */
export function trainingViews(dir: string, manifest: RunManifest): TrainingView[] {
  const now = `${mark(dir, watched)}#${nestedMark(dir)}`;
  const hit = cache.get(dir);
  if (hit && hit.mark === now) return hit.views;
  const views = buildViews(dir, manifest);
  cache.set(dir, { mark: now, views });
  return views;
}

/**
 * Runs that grow in subfolders: a comparison's episodes (`arms/<arm>/seed-<n>/`) and a LASeR
 * demo's conditions (`<condition>/`).
 */
function nestedMark(dir: string): string {
  const arms = join(dir, "arms");
  const episodes = existsSync(arms)
    ? subfolders(arms).flatMap((a) =>
        subfolders(join(arms, a)).map((s) =>
          mark(join(arms, a, s), ["cycles.jsonl", "test-items.json"]),
        ),
      )
    : [];
  const conditions = subfolders(dir).map((n) =>
    mark(join(dir, n), ["results.jsonl", "laser-report.json"]),
  );
  return [...episodes, ...conditions].join("|");
}
