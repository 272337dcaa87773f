import type { ExpertSkillMatrix, SkillCell } from "./shared/view-data.ts";

/** Skills shown as their own column; rarer ones are summed into one. */
const maxSkills = 24;
export const otherSkills = "other skills";
/** The column of items whose keywords mapped to no profiled skill. */
export const noSkill = "no skill";

/** The parts of a Symbolic-MoE record the matrix reads. */
export interface MoeRecord {
  method: string;
  gold: string;
  correct: boolean;
  details: {
    mapped: string[];
    experts: string[];
    expertAnswers: (string | null)[];
    expertCorrect?: boolean[];
    expertMajorityCorrect?: boolean;
  };
}

function isMoeRecord(record: unknown): record is MoeRecord {
  const d = (record as { details?: Partial<MoeRecord["details"]> } | null)?.details;
  return Array.isArray(d?.mapped) && Array.isArray(d?.experts) && Array.isArray(d?.expertAnswers);
}

/**
 * What the matrix reads of an eval record whose method routed by skill (it records whether the
 * experts' majority was right), or undefined for any other record. A run's index keeps this per
 * routed line as it reads results.jsonl, so the matrix needs no second read of the records.
 */
export function routedRecord(record: unknown): MoeRecord | undefined {
  if (!isMoeRecord(record) || typeof record.details.expertMajorityCorrect !== "boolean")
    return undefined;
  const { mapped, experts, expertAnswers, expertCorrect, expertMajorityCorrect } = record.details;
  return {
    method: record.method,
    gold: record.gold,
    correct: record.correct,
    details: {
      mapped,
      experts,
      expertAnswers,
      ...(expertCorrect ? { expertCorrect } : {}),
      expertMajorityCorrect,
    },
  };
}

const add = (cell: SkillCell, right: boolean) => {
  cell.recruited++;
  if (right) cell.correct++;
};

/**
 * The run-level expert × skill matrix per method from its result records (eval `result`s):
 * each recruited slot counts once under every skill its item mapped to. An expert's answer is
 * right as the record says (`expertCorrect`, checked like the final answer), or, in runs from
 * before that was recorded, when it equals gold. Records without keyword routing are skipped.
 */
export function expertSkillMatrices(records: Iterable<unknown>): ExpertSkillMatrix[] {
  const byMethod = new Map<string, MoeRecord[]>();
  for (const record of records) {
    if (!isMoeRecord(record)) continue;
    const list = byMethod.get(record.method) ?? [];
    list.push(record);
    byMethod.set(record.method, list);
  }
  return [...byMethod].map(([method, list]) => {
    const skillsOf = (r: MoeRecord) => {
      const unique = [...new Set(r.details.mapped)];
      return unique.length > 0 ? unique : [noSkill];
    };
    const slotsBySkill = new Map<string, number>();
    const slotsByExpert = new Map<string, number>();
    for (const r of list) {
      for (const s of skillsOf(r))
        slotsBySkill.set(s, (slotsBySkill.get(s) ?? 0) + r.details.experts.length);
      for (const e of r.details.experts) slotsByExpert.set(e, (slotsByExpert.get(e) ?? 0) + 1);
    }
    const ranked = (m: Map<string, number>) =>
      [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
    const allSkills = ranked(slotsBySkill);
    const skills =
      allSkills.length > maxSkills
        ? [...allSkills.slice(0, maxSkills - 1), otherSkills]
        : allSkills;
    const column = new Map(allSkills.map((s, i) => [s, Math.min(i, skills.length - 1)]));
    const experts = ranked(slotsByExpert);
    const row = new Map(experts.map((e, i) => [e, i]));
    const empty = () => ({ recruited: 0, correct: 0 });
    const cells = experts.map(() => skills.map(empty));
    const totals = experts.map(empty);
    let majorityCorrect = 0;
    let finalCorrect = 0;
    for (const r of list) {
      const d = r.details;
      if (d.expertMajorityCorrect) majorityCorrect++;
      if (r.correct) finalCorrect++;
      // an item mapped to two rare skills counts once in "other skills"
      const columns = [...new Set(skillsOf(r).map((s) => column.get(s)!))];
      d.experts.forEach((expert, slot) => {
        const right = d.expertCorrect?.[slot] ?? d.expertAnswers[slot] === r.gold;
        const e = row.get(expert)!;
        add(totals[e]!, right);
        for (const c of columns) add(cells[e]![c]!, right);
      });
    }
    return {
      method,
      items: list.length,
      experts,
      skills,
      cells,
      totals,
      majorityCorrect,
      finalCorrect,
    };
  });
}
