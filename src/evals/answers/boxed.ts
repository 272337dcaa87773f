/**
 * Content of the last `\boxed{...}` (or `\fbox{...}`) in `text`, brace-matched so nested groups
 * such as `\boxed{\frac{1}{2}}` survive. Also accepts the unbraced form `\boxed 5`.
 * Returns undefined when there is no complete box.
 */
export function lastBoxed(text: string): string | undefined {
  const start = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
  if (start < 0) return undefined;
  let i = start + (text.startsWith("\\boxed", start) ? 6 : 5);
  if (text[i] === " ") {
    // `\boxed 5`: the argument runs to the next space or dollar sign
    const rest = text.slice(i + 1);
    const match = /^[^\s$]+/.exec(rest);
    return match ? match[0] : undefined;
  }
  while (text[i] === " ") i++;
  if (text[i] !== "{") return undefined;
  const content = braceGroup(text, i);
  return content?.content;
}

/**
 * The group that opens at `open` (which must be `{`): its content and the index after the
 * closing brace. Undefined when the braces never balance.
 */
export function braceGroup(
  text: string,
  open: number,
): { content: string; end: number } | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      i++; // an escaped brace does not count
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return { content: text.slice(open + 1, i), end: i + 1 };
    }
  }
  return undefined;
}
