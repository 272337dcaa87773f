/**
 * Text of the call arguments (what goes inside `entry(...)`) in a unit-test response (spec 3.2):
 * after the first "rgument", the first `entry(` (or any `name(`), up to the end of that line,
 * without its last ")". Undefined when there is none.
 */
export function parseInputText(response: string, entryPoint: string): string | undefined {
  const at = response.indexOf("rgument");
  if (at < 0) return undefined;
  const rest = response.slice(at);
  const escaped = entryPoint.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const call = new RegExp(`\\b${escaped}\\(`).exec(rest) ?? /\b[A-Za-z_]\w*\(/.exec(rest);
  if (!call) return undefined;
  const start = call.index + call[0].length;
  const lineEnd = rest.indexOf("\n", start);
  const line = rest.slice(start, lineEnd < 0 ? undefined : lineEnd);
  const close = line.lastIndexOf(")");
  if (close < 0) return undefined;
  const text = line.slice(0, close).trim();
  return text === "" ? undefined : text;
}

/**
 * Literal text of the expected output (spec 3.2): after the last "utput", the last
 * triple-backtick block, else the last inline backtick span.
 */
export function parseOutputText(response: string): string | undefined {
  const at = response.lastIndexOf("utput");
  if (at < 0) return undefined;
  const rest = response.slice(at + "utput".length);
  const blocks = [...rest.matchAll(/```[^\n`]*\n?([\s\S]*?)```/g)];
  const block = blocks.at(-1)?.[1];
  if (block !== undefined && block.trim() !== "") return block.trim();
  const spans = [...rest.replace(/```/g, "").matchAll(/`([^`\n]+)`/g)];
  const span = spans.at(-1)?.[1]?.trim();
  return span === "" ? undefined : span;
}

/**
 * The response up to its Output section (spec 3.3 step 1): cut at the "### Output" header (any
 * heading level), else at the last line that starts with "Output". Undefined when there is
 * neither, or the cut leaves no input.
 */
export function cutBeforeOutput(response: string): string | undefined {
  const header = /^#{1,6}\s*Output\b/m.exec(response);
  if (header) return response.slice(0, header.index);
  const lines = [...response.matchAll(/^\s*\**Output\b/gm)];
  const last = lines.at(-1);
  return last ? response.slice(0, last.index) : undefined;
}

/**
 * Code in a debugger reply: the first ```python block (```js for JavaScript tasks), else the first ``` block, else the text
 * before the first fence (the whole reply when there is none).
 */
export function extractCode(reply: string): string {
  const python = /```(?:python|py|Python|js|javascript|JavaScript)[^\n]*\n([\s\S]*?)```/.exec(
    reply,
  );
  if (python) return python[1]!.trimEnd() + "\n";
  const any = /```[^\n]*\n([\s\S]*?)```/.exec(reply);
  if (any) return any[1]!.trimEnd() + "\n";
  const fence = reply.indexOf("```");
  return (fence < 0 ? reply : reply.slice(0, fence)).trimEnd() + "\n";
}
