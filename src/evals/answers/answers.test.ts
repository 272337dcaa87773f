import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lastBoxed } from "./boxed.ts";
import { canonicalAnswer, checkAnswer } from "./check-answer.ts";
import { extractChoice } from "./choice.ts";
import { extractAnswer } from "./extract-answer.ts";
import { mathEquivalent } from "./math-equivalent.ts";
import { normalizeMath } from "./normalize-math.ts";

/** [a, b, equivalent?] */
const equivalence: Array<[string, string, boolean]> = [
  ["1/2", "\\frac{1}{2}", true],
  ["0.5", "\\frac{1}{2}", true],
  ["\\dfrac12", "1/2", true],
  ["\\tfrac{1}{2}", "0.5", true],
  ["\\frac12", "\\frac{1}{2}", true],
  ["\\frac{3}{4}", "0.75", true],
  ["\\frac{3}{4}", "0.7", false],
  ["2", "2.0", true],
  ["2", "2.00", true],
  ["1,000", "1000", true],
  ["1,234,567", "1234567", true],
  ["-3", "-3.0", true],
  ["3", "-3", false],
  ["\\sqrt{2}", "\\sqrt2", true],
  ["\\sqrt{2}", "1.41421", true],
  ["2\\sqrt{3}", "\\sqrt{12}", true],
  ["\\frac{\\sqrt{3}}{2}", "\\sqrt{3}/2", true],
  ["\\sqrt[3]{8}", "2", true],
  ["\\pi", "3.14159", true],
  ["2\\pi", "\\pi \\cdot 2", true],
  ["10^\\circ", "10", true],
  ["90^{\\circ}", "90", true],
  ["45°", "45", true],
  ["50\\%", "50", true],
  ["25%", "25", true],
  ["\\text{5 cm}", "5", true],
  ["5\\text{ cm}", "5", true],
  ["12 dollars", "12", true],
  ["\\$12", "12", true],
  ["$\\frac{1}{3}$", "\\frac13", true],
  ["\\left(1, 2\\right)", "(1,2)", true],
  ["(1, 2)", "(2, 1)", false],
  ["(\\frac{1}{2}, 3)", "(0.5, 3)", true],
  ["[1, 2)", "[1,2)", true],
  ["[1, 2)", "(1,2)", false],
  ["x = 5", "5", true],
  ["y=\\frac{1}{2}", "0.5", true],
  ["2x+1", "1+2x", true],
  ["x^2+2x+1", "(x+1)^2", true],
  ["x^2", "2x", false],
  ["\\frac{x}{2}", "0.5x", true],
  ["3 \\times 4", "12", true],
  ["\\boxed{7}", "7", true],
  ["\\text{(A)}", "(A)", true],
  ["\\mathrm{even}", "even", true],
  ["0.333", "\\frac{1}{3}", true],
  ["0.3", "\\frac{1}{3}", false],
  [".5", "0.5", true],
  ["5.", "5", true],
  ["\\infty", "\\infty", true],
  ["1e3", "1000", true],
  ["1000001", "1000000", true],
  ["1001", "1000", false],
  ["", "0", false],
  ["\\frac{a}{b}", "a/b", true],
  ["4\\sqrt{2}", "\\sqrt{32}", true],
  ["-\\frac{1}{2}", "-0.5", true],
  ["\\frac{-1}{2}", "-\\frac{1}{2}", true],
  ["\\,1\\,000", "1000", true],
  ["\\text{Monday}", "monday", false],
  // sets and MATH's "all solutions, separated by commas" answers: members in any order
  ["\\{1, 2, 3\\}", "\\{3,2,1\\}", true],
  ["\\{1,2\\}", "\\{1,2,3\\}", false],
  ["\\{1,1,2\\}", "\\{1,2,2\\}", false],
  ["1, -2", "-2, 1", true],
  ["x = 1, x = -2", "-2,1", true],
  ["\\frac{1}{2}, 3", "3, 0.5", true],
  ["1, 2", "1, 3", false],
  ["1, 2", "(1, 2)", false],
  ["x \\in [2, 5]", "[2,5]", true],
  ["(-\\infty, 3]", "(-\\infty,3]", true],
  // a matrix's row break is not a spacing command
  ["\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}", true],
  ["\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix}12\\end{pmatrix}", false],
  ["10 \\mbox{ inches}", "10", true],
  ["\\$18.90", "18.9", true],
  ["\\textbf{seven}", "seven", true],
];

describe("mathEquivalent", () => {
  for (const [a, b, expected] of equivalence) {
    it(`${JSON.stringify(a)} ${expected ? "≡" : "≢"} ${JSON.stringify(b)}`, () => {
      assert.equal(mathEquivalent(a, b), expected);
      assert.equal(mathEquivalent(b, a), expected, "symmetric");
    });
  }
  it("has at least 50 cases", () => assert.ok(equivalence.length >= 50));
});

describe("extraction", () => {
  it("brace-matches the last box", () => {
    assert.equal(lastBoxed("first \\boxed{1} then \\boxed{\\frac{1}{2}} done"), "\\frac{1}{2}");
    assert.equal(lastBoxed("\\boxed{\\text{a}{b}}"), "\\text{a}{b}");
    assert.equal(lastBoxed("\\boxed 5$"), "5");
    assert.equal(lastBoxed("\\boxed{unclosed"), undefined);
    assert.equal(lastBoxed("no box"), undefined);
  });
  it("finds choice letters", () => {
    assert.equal(extractChoice("I think (B) is wrong. The answer is (C)."), "C");
    assert.equal(extractChoice("A) no, B) yes"), "B");
    assert.equal(extractChoice("Final: D", ["A", "B", "C", "D"]), "D");
    assert.equal(extractChoice("The answer is (J)", ["A", "B", "C", "D"]), undefined);
    assert.equal(extractChoice("nothing here"), undefined);
  });
  it("extracts by answer type", () => {
    assert.equal(extractAnswer("so \\boxed{42}.", "number"), "42");
    assert.equal(extractAnswer("so \\boxed{\\frac{3}{4}}.", "number"), "\\frac{3}{4}");
    assert.equal(extractAnswer("so \\boxed{12 apples}.", "number"), "12");
    assert.equal(extractAnswer("The answer is 1,234.", "number"), "1234");
    assert.equal(extractAnswer("we get 3 then 7 apples", "number"), "7");
    assert.equal(extractAnswer("#### 18", "number"), "18");
    assert.equal(extractAnswer("The answer is $\\frac{1}{2}$.", "math"), "\\frac{1}{2}");
    assert.equal(extractAnswer("Step 1: no answer", "math"), undefined);
    assert.equal(extractAnswer("The answer is (E)", "choice", { choiceCount: 4 }), undefined);
  });
});

describe("checkAnswer and canonicalAnswer", () => {
  it("checks per type", () => {
    assert.ok(checkAnswer("(B)", "B", "choice"));
    for (const wrapped of [
      "\\text{(B)}",
      "\\textbf{(B)}",
      "$\\boxed{\\text{B}}$",
      "$\\mathrm{(B)}$",
    ]) {
      assert.ok(checkAnswer(wrapped, "B", "choice"), wrapped);
      assert.ok(!checkAnswer(wrapped, "C", "choice"), wrapped);
    }
    assert.equal(canonicalAnswer("\\textbf{(D)}", "choice"), "D");
    assert.ok(!checkAnswer("C", "B", "choice"));
    assert.ok(checkAnswer("18.0", "18", "number"));
    assert.ok(!checkAnswer(undefined, "18", "number"));
    assert.ok(checkAnswer("The Eiffel tower", "eiffel tower", "text"));
  });
  it("buckets equal values together", () => {
    assert.equal(canonicalAnswer("1/2", "math"), canonicalAnswer("\\frac{1}{2}", "math"));
    assert.equal(canonicalAnswer("\\dfrac12", "math"), canonicalAnswer("0.5", "math"));
    assert.notEqual(canonicalAnswer("1/3", "math"), canonicalAnswer("0.33", "math"));
    assert.equal(canonicalAnswer("(C) because", "choice"), "C");
    assert.equal(canonicalAnswer("1, -2", "math"), canonicalAnswer("x = -2, x = 1", "math"));
    assert.equal(canonicalAnswer("\\{\\frac12, 3\\}", "math"), canonicalAnswer("3, 0.5", "math"));
    assert.notEqual(canonicalAnswer("(1, 2)", "math"), canonicalAnswer("(2, 1)", "math"));
    assert.equal(normalizeMath("\\left( 3 \\right)"), "(3)");
  });
});
