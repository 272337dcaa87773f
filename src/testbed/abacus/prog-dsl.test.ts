import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { type ProgOp, programCode, programRationale, programSpec, runProgram } from "./prog-dsl.ts";

const program: ProgOp[] = [
  { op: "add", k: 3 },
  { op: "keep", parity: "even" },
  { op: "sort" },
  { op: "take", k: 2 },
];

test("the DSL interpreter runs each operation in order and traces every step", () => {
  assert.deepEqual(runProgram(program, [5, 1, 8, 3]), [
    [8, 4, 11, 6],
    [8, 4, 6],
    [4, 6, 8],
    [4, 6],
  ]);
  assert.deepEqual(runProgram([{ op: "double" }, { op: "reverse" }], [1, 7]), [
    [2, 14],
    [14, 2],
  ]);
  assert.deepEqual(runProgram([{ op: "keep", parity: "odd" }], [2, 4]), [[]]);
});

test("code, spec and rationale are word-spaced text with digits as separate words", () => {
  assert.equal(programCode(program), "map ( + 3 ) | keep ( even ) | sort | take ( 2 )");
  assert.equal(
    programRationale(program, [5, 1, 8, 3]),
    "code : map ( + 3 ) | keep ( even ) | sort | take ( 2 ) . trace : 8 , 4 , 1 1 , 6 ; 8 , 4 , 6 ; 4 , 6 , 8 ; 4 , 6 . output : 4 , 6 .",
  );
  const spec = programSpec(program, new SeededRandom(1));
  for (const name of ["add", "sort", "map", "take ("]) assert.ok(!spec.includes(name), spec);
});
