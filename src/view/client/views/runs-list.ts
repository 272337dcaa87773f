import { formatRoute } from "../../shared/route.ts";
import type { RunListing } from "../../shared/view-data.ts";
import { el, fmt } from "../dom.ts";

/** Every run served, newest first: what ran, on what, how far it got and what it cost. */
export function runsList(runs: readonly RunListing[]): HTMLElement {
  const header = [
    "run",
    "command",
    "methods",
    "dataset",
    "models",
    "results",
    "failures",
    "tokens",
    "calls",
    "wall s",
    "resumes",
    "created",
  ];
  return el(
    "section",
    {},
    el("h1", {}, "Runs"),
    runs.length > 1 && runs[0]!.methods[0] && runs[1]!.methods[0]
      ? el(
          "p",
          {},
          el(
            "a",
            {
              href: formatRoute({
                view: "compare",
                a: runs[1]!.id,
                am: runs[1]!.methods[0]!,
                b: runs[0]!.id,
                bm: runs[0]!.methods[0]!,
                flipsOnly: false,
                item: "",
              }),
            },
            "Compare two runs →",
          ),
        )
      : null,
    runs.length === 0
      ? el("p", {}, "No runs.")
      : el(
          "table",
          { class: "plain", "aria-label": "runs" },
          el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col" }, h)))),
          el(
            "tbody",
            {},
            ...runs.map((run) =>
              el(
                "tr",
                {},
                el(
                  "td",
                  {},
                  el("a", { href: formatRoute({ view: "overview", run: run.id }) }, run.id),
                ),
                el("td", {}, run.command),
                el("td", {}, run.methods.join(", ")),
                el("td", {}, [run.dataset, run.split].filter(Boolean).join(" / ")),
                el("td", { class: "small" }, run.models.join(", ")),
                el("td", { class: "num" }, run.results),
                el("td", { class: run.failures > 0 ? "num bad" : "num" }, run.failures),
                el("td", { class: "num" }, run.tokens),
                el("td", { class: "num" }, run.calls),
                el("td", { class: "num" }, fmt(run.wallMs / 1000, 1)),
                el("td", { class: "num" }, run.resumes),
                el("td", { class: "small" }, run.createdAt.replace("T", " ").slice(0, 19)),
              ),
            ),
          ),
        ),
  );
}
