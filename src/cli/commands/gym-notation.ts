import { UsageError } from "../../model/errors.ts";
import { type AbacusConfig, abacusConfig } from "../../testbed/abacus/abacus-config.ts";
import { type Notation, notations } from "../../testbed/abacus/digits.ts";
import { recordBeside } from "../../testbed/shipped-models.ts";

/** Where a gym run's Abacus notation came from, for the log. */
export interface GymNotation {
  notation: Notation;
  source: string;
}

/**
 * How a gym run writes Abacus numbers: the student's own world, read from its build record beside
 * the GGUF (`models/abacus-lsb-1m.json`; a record without `notation` is msb-first), else
 * `--notation`, else msb-first (abacus-1m's world). A `--notation` that contradicts the record is
 * refused: a model asked in the other notation reads other numbers. So is a student that works its
 * sums first (`working: columns`): the gym's data and answers carry no working.
 */
export function gymNotation(flags: {
  task: string;
  student: string;
  notation?: string;
}): GymNotation {
  if (flags.task !== "abacus") {
    if (flags.notation !== undefined)
      throw new UsageError(`--notation applies to --task abacus only; drop it for ${flags.task}`);
    return { notation: "msb-first", source: "not abacus" };
  }
  if (flags.notation !== undefined && !(notations as readonly string[]).includes(flags.notation))
    throw new UsageError(
      `--notation must be one of ${notations.join(", ")}; got "${flags.notation}"`,
    );
  const given = flags.notation as Notation | undefined;
  const record = flags.student === "lookup" ? undefined : recordBeside(flags.student);
  if (record?.world === "abacus") {
    const world = abacusConfig(record.worldConfig as Partial<AbacusConfig>);
    if (world.working !== "none")
      throw new UsageError(
        `the gym's Abacus data and answers carry no working; ${record.name} works its sums first (working ${world.working}): pass a student without working such as abacus-1m`,
      );
    const recorded = world.notation;
    if (given !== undefined && given !== recorded)
      throw new UsageError(
        `--notation ${given} contradicts the student's build record (${record.name}: ${recorded}); drop --notation`,
      );
    return { notation: recorded, source: `the record of ${record.name}` };
  }
  return given !== undefined
    ? { notation: given, source: "--notation" }
    : { notation: "msb-first", source: "the default" };
}
