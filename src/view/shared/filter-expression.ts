import type { Scalar } from "./view-data.ts";

/**
 * The item table's filter language, e.g. `method == "adacad" and not correct and score < 0.5`
 * or `prediction ~ "paris"` (`~`: contains, ignoring case). Names are row columns; a bare name
 * tests truthiness. Kept tiny and hand-parsed: no `eval`, so a filter in a shared URL runs no code.
 */
export type RowLookup = (name: string) => Scalar | undefined;
export type RowPredicate = (lookup: RowLookup) => boolean;

export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at character ${position + 1}`);
  }
}

type Token =
  | { kind: "name" | "op" | "paren"; text: string; at: number }
  | { kind: "literal"; value: Scalar; at: number };

const operators = ["==", "!=", "<=", ">=", "<", ">", "~"] as const;
type Operator = (typeof operators)[number];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")") {
      tokens.push({ kind: "paren", text: c, at: i++ });
    } else if (c === '"' || c === "'") {
      const end = source.indexOf(c, i + 1);
      if (end < 0) throw new FilterSyntaxError("unclosed string", i);
      tokens.push({ kind: "literal", value: source.slice(i + 1, end), at: i });
      i = end + 1;
    } else if (/[-0-9.]/.test(c)) {
      const match = /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?/i.exec(source.slice(i));
      if (!match) throw new FilterSyntaxError(`unexpected "${c}"`, i);
      tokens.push({ kind: "literal", value: Number(match[0]), at: i });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(i))![0];
      const literal = { true: true, false: false, null: null } as Record<string, Scalar>;
      if (word in literal) tokens.push({ kind: "literal", value: literal[word]!, at: i });
      else tokens.push({ kind: "name", text: word, at: i });
      i += word.length;
    } else {
      const op = operators.find((o) => source.startsWith(o, i));
      if (!op) throw new FilterSyntaxError(`unexpected "${c}"`, i);
      tokens.push({ kind: "op", text: op, at: i });
      i += op.length;
    }
  }
  return tokens;
}

type Value = (lookup: RowLookup) => Scalar | undefined;

function compare(op: Operator, a: Scalar | undefined, b: Scalar | undefined): boolean {
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "~":
      return String(a ?? "")
        .toLowerCase()
        .includes(String(b ?? "").toLowerCase());
  }
  if (a === null || a === undefined || b === null || b === undefined) return false;
  if (op === "<") return a < b;
  if (op === "<=") return a <= b;
  if (op === ">") return a > b;
  return a >= b;
}

/** Compiles `source` (empty: every row). @throws FilterSyntaxError with the position. */
export function compileFilter(source: string): RowPredicate {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at];
  const isWord = (word: string) => {
    const t = peek();
    return t?.kind === "name" && t.text === word;
  };
  const fail = (what: string): never => {
    throw new FilterSyntaxError(what, peek()?.at ?? source.length);
  };

  function primary(): Value {
    const t = peek();
    if (!t) return fail("expected a value");
    at++;
    if (t.kind === "literal") return () => t.value;
    if (t.kind === "name") return (lookup) => lookup(t.text);
    if (t.kind === "paren" && t.text === "(") {
      const inner = or();
      if (peek()?.kind !== "paren" || (peek() as { text: string }).text !== ")")
        fail('expected ")"');
      at++;
      return (lookup) => inner(lookup);
    }
    return fail(`unexpected "${t.text}"`);
  }
  function comparison(): RowPredicate {
    const left = primary();
    const t = peek();
    if (t?.kind !== "op") return (lookup) => Boolean(left(lookup));
    at++;
    const right = primary();
    const op = t.text as Operator;
    return (lookup) => compare(op, left(lookup), right(lookup));
  }
  function not(): RowPredicate {
    if (!isWord("not")) return comparison();
    at++;
    const inner = not();
    return (lookup) => !inner(lookup);
  }
  function and(): RowPredicate {
    let left = not();
    while (isWord("and")) {
      at++;
      const a = left;
      const b = not();
      left = (lookup) => a(lookup) && b(lookup);
    }
    return left;
  }
  function or(): RowPredicate {
    let left = and();
    while (isWord("or")) {
      at++;
      const a = left;
      const b = and();
      left = (lookup) => a(lookup) || b(lookup);
    }
    return left;
  }

  if (tokens.length === 0) return () => true;
  const predicate = or();
  if (at < tokens.length) fail("expected and/or or the end");
  return predicate;
}
