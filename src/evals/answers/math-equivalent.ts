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
 * expression in their variables at fixed probe points ("2x+1" vs "1+2x"); else sets — `\{…\}` or a
 * bare comma list such as MATH's "all solutions" answers ("1, -2", "x = 1, x = -2") — member by
 * member in any order; else tuples and intervals element by element, brackets included.
 */
export function mathEquivalent(a: string, b: string, tolerance: NumericTolerance = {}): boolean {
  const x = normalizeMath(a);
  const y = normalizeMath(b);
  if (x === "" || y === "") return x === y;
  if (x === y) return true;
  if (expressionsAgree(x, y, tolerance)) return true;
  const setX = setMembers(x);
  const setY = setMembers(y);
  if (setX && setY) return sameMembers(setX, setY, tolerance);
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
  const items = splitTopLevel(m[2]!);
  if (items.length < 2) return undefined;
  return { open: m[1]!, close: m[3]!, items };
}

/** `s` split at the commas outside any bracket. */
function splitTopLevel(s: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of s) {
    if ("([{".includes(c)) depth++;
    if (")]}".includes(c)) depth--;
    if (c === "," && depth === 0) {
      items.push(current);
      current = "";
    } else current += c;
  }
  items.push(current);
  return items;
}

/**
 * The members of a set answer (normalized text): `\{a,b\}`, or a bare list of two or more
 * ("1,-2"), each member without a leading "x=" ("x=1,x=-2"); undefined for anything else.
 */
export function setMembers(s: string): string[] | undefined {
  const braced = /^\\\{(.*)\\\}$/.exec(s);
  const inner = braced ? braced[1]! : s;
  if (!braced && /^[([{]/.test(s) && /[)\]}]$/.test(s)) return undefined;
  const items = splitTopLevel(inner);
  if (!braced && items.length < 2) return undefined;
  return items.map((item) => item.replace(/^[a-zA-Z](?:_\{?\w+\}?)?=(?!=)/, ""));
}

/** Whether two member lists are equal as multisets under `mathEquivalent`. */
function sameMembers(xs: string[], ys: string[], tolerance: NumericTolerance): boolean {
  if (xs.length !== ys.length) return false;
  const unused = [...ys];
  for (const x of xs) {
    const at = unused.findIndex((y) => mathEquivalent(x, y, tolerance));
    if (at < 0) return false;
    unused.splice(at, 1);
  }
  return true;
}
