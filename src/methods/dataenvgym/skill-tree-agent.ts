import { allocate } from "./allocate.ts";
import { type DataEngine, nameData } from "./data-engine.ts";
import { checkQuality } from "./quality-check.ts";
import {
  applyExploit,
  applyExplore,
  copyWithoutData,
  type SkillHistoryEntry,
  type SkillState,
  type SkillTreeAction,
  skillReward,
} from "./skill-tree.ts";
import type { SkillTreePolicy } from "./skill-tree-policies.ts";
import type {
  CompletedInstance,
  DataGenerationAgent,
  Predictor,
  SkillDiscovery,
  Task,
  TrainingDatum,
} from "./types.ts";

export interface SkillTreeOptions {
  /** Run the quality checker on new data (default true): failed data are dropped. */
  qualityCheck?: boolean;
  /** Also drop data the student already answers right (default false). */
  dropKnown?: boolean;
  /**
   * Data per step over all skills: the policies' allocations are rescaled to sum to it (largest
   * remainder), so the tree teacher spends what other teachers do. Default: as allocated.
   */
  budget?: number;
  /** Past problems kept per subskill for the engine to avoid (default 50). */
  problemsKept?: number;
}

/** Validation accuracy per skill (skills without instances: absent). */
async function accuracyBySkill(
  discovery: SkillDiscovery,
  completed: readonly CompletedInstance[],
): Promise<Map<string, number>> {
  const tally = new Map<string, { right: number; n: number }>();
  for (const c of completed) {
    const skill = await discovery.skillOf(c.instance);
    const t = tally.get(skill) ?? { right: 0, n: 0 };
    t.n++;
    if (c.correct) t.right++;
    tally.set(skill, t);
  }
  return new Map([...tally].map(([s, t]) => [s, t.right / t.n]));
}

/**
 * SKILL-TREE environment's teacher: one tree of subskills per discovered skill with per-subskill
 * data allocations. First call: empty trees, the policy's initial action (Explore) on every
 * skill. Later calls: each skill's reward (validation accuracy now minus the state's past
 * performance) completes its last history entry; the trees are copied without data, the policy
 * picks the next action per skill, the actions are applied and the engine makes each subskill's
 * allocation. The quality checker drops unreadable data and records, per subskill, how much of
 * the new data the student already solves. Returns only this step's data.
 */
export class SkillTreeAgent implements DataGenerationAgent {
  readonly name = "skill-tree";
  private histories = new Map<string, SkillHistoryEntry[]>();
  private steps = 0;

  constructor(
    private readonly engine: DataEngine,
    private readonly discovery: SkillDiscovery,
    private readonly task: Task,
    readonly policy: SkillTreePolicy,
    private readonly options: SkillTreeOptions = {},
  ) {}

  /** Each skill's (state, action, reward) history. */
  history(skill: string): readonly SkillHistoryEntry[] {
    return this.histories.get(skill) ?? [];
  }

  private async act(state: SkillState, action: SkillTreeAction): Promise<void> {
    if (action.kind === "exploit") applyExploit(state.tree, action.deltas);
    else {
      const names = await this.engine.proposeSubskills({
        skill: state.tree.skill,
        existing: state.tree.subskills.map((n) => n.name),
        count: action.count,
      });
      applyExplore(state.tree, names, action.allocation);
    }
  }

  async generate(
    completed: readonly CompletedInstance[],
    student: Predictor,
  ): Promise<TrainingDatum[]> {
    const accuracy = await accuracyBySkill(this.discovery, completed);
    const step = this.steps++;
    const states: SkillState[] = [];
    for (const skill of this.discovery.skills) {
      const now = accuracy.get(skill);
      if (now === undefined) continue;
      const history = this.histories.get(skill) ?? [];
      this.histories.set(skill, history);
      const last = history.at(-1);
      let state: SkillState;
      let action: SkillTreeAction;
      if (!last) {
        state = { tree: { skill, subskills: [] }, pastPerformance: now };
        action = this.policy.initial(skill);
      } else {
        const reward = skillReward(last.state, now);
        last.reward = reward;
        state = {
          tree: copyWithoutData(last.state.tree),
          pastPerformance: last.state.pastPerformance + reward,
        };
        action = this.policy.next(skill, history, state);
      }
      await this.act(state, action);
      history.push({ state, action, reward: null });
      states.push(state);
    }
    const budget = this.options.budget;
    if (budget !== undefined) {
      const nodes = states.flatMap((st) => st.tree.subskills);
      const scaled = allocate(
        budget,
        nodes.map((n) => n.allocation),
      );
      // all-zero allocations stay zero: a step the policies chose to spend nothing on
      if (nodes.some((n) => n.allocation > 0))
        nodes.forEach((n, k) => {
          n.allocation = scaled[k]!;
        });
    }
    const out: TrainingDatum[] = [];
    for (const [i, state] of states.entries())
      for (const [j, node] of state.tree.subskills.entries()) {
        if (node.allocation <= 0) continue;
        const drafts = await this.engine.forSubskill({
          skill: state.tree.skill,
          subskill: node.name,
          count: node.allocation,
          avoid: node.problems,
        });
        const data = nameData(`tree-${step}-${i}-${j}`, drafts);
        node.dataIds = data.map((d) => d.id);
        node.problems = [...node.problems, ...data.map((d) => d.instruction)].slice(
          -(this.options.problemsKept ?? 50),
        );
        out.push(...data);
      }
    if (this.options.qualityCheck === false) return out;
    const verdicts = await checkQuality(this.task, out, student, {
      dropKnown: this.options.dropKnown === true,
    });
    const verdict = new Map(verdicts.map((v) => [v.id, v]));
    for (const state of states)
      for (const node of state.tree.subskills) {
        const vs = node.dataIds.map((id) => verdict.get(id)!);
        const scored = vs.filter((v) => v.studentAccuracy !== null);
        node.quality = { passed: vs.filter((v) => v.passed).length, checked: vs.length };
        node.performanceOnTrainingData =
          scored.length === 0
            ? null
            : scored.reduce((a, v) => a + v.studentAccuracy!, 0) / scored.length;
        node.dataIds = node.dataIds.filter((id) => verdict.get(id)!.passed);
      }
    return out.filter((d) => verdict.get(d.id)!.passed);
  }

  state(): unknown {
    return {
      steps: this.steps,
      histories: Object.fromEntries(this.histories),
      policy: this.policy.state?.(),
      engine: this.engine.state?.(),
    };
  }

  restore(state: unknown): void {
    const s = state as {
      steps: number;
      histories: Record<string, SkillHistoryEntry[]>;
      policy?: unknown;
      engine?: unknown;
    };
    this.steps = s.steps;
    this.histories = new Map(Object.entries(s.histories));
    if (s.policy !== undefined) this.policy.restore?.(s.policy);
    if (s.engine !== undefined) this.engine.restore?.(s.engine);
  }
}
