import type { ItemInput } from "../../shared/view-data.ts";
import { el } from "../dom.ts";

const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A meta value as one line of text: strings as they are, lists joined, the rest as JSON. */
const metaText = (value: unknown) =>
  typeof value === "string"
    ? value
    : Array.isArray(value)
      ? value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(" · ")
      : JSON.stringify(value);

/**
 * What the item asked, from the run's items.jsonl: the question as the model saw it, the
 * options of a multiple-choice item, and its meta fields (context, subject...) folded away.
 */
export function itemInput(item: ItemInput | undefined): HTMLElement | null {
  if (!item) return null;
  const meta = Object.entries(item.meta ?? {});
  return el(
    "section",
    { class: "input", "aria-label": "question" },
    el("h2", {}, "Question"),
    el("pre", { class: "question", "data-testid": "question" }, item.question),
    item.choices
      ? el(
          "ol",
          { class: "choices", "aria-label": "choices" },
          ...item.choices.map((c, i) => el("li", { "data-letter": letters[i] ?? "?" }, c)),
        )
      : null,
    meta.length > 0
      ? el(
          "details",
          {},
          el("summary", {}, `item fields (${meta.map(([k]) => k).join(", ")})`),
          el(
            "dl",
            { class: "answer", "aria-label": "item fields" },
            ...meta.flatMap(([key, value]) => [el("dt", {}, key), el("dd", {}, metaText(value))]),
          ),
        )
      : null,
  );
}
