import { braceGroup } from "./boxed.ts";

/** A parsed arithmetic expression: evaluate it with values for its single-letter variables. */
export interface MathExpression {
  readonly variables: ReadonlySet<string>;
  evaluate(values: ReadonlyMap<string, number>): number;
}

type Node = (values: ReadonlyMap<string, number>) => number;

const functions: Record<string, (x: number) => number> = {
  sqrt: Math.sqrt,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  ln: Math.log,
  log: Math.log10,
  exp: Math.exp,
};
const constants: Record<string, number> = { pi: Math.PI, infty: Number.POSITIVE_INFINITY };

/**
 * Parses a normalized LaTeX answer (`\frac{a}{b}`, `\sqrt{x}`, `\sqrt[n]{x}`, `\pi`, `\cdot`,
 * `\times`, `^`, implicit products like `2\sqrt{3}` or `3x`) into an evaluable expression.
 * Returns undefined for anything else (sets, intervals, words), so callers fall back to text.
 */
export function parseMathExpression(latex: string): MathExpression | undefined {
  const source = latexToPlain(latex);
  if (source === undefined) return undefined;
  const tokens = tokenize(source);
  if (!tokens) return undefined;
  const variables = new Set<string>();
  let pos = 0;
  const peek = () => tokens[pos];

  function expression(): Node | undefined {
    let left = term();
    if (!left) return undefined;
    for (;;) {
      const op = peek();
      if (op !== "+" && op !== "-") return left;
      pos++;
      const right = term();
      if (!right) return undefined;
      const l: Node = left;
      left = op === "+" ? (v) => l(v) + right(v) : (v) => l(v) - right(v);
    }
  }
  function term(): Node | undefined {
    let left = unary();
    if (!left) return undefined;
    for (;;) {
      const op = peek();
      const implicit = op !== undefined && startsPrimary(op);
      if (op !== "*" && op !== "/" && !implicit) return left;
      if (!implicit) pos++;
      const right = unary();
      if (!right) return undefined;
      const l: Node = left;
      left = op === "/" ? (v) => l(v) / right(v) : (v) => l(v) * right(v);
    }
  }
  function unary(): Node | undefined {
    if (peek() === "-") {
      pos++;
      const inner = unary();
      return inner ? (v) => -inner(v) : undefined;
    }
    if (peek() === "+") pos++;
    return power();
  }
  function power(): Node | undefined {
    const base = primary();
    if (!base) return undefined;
    if (peek() !== "^") return base;
    pos++;
    const exponent = unary();
    return exponent ? (v) => base(v) ** exponent(v) : undefined;
  }
  function primary(): Node | undefined {
    const token = tokens![pos++];
    if (token === undefined) return undefined;
    if (token === "(") {
      const inner = expression();
      if (!inner || tokens![pos++] !== ")") return undefined;
      return inner;
    }
    if (/^\d/.test(token)) {
      const value = Number(token);
      return () => value;
    }
    const fn = functions[token];
    if (fn) {
      const argument = power();
      return argument ? (v) => fn(argument(v)) : undefined;
    }
    if (token === "root") {
      // root(n)(x): n-th root, from `\sqrt[n]{x}`
      const degree = primary();
      const radicand = primary();
      return degree && radicand ? (v) => radicand(v) ** (1 / degree(v)) : undefined;
    }
    const constant = constants[token];
    if (constant !== undefined) return () => constant;
    if (/^[a-zA-Z]$/.test(token)) {
      variables.add(token);
      return (v) => v.get(token) ?? Number.NaN;
    }
    return undefined;
  }

  const root = expression();
  if (!root || pos !== tokens.length) return undefined;
  return { variables, evaluate: root };
}

function startsPrimary(token: string): boolean {
  return token === "(" || /^[\da-zA-Z]/.test(token);
}

function tokenize(source: string): string[] | undefined {
  const tokens: string[] = [];
  const names = [...Object.keys(functions), ...Object.keys(constants), "root"].sort(
    (a, b) => b.length - a.length,
  );
  let i = 0;
  outer: while (i < source.length) {
    const c = source[i]!;
    if (c === " ") {
      i++;
      continue;
    }
    const number = /^(\d+\.?\d*(?:e[-+]?\d+)?|\.\d+)/.exec(source.slice(i));
    if (number) {
      tokens.push(number[1]!);
      i += number[1]!.length;
      continue;
    }
    for (const name of names) {
      if (source.startsWith(name, i)) {
        tokens.push(name);
        i += name.length;
        continue outer;
      }
    }
    if ("+-*/^()".includes(c) || /[a-zA-Z]/.test(c)) {
      tokens.push(c);
      i++;
      continue;
    }
    return undefined;
  }
  return tokens;
}

/** LaTeX commands → the plain syntax the tokenizer reads; undefined on unknown commands. */
function latexToPlain(latex: string): string | undefined {
  let s = latex;
  for (;;) {
    const at = s.search(/\\(?:frac|sqrt)/);
    if (at < 0) break;
    const isFrac = s.startsWith("\\frac", at);
    let i = at + (isFrac ? 5 : 5);
    let degree: string | undefined;
    if (!isFrac && s[i] === "[") {
      const close = s.indexOf("]", i);
      if (close < 0) return undefined;
      degree = s.slice(i + 1, close);
      i = close + 1;
    }
    const first = braceGroup(s, i);
    if (!first || s[i] !== "{") return undefined;
    if (isFrac) {
      const second = s[first.end] === "{" ? braceGroup(s, first.end) : undefined;
      if (!second) return undefined;
      s = `${s.slice(0, at)}((${first.content})/(${second.content}))${s.slice(second.end)}`;
    } else {
      const body =
        degree === undefined ? `sqrt(${first.content})` : `root(${degree})(${first.content})`;
      s = `${s.slice(0, at)}(${body})${s.slice(first.end)}`;
    }
  }
  s = s
    .replace(/\\(?:cdot|times)/g, "*")
    .replace(/\\div/g, "/")
    .replace(/\\(pi|infty|sin|cos|tan|ln|log|exp)(?![a-zA-Z])/g, "$1")
    .replace(/[{[]/g, "(")
    .replace(/[}\]]/g, ")");
  if (s.includes("\\") || /[,=<>|!]/.test(s)) return undefined;
  return s;
}
