import type { Predictor, QualityVerdict, Task, TaskInstance, TrainingDatum } from "./types.ts";

export interface QualityCheckOptions {
  /** Ask the student each parseable datum's problem (default true): `studentAccuracy`. */
  askStudent?: boolean;
  /** Also fail data the student already answers right (default false: they only inform). */
  dropKnown?: boolean;
}

/**
 * The quality checker: a datum passes when the task's scorer can read a final answer in its
 * response (a datum whose answer it cannot read would teach a format it cannot score); the
 * student then answers each passing problem and `studentAccuracy` says whether it already knew
 * it, the signal the skill-tree policy reads as "mastered".
 */
export async function checkQuality(
  task: Task,
  data: readonly TrainingDatum[],
  student: Predictor,
  options: QualityCheckOptions = {},
): Promise<QualityVerdict[]> {
  const parsed = data.map((d) => task.answerOf(d.response, d.skill));
  const asked: Array<{ index: number; instance: TaskInstance }> = [];
  if (options.askStudent !== false)
    parsed.forEach((answer, index) => {
      if (answer === undefined) return;
      const d = data[index]!;
      asked.push({
        index,
        instance: {
          taskName: task.name,
          id: d.id,
          instruction: d.instruction,
          gold: answer,
          ...(d.skill !== undefined ? { skill: d.skill } : {}),
        },
      });
    });
  const responses = await student.predict(asked.map((a) => a.instance));
  const known = new Map<number, boolean>();
  await Promise.all(
    asked.map(async (a, i) => {
      known.set(a.index, await task.score(a.instance, responses[i] ?? ""));
    }),
  );
  return data.map((d, i) => {
    const k = known.get(i);
    const parseable = parsed[i] !== undefined;
    return {
      id: d.id,
      passed: parseable && !(options.dropKnown === true && k === true),
      studentAccuracy: k === undefined ? null : k ? 1 : 0,
    };
  });
}

/** The data whose verdict passed. */
export function passedData(
  data: readonly TrainingDatum[],
  verdicts: readonly QualityVerdict[],
): TrainingDatum[] {
  const ok = new Set(verdicts.filter((v) => v.passed).map((v) => v.id));
  return data.filter((d) => ok.has(d.id));
}
