import { formatRoute, type Route } from "../../shared/route.ts";
import type { ComparePair, CompareSide, CompareView, RunListing } from "../../shared/view-data.ts";
import { el, fmt } from "../dom.ts";

type CompareRoute = Extract<Route, { view: "compare" }>;

/** Rows drawn at most; flips come first, so the ones that matter are always in. */
const maxRows = 500;

const sideName = (s: CompareSide) => `${s.run} / ${s.method}`;
const outcome = (x: ComparePair["a"]) =>
  x.correct === null ? fmt(x.score) : x.correct ? "right" : "wrong";

/** Four selects (run and method per side) that navigate to the comparison they name. */
function sidePicker(runs: readonly RunListing[], route: CompareRoute): HTMLElement {
  const select = (name: string, options: string[], value: string) =>
    el(
      "select",
      { name, "aria-label": name },
      ...options.map((o) => el("option", { value: o, selected: o === value }, o)),
    );
  const methodsOf = (run: string) => runs.find((r) => r.id === run)?.methods ?? [];
  const ids = runs.map((r) => r.id);
  const form = el(
    "form",
    { class: "toolbar", "aria-label": "compare sides" },
    "A ",
    select("run A", ids, route.a),
    select("method A", methodsOf(route.a), route.am),
    " B ",
    select("run B", ids, route.b),
    select("method B", methodsOf(route.b), route.bm),
    el("button", { type: "submit" }, "compare"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const v = (n: string) => (form.elements.namedItem(n) as HTMLSelectElement).value;
    const pick = (run: string, method: string) =>
      methodsOf(run).includes(method) ? method : (methodsOf(run)[0] ?? "");
    location.hash = formatRoute({
      ...route,
      a: v("run A"),
      am: pick(v("run A"), v("method A")),
      b: v("run B"),
      bm: pick(v("run B"), v("method B")),
      item: "",
    });
  });
  return form;
}

function confusion(view: CompareView): HTMLElement {
  const c = view.confusion;
  const cell = (n: number, label: string) => el("td", { class: "num", "aria-label": label }, n);
  return el(
    "table",
    { class: "plain", "aria-label": "confusion" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", {}),
        el("th", { scope: "col" }, "B right"),
        el("th", { scope: "col" }, "B wrong"),
      ),
    ),
    el(
      "tbody",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "row" }, "A right"),
        cell(c.both, "both right"),
        cell(c.onlyA, "lost"),
      ),
      el(
        "tr",
        {},
        el("th", { scope: "row" }, "A wrong"),
        cell(c.onlyB, "gained"),
        cell(c.neither, "both wrong"),
      ),
    ),
  );
}

function pairsTable(view: CompareView, route: CompareRoute): HTMLElement {
  const shown = route.flipsOnly ? view.pairs.filter((p) => p.flip !== null) : view.pairs;
  const header = ["item", "flip", "A", "A prediction", "B", "B prediction"];
  return el(
    "div",
    {},
    el(
      "p",
      { class: "facts", "data-testid": "pair-count" },
      `${shown.length} item(s)${shown.length > maxRows ? `, the first ${maxRows} shown` : ""}`,
    ),
    el(
      "table",
      { class: "plain", "aria-label": "pairs" },
      el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col" }, h)))),
      el(
        "tbody",
        {},
        ...shown
          .slice(0, maxRows)
          .map((p) =>
            el(
              "tr",
              { class: p.flip ?? "" },
              el("td", {}, el("a", { href: formatRoute({ ...route, item: p.itemId }) }, p.itemId)),
              el(
                "td",
                { class: p.flip === "lost" ? "bad" : p.flip === "gained" ? "good" : "" },
                p.flip ?? "",
              ),
              el("td", {}, outcome(p.a)),
              el("td", { class: "small" }, p.a.prediction),
              el("td", {}, outcome(p.b)),
              el("td", { class: "small" }, p.b.prediction),
            ),
          ),
      ),
    ),
  );
}

/**
 * Two runs (or two methods of one run) paired on item id: Δ of the mean score with the paired
 * bootstrap interval computed in Node, the right/wrong confusion, then the items, flips first;
 * an item opens both records side by side (`itemPair`, given by the caller).
 */
export function compareView(
  view: CompareView,
  runs: readonly RunListing[],
  route: CompareRoute,
  itemPair: HTMLElement | null,
): HTMLElement {
  const d = view.delta;
  const chip = (label: string, flipsOnly: boolean) =>
    el(
      "a",
      {
        class: "chip",
        href: formatRoute({ ...route, flipsOnly, item: "" }),
        "aria-current": route.flipsOnly === flipsOnly ? "true" : undefined,
      },
      label,
    );
  const side = (label: string, s: CompareSide) =>
    el(
      "li",
      {},
      `${label}: `,
      el("a", { href: formatRoute({ view: "overview", run: s.run }) }, s.run),
      ` / ${s.method}`,
      s.steer ? el("span", { class: "steer" }, ` · ${s.steer}`) : " · unsteered",
    );
  return el(
    "section",
    { class: "compare" },
    el("h1", {}, `Compare ${sideName(view.a)} with ${sideName(view.b)}`),
    sidePicker(runs, route),
    el("ul", { class: "sides" }, side("A", view.a), side("B", view.b)),
    el(
      "p",
      { class: "facts", "data-testid": "delta" },
      `${view.pairs.length} shared items · mean A ${fmt(view.meanA)} · mean B ${fmt(view.meanB)} · Δ (B − A) ${fmt(d.mean)} [${fmt(d.low)}, ${fmt(d.high)}] (paired 95% bootstrap, seed ${view.seed})`,
      view.onlyA || view.onlyB ? ` · only in A: ${view.onlyA}, only in B: ${view.onlyB}` : "",
    ),
    confusion(view),
    itemPair,
    el("div", { class: "chips" }, chip("all items", false), chip("flips only", true)),
    pairsTable(view, route),
  );
}
