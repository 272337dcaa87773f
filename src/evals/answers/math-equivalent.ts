import { parseMathExpression } from "./math-expression.ts";
import { normalizeMath } from "./normalize-math.ts";

/** Tolerances for numeric agreement: |a − b| ≤ max(absolute, relative · max(|a|, |b|)). */
export interface NumericTolerance {
  /** Default 0.01, the MAgICoRe checker's absolute tolerance. */
  absolute?: number;
  /** Default 1e-6, so large values are compared by their leading digits. */
  relative?: number;
}

/** Fixed probe points for expressions with variables: deterministic, avoids 0 and 1. */
const probes = [0.37, 1.93, -2.41, 3.17];

/**
 * Whether two math answers are equivalent: equal normalized text; else both evaluate to numbers
 * within the tolerance ("1/2", "\frac{1}{2}", "0.5", "\dfrac12" agree); else both are the same
 * expression in their variables at fixed probe points ("2x+1" vs "1+2x"); else, for tuples and
 * lists, element by element.
 */
export function mathEquivalent(a: string, b: string, tolerance: NumericTolerance = {}): boolean {
  const x = normalizeMath(a);
  const y = normalizeMath(b);
  if (x === "" || y === "") return x === y;
  if (x === y) return true;
  if (expressionsAgree(x, y, tolerance)) return true;
  const xs = splitTuple(x);
  const ys = splitTuple(y);
  if (
    xs &&
    ys &&
    xs.open === ys.open &&
    xs.close === ys.close &&
    xs.items.length === ys.items.length
  )
    return xs.items.every((item, i) => mathEquivalent(item, ys.items[i]!, tolerance));
  return false;
}

function expressionsAgree(x: string, y: string, tolerance: NumericTolerance): boolean {
  const ex = parseMathExpression(x);
  const ey = parseMathExpression(y);
  if (!ex || !ey) return false;
  const names = new Set([...ex.variables, ...ey.variables]);
  if (names.size === 0)
    return numbersClose(ex.evaluate(new Map()), ey.evaluate(new Map()), tolerance);
  // symbolic: compare values at several points with a tight tolerance (not the answer tolerance)
  const tight = { absolute: 1e-9, relative: 1e-9 };
  for (let p = 0; p < 3; p++) {
    const values = new Map([...names].map((n, i) => [n, probes[(i + p) % probes.length]!]));
    if (!numbersClose(ex.evaluate(values), ey.evaluate(values), tight)) return false;
  }
  return true;
}

/** Whether two numbers agree within the tolerance (both infinite of one sign also agree). */
export function numbersClose(a: number, b: number, tolerance: NumericTolerance = {}): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  const absolute = tolerance.absolute ?? 0.01;
  const relative = tolerance.relative ?? 1e-6;
  return Math.abs(a - b) <= Math.max(absolute, relative * Math.max(Math.abs(a), Math.abs(b)));
}

function splitTuple(s: string): { open: string; close: string; items: string[] } | undefined {
  const m = /^([([{]?)(.*?)([)\]}]?)$/.exec(s);
  if (!m) return undefined;
  const inner = m[2]!;
  const items: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of inner) {
    if ("([{".includes(c)) depth++;
    if (")]}".includes(c)) depth--;
    if (c === "," && depth === 0) {
      items.push(current);
      current = "";
    } else current += c;
  }
  items.push(current);
  if (items.length < 2) return undefined;
  return { open: m[1]!, close: m[3]!, items };
}
