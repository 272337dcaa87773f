import { braceGroup } from "./boxed.ts";

/** Trailing unit words dropped after a number ("5 cm", "12 dollars"); a list, so "2x" survives. */
const unitWords = [
  "units?",
  "square units?",
  "sq units?",
  "cubic units?",
  "degrees?",
  "cm\\^?2?",
  "mm",
  "km",
  "m\\^?2?",
  "meters?",
  "centimeters?",
  "kilometers?",
  "inches",
  "inch",
  "feet",
  "foot",
  "ft",
  "yards?",
  "miles?",
  "mph",
  "hours?",
  "minutes?",
  "seconds?",
  "days?",
  "weeks?",
  "years?",
  "dollars?",
  "cents?",
  "pounds?",
  "ounces?",
  "kg",
  "grams?",
  "liters?",
  "gallons?",
  "people",
  "students?",
  "points?",
  "ways?",
  "times",
  "percent",
];
const trailingUnits = new RegExp(`^(.*?\\d)\\s*(?:${unitWords.join("|")})$`, "i");

/**
 * Canonical text form of a math answer, for exact bucketing and as the first equivalence test:
 * strips `$`, `\left`/`\right`, spacing commands, `\text{}` wrappers, degrees, percent, trailing
 * units and periods, thousands separators and a leading `x =`; rewrites `\dfrac`/`\tfrac` and the
 * brace-less `\frac12`, `\sqrt2`.
 */
export function normalizeMath(answer: string): string {
  let s = answer.trim();
  s = s.replace(/^\$+|\$+$/g, "").replace(/\\\$/g, "");
  s = unwrapCommand(s, "boxed");
  s = s.replace(/\\(?:left|right)(?![a-zA-Z])/g, "");
  // Spacing commands, but not a matrix's row break `\\` followed by a space or a comma.
  s = s
    .replace(/(?<!\\)\\(?:!|,|;|:|quad|qquad)/g, " ")
    .replace(/(?<!\\)\\ /g, " ")
    .replace(/~/g, " ");
  s = s.replace(/\\(?:d|t)frac/g, "\\frac");
  s = s.replace(/\^\s*\{?\s*\\circ\s*\}?/g, "").replace(/°|\\degree/g, "");
  s = s.replace(/\\?%/g, "");
  for (const command of ["text", "textbf", "mathrm", "mbox", "mathbf", "textit", "operatorname"])
    s = unwrapCommand(s, command);
  s = s.trim();
  const unit = trailingUnits.exec(s);
  if (unit?.[1]) s = unit[1];
  s = s.replace(/\\(?:displaystyle|cdotp)/g, "");
  s = s.replace(/\\frac\s*(\d)\s*(\d)/g, "\\frac{$1}{$2}");
  s = s.replace(/\\frac\s*\{([^{}]*)\}\s*(\d|[a-z])(?![a-z{])/gi, "\\frac{$1}{$2}");
  s = s.replace(/\\frac\s*(\d|[a-z])\s*\{/gi, "\\frac{$1}{");
  s = s.replace(/\\sqrt\s*(\d+|[a-z])/gi, "\\sqrt{$1}");
  s = s.replace(/\\sqrt\{([^{}]*)\}/g, "\\sqrt{$1}");
  // "1,000,000" is one number; "(1,2)" is a pair and keeps its comma
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s.replace(/\s/g, ""))) s = s.replace(/,/g, "");
  s = s.replace(/\s+/g, "");
  s = s.replace(/\.$/, "");
  // "x = 5", "x_1 = 5" and "x \in [2, 5]" answer with their right-hand side
  const assignment = /^[a-zA-Z](?:_\{?\w+\}?)?(?:=|\\in)(.+)$/.exec(s);
  if (assignment?.[1] && !assignment[1].includes("=")) s = assignment[1];
  s = s.replace(/^\+/, "");
  s = s.replace(/(^|[^\d])\.(\d)/g, "$10.$2");
  if (/^-?\d+\.\d*$/.test(s)) s = s.replace(/0+$/, "").replace(/\.$/, "");
  if (s === "-0") s = "0";
  return s;
}

/** Replaces every `\command{x}` by `x` (brace-matched, so nested groups survive). */
function unwrapCommand(s: string, command: string): string {
  const tag = `\\${command}`;
  let out = s;
  let from = 0;
  for (;;) {
    const at = out.indexOf(tag, from);
    if (at < 0) return out;
    let open = at + tag.length;
    // "\text" must not eat the start of "\textbf"
    if (/[a-zA-Z]/.test(out[open] ?? "")) {
      from = open;
      continue;
    }
    while (out[open] === " ") open++;
    if (out[open] !== "{") {
      out = out.slice(0, at) + out.slice(at + tag.length);
      continue;
    }
    const group = braceGroup(out, open);
    if (!group) return out;
    out = out.slice(0, at) + group.content + out.slice(group.end);
  }
}
