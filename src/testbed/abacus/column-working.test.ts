import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { columnWorking } from "./column-working.ts";
import { type Notation, readNumber } from "./digits.ts";

test("971 + 53 and 814 - 549 are worked as the pre-registration writes them", () => {
  assert.equal(
    columnWorking(971, "+", 53),
    "9 7 1 + 5 3 : 1 + 3 + 0 = 4 carry 0 ; 4 . 9 7 + 5 : 7 + 5 + 0 = 2 carry 1 ; 2 4 . " +
      "9 + 0 : 9 + 0 + 1 = 0 carry 1 ; 0 2 4 . 0 + 0 : 0 + 0 + 1 = 1 carry 0 ; 1 0 2 4 .",
  );
  assert.equal(
    columnWorking(814, "-", 549),
    "8 1 4 - 5 4 9 : 4 - 9 - 0 = 5 borrow 1 ; 5 . 8 1 - 5 4 : 1 - 4 - 1 = 6 borrow 1 ; 6 5 . " +
      "8 - 5 : 8 - 5 - 1 = 2 borrow 0 ; 2 6 5 .",
  );
  // the answer so far keeps its leading zeros; the rests are numbers in the world's notation
  assert.match(columnWorking(105, "-", 98), /; 0 0 7 \.$/);
  assert.equal(
    columnWorking(971, "+", 53, "lsb-first").split(" . ")[1],
    "7 9 + 5 : 7 + 5 + 0 = 2 carry 1 ; 4 2",
  );
  assert.throws(() => columnWorking(12, "-", 30), /x ≥ y/);
});

/**
 * Every line checked against column arithmetic: the rests are x and y without their last i
 * digits, the two digits are those rests' last, the carry in is the line before's carry out,
 * the digit and carry out are the column's, the answer so far is the digits so far, and the
 * last line leaves nothing to carry or add. Random operands of 1–3 digits, both notations.
 */
function checkWorking(x: number, op: "+" | "-", y: number, notation: Notation) {
  const text = columnWorking(x, op, y, notation);
  assert.ok(text.endsWith(" ."), text);
  const lines = text.slice(0, -2).split(" . ");
  const word = op === "+" ? "carry" : "borrow";
  const result = op === "+" ? x + y : x - y;
  let carry = 0;
  lines.forEach((line, i) => {
    const m = line.match(
      /^([\d ]+) [+-] ([\d ]+) : (\d) [+-] (\d) [+-] (\d) = (\d) (carry|borrow) (\d) ; ([\d ]+)$/,
    );
    assert.ok(m, `${x} ${op} ${y}: "${line}"`);
    const [restX, restY] = [readNumber(m[1]!, notation), readNumber(m[2]!, notation)];
    assert.equal(restX, Math.floor(x / 10 ** i));
    assert.equal(restY, Math.floor(y / 10 ** i));
    assert.deepEqual([Number(m[3]), Number(m[4]), Number(m[5])], [restX % 10, restY % 10, carry]);
    const raw =
      op === "+" ? (restX % 10) + (restY % 10) + carry : (restX % 10) - (restY % 10) - carry;
    assert.equal(Number(m[6]), (raw + 10) % 10);
    assert.equal(m[7], word);
    carry = Number(m[8]);
    assert.equal(carry, op === "+" ? Number(raw >= 10) : Number(raw < 0));
    const soFar = m[9]!.split(" ");
    assert.equal(soFar.length, i + 1, "one digit per column, leading zeros kept");
    assert.equal(readNumber(m[9]!, notation), result % 10 ** (i + 1));
  });
  assert.equal(carry, 0, "nothing left to carry");
  assert.equal(Math.floor(Math.max(x, y) / 10 ** lines.length), 0, "no column left");
  const last = lines.at(-1)!.split(" ; ")[1]!;
  assert.equal(readNumber(last, notation), result);
}

test("random sums and differences are worked right, carries and borrows included", () => {
  const rng = new SeededRandom(11);
  let carried = 0;
  let borrowed = 0;
  for (let i = 0; i < 400; i++) {
    const a = rng.int(1000);
    const b = rng.int(1000);
    const notation: Notation = i % 2 ? "lsb-first" : "msb-first";
    checkWorking(a, "+", b, notation);
    checkWorking(Math.max(a, b), "-", Math.min(a, b), notation);
    carried += Number(columnWorking(a, "+", b).includes("carry 1"));
    borrowed += Number(columnWorking(Math.max(a, b), "-", Math.min(a, b)).includes("borrow 1"));
  }
  assert.ok(carried > 100 && borrowed > 100, `${carried} carried, ${borrowed} borrowed`);
  for (const [x, op, y] of [
    [999, "+", 999],
    [1, "+", 999],
    [1000, "-", 1],
    [45, "-", 45],
    [0, "+", 0],
    [7, "-", 0],
  ] as const)
    for (const notation of ["msb-first", "lsb-first"] as const) checkWorking(x, op, y, notation);
});
