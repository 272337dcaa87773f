import { el, fmt } from "../dom.ts";

/** `chorus laser eval`: the prompt, gold, the policy's response and the answer read from it. */
export function laserEvalPanel(details: unknown): HTMLElement | null {
  const d = details as Record<string, unknown> | null;
  if (!d || typeof d["response"] !== "string" || typeof d["correct"] !== "boolean") return null;
  const arms = Array.isArray(d["arms"]) ? (d["arms"] as string[]) : null;
  return el(
    "section",
    { class: "panel", "aria-label": "LASeR evaluation item" },
    el("h2", {}, `LASeR evaluation item${d["family"] ? ` (family ${String(d["family"])})` : ""}`),
    el(
      "dl",
      { class: "answer" },
      el("dt", {}, "prompt"),
      el("dd", {}, typeof d["prompt"] === "string" ? d["prompt"] : "(not recorded by this run)"),
      el("dt", {}, "response"),
      el("dd", { "data-testid": "laser-response" }, d["response"]),
      el("dt", {}, "answer read"),
      el(
        "dd",
        { class: d["correct"] ? "good" : "bad" },
        `${String(d["predicted"] ?? "–")} ${d["correct"] ? "✓" : "✗"}`,
      ),
      el("dt", {}, "gold"),
      el("dd", {}, String(d["gold"] ?? "–")),
      arms ? el("dt", {}, "best-of-n judged by") : null,
      arms
        ? el(
            "dd",
            {},
            `${arms.join(", ")}${d["reward"] !== undefined ? ` · reward ${fmt(d["reward"] as number)}` : ""}`,
          )
        : null,
    ),
  );
}

/** One `chorus laser train` batch: the arms' upper confidence bounds and the update it made. */
export function laserBatchPanel(details: unknown): HTMLElement | null {
  const d = details as Record<string, unknown> | null;
  if (!d || typeof d["iteration"] !== "number" || !Array.isArray(d["arms"])) return null;
  const ucb = Array.isArray(d["ucb"]) ? (d["ucb"] as number[]) : [];
  return el(
    "section",
    { class: "panel", "aria-label": "LASeR batch" },
    el("h2", {}, `LASeR batch: iteration ${d["iteration"]}, family ${String(d["family"])}`),
    el(
      "p",
      { class: "facts" },
      `${String(d["strategy"])} chose ${String(d["chosen"] ?? "every arm (ensemble)")} · ${d["responses"]} responses · ${d["pairs"]} pairs · loss ${fmt(d["loss"] as number | null)} · reward ${fmt(d["reward"] as number | null)} (scaled ${fmt(d["scaledReward"] as number | undefined)})`,
    ),
    ucb.length
      ? el(
          "p",
          {},
          "LinUCB bound per arm at the choice (arms in the run's order; ties go to the first): ",
          ucb.map((u, i) => `#${i} ${fmt(u)}`).join(" · "),
        )
      : null,
  );
}
