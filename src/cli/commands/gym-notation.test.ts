import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DataError, UsageError } from "../../model/errors.ts";
import { shippedModelsDir } from "../../testbed/shipped-models.ts";
import { gymNotation } from "./gym-notation.ts";

const dir = mkdtempSync(join(tmpdir(), "chorus-gym-notation-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A GGUF path with a build record beside it (the GGUF itself is never opened here). */
function studentWith(name: string, record: unknown): string {
  writeFileSync(
    join(dir, `${name}.json`),
    typeof record === "string" ? record : JSON.stringify(record),
  );
  return join(dir, `${name}.gguf`);
}
const abacusRecord = (name: string, worldConfig: object) => ({
  name,
  file: `${name}.gguf`,
  world: "abacus",
  worldConfig,
});

test("the notation comes from the student's record, a record without one being msb-first", () => {
  const lsb = studentWith("lsb", abacusRecord("lsb", { seed: 7, notation: "lsb-first" }));
  assert.deepEqual(gymNotation({ task: "abacus", student: lsb }), {
    notation: "lsb-first",
    source: "the record of lsb",
  });
  assert.equal(
    gymNotation({ task: "abacus", student: lsb, notation: "lsb-first" }).notation,
    "lsb-first",
  );
  // the shipped abacus-1m predates the switch: no notation in its record
  const shipped = gymNotation({
    task: "abacus",
    student: join(shippedModelsDir, "abacus-1m.gguf"),
  });
  assert.deepEqual(shipped, { notation: "msb-first", source: "the record of abacus-1m" });
});

test("without a record: --notation, else msb-first; an Atlas record says nothing about numbers", () => {
  assert.equal(gymNotation({ task: "abacus", student: "lookup" }).notation, "msb-first");
  assert.deepEqual(gymNotation({ task: "abacus", student: "lookup", notation: "lsb-first" }), {
    notation: "lsb-first",
    source: "--notation",
  });
  const tuned = join(dir, "fine-tuned.gguf");
  assert.equal(
    gymNotation({ task: "abacus", student: tuned, notation: "lsb-first" }).notation,
    "lsb-first",
  );
  const atlas = studentWith("atlas", { name: "atlas", world: "atlas", worldConfig: { seed: 7 } });
  assert.equal(gymNotation({ task: "abacus", student: atlas }).notation, "msb-first");
  const notRecord = studentWith("other", { hello: 1 });
  assert.equal(gymNotation({ task: "abacus", student: notRecord }).notation, "msb-first");
});

test("a contradicting, unknown or misplaced --notation and a broken record are refused", () => {
  const msb = studentWith("msb", abacusRecord("msb", { seed: 7 }));
  assert.throws(
    () => gymNotation({ task: "abacus", student: msb, notation: "lsb-first" }),
    (e: unknown) =>
      e instanceof UsageError &&
      /--notation lsb-first contradicts .*msb: msb-first/.test(e.message),
  );
  assert.throws(
    () => gymNotation({ task: "abacus", student: "lookup", notation: "reversed" }),
    /--notation must be one of msb-first, lsb-first; got "reversed"/,
  );
  assert.throws(
    () => gymNotation({ task: "gsm8k", student: "lookup", notation: "lsb-first" }),
    /--notation applies to --task abacus only/,
  );
  const broken = studentWith("broken", "{ not json");
  assert.throws(
    () => gymNotation({ task: "abacus", student: broken }),
    (e: unknown) => e instanceof DataError && /broken\.json: not valid JSON/.test(e.message),
  );
  const badValue = studentWith("bad", abacusRecord("bad", { notation: "middle-out" }));
  assert.throws(
    () => gymNotation({ task: "abacus", student: badValue }),
    /abacus notation must be one of/,
  );
  const worked = studentWith("worked", abacusRecord("worked", { seed: 7, working: "columns" }));
  assert.throws(
    () => gymNotation({ task: "abacus", student: worked }),
    (e: unknown) => e instanceof UsageError && /worked works its sums first/.test(e.message),
  );
});
