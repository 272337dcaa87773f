/** One subskill of a skill tree. */
export interface SubskillNode {
  name: string;
  /** Data to generate for it at this step (an integer ≥ 0). */
  allocation: number;
  /** Ids of the data generated for it at this step (cleared when the tree is copied). */
  dataIds: string[];
  /** Problems made for it so far (the engine avoids repeating them). */
  problems: string[];
  /** Data the quality checker passed / checked at this step. */
  quality: { passed: number; checked: number };
  /** Mean student accuracy on this step's new data for it (1 = already mastered); null: none. */
  performanceOnTrainingData: number | null;
}

/** The subskills of one discovered skill. */
export interface SkillTree {
  skill: string;
  subskills: SubskillNode[];
}

/** The policy's choice for one skill at one step. */
export type SkillTreeAction =
  /** An LLM proposes `count` new subskills; each gets `allocation` data. */
  | { kind: "explore"; count: number; allocation: number }
  /** Adds `deltas[subskill]` to allocations (never below 0); `{}` changes nothing. */
  | { kind: "exploit"; deltas: Record<string, number> };

/** What the policy sees for one skill. */
export interface SkillState {
  tree: SkillTree;
  /** The skill's validation accuracy when this state was made. */
  pastPerformance: number;
}

/** (state, action, reward) per step; reward is known one step later. */
export interface SkillHistoryEntry {
  state: SkillState;
  action: SkillTreeAction;
  reward: number | null;
}

export const newNode = (name: string, allocation: number): SubskillNode => ({
  name,
  allocation,
  dataIds: [],
  problems: [],
  quality: { passed: 0, checked: 0 },
  performanceOnTrainingData: null,
});

/** The tree for the next step: same subskills, allocations and past problems, no data. */
export function copyWithoutData(tree: SkillTree): SkillTree {
  return {
    skill: tree.skill,
    subskills: tree.subskills.map((n) => ({
      ...newNode(n.name, n.allocation),
      problems: [...n.problems],
    })),
  };
}

/** Exploit: allocations plus deltas, floored at 0 (unknown subskills are ignored). */
export function applyExploit(tree: SkillTree, deltas: Readonly<Record<string, number>>): void {
  for (const node of tree.subskills)
    node.allocation = Math.max(0, node.allocation + Math.round(deltas[node.name] ?? 0));
}

/** Explore: new subskills (names from the engine) with the given allocation each. */
export function applyExplore(tree: SkillTree, names: readonly string[], allocation: number): void {
  for (const name of names) tree.subskills.push(newNode(name, allocation));
}

/** Data this step's allocations ask for. */
export const requested = (tree: SkillTree): number =>
  tree.subskills.reduce((sum, n) => sum + n.allocation, 0);

/** The exploit that sets every allocation to 0 (a step that makes no data for the skill). */
export const zeroAll = (tree: SkillTree): SkillTreeAction => ({
  kind: "exploit",
  // 0 - 0 is +0 (unary minus would give -0, which JSON turns into 0)
  deltas: Object.fromEntries(tree.subskills.map((n) => [n.name, 0 - n.allocation])),
});

/**
 * The reward of the last action on a skill: accuracy now minus the state's past performance.
 * The next state's past performance is then previous + reward (= the accuracy now).
 */
export function skillReward(previous: SkillState, accuracyNow: number): number {
  return accuracyNow - previous.pastPerformance;
}
