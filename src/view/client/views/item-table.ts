import { FilterSyntaxError } from "../../shared/filter-expression.ts";
import { baseColumns, cellValue, selectRows } from "../../shared/item-rows.ts";
import { formatRoute, type Route } from "../../shared/route.ts";
import type { ItemRow, RunSummary, Scalar } from "../../shared/view-data.ts";
import { el, fmt } from "../dom.ts";

type ItemsRoute = Extract<Route, { view: "items" }>;

/**
 * The event the page sends a table whose run's summary gained rows (rows still loading, a live
 * run); its detail is that summary, and a table showing another one ignores it.
 */
export const newRowsEvent = "chorus:new-rows";

/** Row height in pixels: fixed, so the window of rendered rows follows from scrollTop alone. */
const rowHeight = 28;
/** Rows rendered above and below the visible ones. */
const overscan = 8;

const wide = new Set(["prediction", "gold"]);

function cellText(value: Scalar | undefined): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return fmt(value);
  return String(value);
}

/**
 * The items of a run as a grid: a filter expression, click-to-sort headers, and only the rows in
 * view in the DOM (a 10,000-line run keeps well under 100 row elements). Filter and sort live
 * in the URL (replaced, not pushed, so typing does not fill the history).
 */
export function itemTable(summary: RunSummary, route: ItemsRoute): HTMLElement {
  const columns = [...baseColumns, ...summary.extraColumns];
  const template = columns
    .map((c) => (wide.has(c) ? "minmax(160px, 2fr)" : "minmax(70px, 1fr)"))
    .join(" ");
  const state = { filter: route.filter, sort: route.sort, descending: route.descending };
  let visible: number[] = [];

  const input = el("input", {
    type: "search",
    value: state.filter,
    "aria-label": "filter",
    placeholder: 'filter, e.g. method == "adacad" and not correct',
    spellcheck: "false",
  });
  const error = el("span", { class: "error", role: "status" });
  const count = el("span", { "data-testid": "row-count" });
  const spacer = el("div", { class: "spacer" });
  const body = el("div", { class: "grid-body", tabindex: 0 }, spacer);
  const headers = columns.map((c) =>
    el("div", { role: "columnheader", class: "cell head", "data-column": c, tabindex: 0 }, c),
  );
  const header = el(
    "div",
    { role: "row", class: "grid-row head-row", style: `grid-template-columns: ${template}` },
    ...headers,
  );
  const grid = el(
    "div",
    { role: "grid", "aria-label": "items", "aria-rowcount": summary.rows.length },
    header,
    body,
  );

  const chip = (label: string, filter: string) =>
    el("button", { type: "button", class: "chip", "data-filter": filter }, label);
  const chips = el(
    "div",
    { class: "chips" },
    chip("all", ""),
    chip("wrong", "not correct"),
    chip("right", "correct"),
    ...(summary.listing.methods.length > 1
      ? summary.listing.methods.map((m) => chip(m, `method == "${m}"`))
      : []),
  );

  function updateUrl(): void {
    history.replaceState(
      null,
      "",
      formatRoute({ view: "items", run: summary.listing.id, ...state }),
    );
  }

  function renderWindow(): void {
    const first = Math.max(0, Math.floor(body.scrollTop / rowHeight) - overscan);
    const last = Math.min(
      visible.length,
      Math.ceil((body.scrollTop + body.clientHeight) / rowHeight) + overscan,
    );
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) rows.push(rowElement(summary.rows[visible[i]!]!, i));
    spacer.replaceChildren(...rows);
  }

  function rowElement(row: ItemRow, position: number): HTMLElement {
    const link = formatRoute({ view: "item", run: summary.listing.id, line: row.n });
    return el(
      "a",
      {
        role: "row",
        class: `grid-row${row.correct === false ? " wrong" : ""}`,
        href: link,
        "data-index": position,
        "aria-rowindex": position + 2,
        style: `top: ${position * rowHeight}px; grid-template-columns: ${template}`,
      },
      ...columns.map((c) => {
        const text = cellText(cellValue(row, c));
        return el(
          "span",
          { role: "gridcell", class: "cell", title: text.length > 30 ? text : undefined },
          text,
        );
      }),
    );
  }

  function apply(keepScroll = false): void {
    try {
      visible = selectRows(summary.rows, state);
      error.textContent = "";
      input.removeAttribute("aria-invalid");
    } catch (e) {
      if (!(e instanceof FilterSyntaxError)) throw e;
      error.textContent = e.message;
      input.setAttribute("aria-invalid", "true");
      return;
    }
    const loaded = summary.rows.length;
    const total = summary.listing.results;
    count.textContent =
      loaded < total
        ? `${visible.length} of ${loaded} rows (still loading: ${loaded} of ${total} in; filter and sort cover those)`
        : `${visible.length} of ${loaded} rows`;
    spacer.style.height = `${visible.length * rowHeight}px`;
    for (const h of headers) {
      const c = h.dataset["column"];
      h.setAttribute(
        "aria-sort",
        c === state.sort ? (state.descending ? "descending" : "ascending") : "none",
      );
      h.textContent = `${c}${c === state.sort ? (state.descending ? " ▼" : " ▲") : ""}`;
    }
    if (!keepScroll) body.scrollTop = 0;
    renderWindow();
    updateUrl();
  }

  input.addEventListener("input", () => {
    state.filter = input.value;
    apply();
  });
  chips.addEventListener("click", (event) => {
    const filter = (event.target as HTMLElement).closest("button")?.dataset["filter"];
    if (filter === undefined) return;
    state.filter = input.value = filter;
    apply();
  });
  header.addEventListener("click", (event) => {
    const column = (event.target as HTMLElement).closest<HTMLElement>("[data-column]")?.dataset[
      "column"
    ];
    if (!column) return;
    if (state.sort === column && state.descending) state.sort = "";
    else if (state.sort === column) state.descending = true;
    else Object.assign(state, { sort: column, descending: false });
    apply();
  });
  body.addEventListener("scroll", () => requestAnimationFrame(renderWindow), { passive: true });
  // the body's height is known once the view is attached
  requestAnimationFrame(() => apply());

  const section = el(
    "section",
    { class: "items" },
    el(
      "h1",
      {},
      el(
        "a",
        { href: formatRoute({ view: "overview", run: summary.listing.id }) },
        summary.listing.id,
      ),
      " · items",
    ),
    el("div", { class: "toolbar" }, input, count, error),
    chips,
    el(
      "p",
      { class: "hint" },
      "Filter: names are columns; == != < <= > >= ~ (contains), and, or, not, parentheses. Click a header to sort.",
    ),
    grid,
  );
  section.addEventListener(newRowsEvent, (event) => {
    if ((event as CustomEvent<RunSummary>).detail !== summary) return;
    grid.setAttribute("aria-rowcount", String(summary.rows.length));
    apply(true);
  });
  return section;
}
