import type { TrainingView } from "../../shared/training-data.ts";
import { gymOverview } from "./gym-overview.ts";
import { laserEvalOverview, laserTrainOverview } from "./laser-overview.ts";
import { pbtOverview } from "./pbt-overview.ts";

/** A training run's own overview panel (LASeR, DataEnvGym, PBT), by the kind of view. */
export function trainingOverview(v: TrainingView): HTMLElement {
  if (v.kind === "laser-train") return laserTrainOverview(v);
  if (v.kind === "laser-eval") return laserEvalOverview(v);
  if (v.kind === "gym") return gymOverview(v);
  return pbtOverview(v);
}
