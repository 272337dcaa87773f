import type { DiffPart } from "../../shared/token-diff.ts";
import { el } from "../dom.ts";

/**
 * A diff as inline text: removed parts struck through in red, added ones underlined in green,
 * each marked by `<del>`/`<ins>` so screen readers and tests can tell them apart.
 */
export function diffView(parts: readonly DiffPart[], label: string, lines = false): HTMLElement {
  const sep = lines ? "\n" : " ";
  return el(
    lines ? "pre" : "p",
    { class: "diff", "aria-label": label },
    ...parts.flatMap((p, i) => [
      i > 0 ? sep : "",
      p.kind === "same" ? p.text : el(p.kind === "added" ? "ins" : "del", {}, p.text),
    ]),
  );
}
