import { digits, type Notation } from "./digits.ts";

/**
 * How Abacus answers an add or sub (and each chain step that adds or subtracts): with the result
 * alone (`none`, the default and abacus-1m's world) or worked column by column before it
 * (`columns`, see `columnWorking`).
 */
export const workings = ["none", "columns"] as const;
export type Working = (typeof workings)[number];

/** A digit string in `notation`: the answer so far keeps its leading zeros (`0 0 7`). */
function digitString(msbFirst: readonly number[], notation: Notation): string {
  return (notation === "lsb-first" ? [...msbFirst].reverse() : msbFirst).join(" ");
}

/**
 * `x op y` worked column by column, least significant column first, one line per column:
 * `<rest of x> op <rest of y> : <x digit> op <y digit> op <carry in> = <digit> carry|borrow
 * <carry out> ; <answer so far> .` Each column's rests lose the last digit of the previous
 * column's (an exhausted operand is `0`), so the two digits to combine are always the last ones
 * just rewritten, the carry is the line before's, and the answer so far is the previous one with
 * the new digit in front: every token depends on a few tokens already written, which is what the
 * variant is for. Lines go on until both rests are exhausted and nothing is carried. Numbers are
 * written in `notation`. sub needs x ≥ y (Abacus never goes below zero).
 */
export function columnWorking(
  x: number,
  op: "+" | "-",
  y: number,
  notation: Notation = "msb-first",
): string {
  if (op === "-" && y > x) throw new RangeError(`abacus sub needs x ≥ y, got ${x} - ${y}`);
  const word = op === "+" ? "carry" : "borrow";
  const lines: string[] = [];
  const soFar: number[] = [];
  let [restX, restY, carry] = [x, y, 0];
  do {
    const [dx, dy] = [restX % 10, restY % 10];
    const raw = op === "+" ? dx + dy + carry : dx - dy - carry;
    const digit = (raw + 10) % 10;
    const out = op === "+" ? (raw >= 10 ? 1 : 0) : raw < 0 ? 1 : 0;
    soFar.unshift(digit);
    const rests = `${digits(restX, notation)} ${op} ${digits(restY, notation)}`;
    const column = `${dx} ${op} ${dy} ${op} ${carry} = ${digit} ${word} ${out}`;
    lines.push(`${rests} : ${column} ; ${digitString(soFar, notation)} .`);
    [restX, restY, carry] = [Math.floor(restX / 10), Math.floor(restY / 10), out];
  } while (restX > 0 || restY > 0 || carry > 0);
  return lines.join(" ");
}
