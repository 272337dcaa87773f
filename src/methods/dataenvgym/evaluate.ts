import type { CompletedInstance, PerformanceReport, Predictor, Task } from "./types.ts";

/** The student answers every instance of `task`; each answer is scored by the task. */
export async function evaluateTask(task: Task, student: Predictor): Promise<CompletedInstance[]> {
  const responses = await student.predict(task.instances);
  return Promise.all(
    task.instances.map(async (instance, i) => {
      const response = responses[i] ?? "";
      return { instance, response, correct: await task.score(instance, response) };
    }),
  );
}

/**
 * Accuracy overall and per slice. Slices group by `sliceOf` (default: the instance's known
 * skill); instances without one fall in no slice. Slices are in name order.
 */
export function performanceReport(
  taskName: string,
  completed: readonly CompletedInstance[],
  sliceOf: (c: CompletedInstance) => string | undefined = (c) => c.instance.skill,
): PerformanceReport {
  const groups = new Map<string, { right: number; count: number }>();
  for (const c of completed) {
    const name = sliceOf(c);
    if (name === undefined) continue;
    const g = groups.get(name) ?? { right: 0, count: 0 };
    g.count++;
    if (c.correct) g.right++;
    groups.set(name, g);
  }
  const right = completed.filter((c) => c.correct).length;
  return {
    taskName,
    accuracy: completed.length === 0 ? 0 : right / completed.length,
    count: completed.length,
    slices: [...groups]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, g]) => ({ name, accuracy: g.right / g.count, count: g.count })),
  };
}

/** The validation errors: what the teachers' feedback is made of. */
export function errorsOf(completed: readonly CompletedInstance[]): CompletedInstance[] {
  return completed.filter((c) => !c.correct);
}
