import { spawnSync } from "node:child_process";
import { SeededRandom } from "../../src/math/seeded-random.ts";

/**
 * A Python with scikit-learn (Debian's python3-sklearn), or undefined: the comparison tests skip,
 * saying so, where it is missing.
 */
export const sklearnPython = ["/usr/bin/python3", "python3"].find(
  (bin) => spawnSync(bin, ["-c", "import sklearn"], { stdio: "ignore" }).status === 0,
);

export const sklearnMissing = "scikit-learn not installed (apt-get install python3-sklearn)";

/**
 * The outlier detectors' shared fixture: 450 standard-normal points in 16 dimensions, then 50
 * planted outliers shifted by 1.5 to 5.1 per coordinate (some clear, some borderline).
 */
export function plantedOutliers(): number[][] {
  const rng = new SeededRandom(2024);
  const dim = 16;
  const points: number[][] = [];
  for (let i = 0; i < 450; i++) points.push(Array.from({ length: dim }, () => rng.normal()));
  for (let i = 0; i < 50; i++) {
    const radius = 1.5 + (i % 10) * 0.4;
    points.push(
      Array.from({ length: dim }, () => rng.normal() + radius * (rng.next() < 0.5 ? -1 : 1)),
    );
  }
  return points;
}

/** Runs `script` with `input` as JSON on stdin and returns its stdout parsed as JSON. */
export function runSklearn<T>(script: string, input: unknown): T {
  if (!sklearnPython) throw new Error(sklearnMissing);
  const run = spawnSync(sklearnPython, ["-c", script], {
    input: JSON.stringify(input),
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`python exited with ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
