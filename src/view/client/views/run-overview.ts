import { formatRoute } from "../../shared/route.ts";
import type { IntervalView, RunSummary } from "../../shared/view-data.ts";
import { el, fmt } from "../dom.ts";
import { trainingOverview } from "../training/index.ts";
import { expertSkillMatrix } from "./expert-skill-matrix.ts";
import { scorePlot } from "./score-plot.ts";

/** As report.md writes it: accuracy in percent to 0.1, a mean score to 0.001. */
const interval = (i: IntervalView | undefined, scale: number) => {
  const f = (x: number) => (Number.isNaN(x) ? "–" : (x * scale).toFixed(scale === 100 ? 1 : 3));
  return i ? `${f(i.mean)} [${f(i.low)}, ${f(i.high)}]` : "";
};

const compareWithFirst = (run: string, first: string, method: string) =>
  formatRoute({
    view: "compare",
    a: run,
    am: first,
    b: run,
    bm: method,
    flipsOnly: false,
    item: "",
  });

/** MAT-Steer: the steerer a run was made with (`chorus eval --steer`), from config.json. */
function steerFacts(config: unknown): HTMLElement | null {
  const steer = (config as { config?: { steer?: Record<string, unknown> } } | null)?.config?.steer;
  if (!steer) return null;
  // `chorus steer eval` runs hold both conditions as methods; eval --steer runs are all steered
  const methods = Array.isArray(steer["methods"]) ? (steer["methods"] as string[]) : null;
  return el(
    "div",
    { class: "panel", "aria-label": "MAT-Steer" },
    el(
      "h2",
      {},
      methods
        ? `MAT-Steer: methods ${methods.join(", ")} are steered, the others are not`
        : "MAT-Steer: this run is steered",
    ),
    el(
      "p",
      { class: "facts" },
      `steerer ${String(steer["file"] ?? "")} · fingerprint ${String(steer["fingerprint"] ?? "").slice(0, 16)} · site ${JSON.stringify(steer["site"] ?? null)} · attributes ${((steer["attributes"] as string[] | undefined) ?? []).join(", ")} · hidden size ${String(steer["nEmbd"] ?? "")}`,
    ),
    el(
      "p",
      { class: "hint" },
      methods
        ? "Its unsteered and steered lines share item ids: Compare view, A = unsteered, B = steered."
        : "Compare it with an unsteered run of the same method and data: Compare view, from the runs list.",
    ),
  );
}

/** One run: its report (scores with the report's bootstrap CIs), cost, failures and models. */
export function runOverview(summary: RunSummary): HTMLElement {
  const { listing, report } = summary;
  const items = (filter: string) =>
    formatRoute({ view: "items", run: listing.id, filter, sort: "", descending: false });
  const accuracy = (report?.metric ?? "accuracy") === "accuracy";
  const scale = accuracy ? 100 : 1;
  return el(
    "section",
    {},
    el("h1", {}, listing.id),
    el(
      "p",
      { class: "facts" },
      `${listing.command} ${listing.methods.join(", ")}`,
      listing.dataset ? ` on ${listing.dataset}${listing.split ? ` / ${listing.split}` : ""}` : "",
      ` · ${listing.results} result lines · ${listing.failures} failed · ${listing.tokens} tokens · ${listing.calls} calls · ${fmt(listing.wallMs / 1000, 1)} s item wall time`,
      listing.resumes ? ` · resumed ${listing.resumes}×` : "",
    ),
    el("p", {}, el("a", { href: items("") }, `All ${listing.results} items →`)),
    report
      ? el(
          "div",
          { class: "report" },
          el(
            "h2",
            {},
            `Scores (${report.items} items every method finished; 95% bootstrap CI, seed ${report.seed})`,
          ),
          el(
            "table",
            { class: "plain", "aria-label": "scores" },
            el(
              "thead",
              {},
              el(
                "tr",
                {},
                ...[
                  "method",
                  accuracy ? "accuracy %" : "mean score",
                  "Δ vs first",
                  "tokens/item",
                  "calls/item",
                  "wall s",
                  "",
                ].map((h) => el("th", { scope: "col" }, h)),
              ),
            ),
            el(
              "tbody",
              {},
              ...report.methods.map((m) =>
                el(
                  "tr",
                  {},
                  el("td", {}, m.method),
                  el(
                    "td",
                    { class: "num", "data-testid": `score-${m.method}` },
                    interval(m.accuracy, scale),
                  ),
                  el("td", { class: "num" }, interval(m.versusFirst, scale)),
                  el("td", { class: "num" }, fmt(m.tokensPerItem, 0)),
                  el("td", { class: "num" }, fmt(m.callsPerItem, 2)),
                  el("td", { class: "num" }, fmt(m.wallMs / 1000, 1)),
                  el(
                    "td",
                    {},
                    el(
                      "a",
                      { href: items(`method == "${m.method}" and not correct`) },
                      "wrong ones",
                    ),
                    m.method === report.methods[0]!.method
                      ? null
                      : el(
                          "a",
                          {
                            href: compareWithFirst(listing.id, report.methods[0]!.method, m.method),
                          },
                          " · compare with first",
                        ),
                  ),
                ),
              ),
            ),
          ),
          scorePlot(report),
        )
      : summary.training?.length
        ? null
        : el("p", {}, "No report.json in this run."),
    ...(summary.expertSkills ?? []).map(expertSkillMatrix),
    ...(summary.training ?? []).map(trainingOverview),
    summary.callsByModel.length > 0
      ? el(
          "div",
          {},
          el("h2", {}, "Model calls (events.jsonl)"),
          el(
            "table",
            { class: "plain", "aria-label": "calls by model" },
            el(
              "thead",
              {},
              el(
                "tr",
                {},
                ...["model", "calls", "tokens", "mean latency ms"].map((h) =>
                  el("th", { scope: "col" }, h),
                ),
              ),
            ),
            el(
              "tbody",
              {},
              ...summary.callsByModel.map((m) =>
                el(
                  "tr",
                  {},
                  el("td", {}, m.model),
                  el("td", { class: "num" }, m.calls),
                  el("td", { class: "num" }, m.tokens),
                  el("td", { class: "num" }, fmt(m.latencyMs / Math.max(1, m.calls), 0)),
                ),
              ),
            ),
          ),
        )
      : null,
    el("h2", {}, `Failures (${summary.failures.length})`),
    summary.failures.length === 0
      ? el("p", {}, "None.")
      : el(
          "ul",
          { class: "failures" },
          ...summary.failures
            .slice(0, 200)
            .map((f) => el("li", {}, el("code", {}, f.id), `: ${f.error}`)),
        ),
    steerFacts(summary.config),
    el("h2", {}, "Models"),
    el("ul", {}, ...listing.models.map((m) => el("li", {}, m))),
    el(
      "details",
      {},
      el("summary", {}, "config.json"),
      el("pre", {}, JSON.stringify(summary.config, null, 2)),
    ),
  );
}
