import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectRows } from "./item-rows.ts";
import { formatRoute, parseRoute, type Route } from "./route.ts";
import type { ItemRow } from "./view-data.ts";

function row(n: number, method: string, score: number | null, extra = {}): ItemRow {
  return {
    n,
    id: `${method}/q${n}`,
    method,
    itemId: `q${n}`,
    prediction: "",
    gold: "",
    correct: score === null ? null : score === 1,
    score,
    tokens: 10 * n,
    calls: 1,
    wallMs: 5,
    extra,
  };
}

describe("item rows", () => {
  const rows = [row(0, "b", 1), row(1, "a", 0, { hard: true }), row(2, "a", null), row(3, "b", 0)];
  it("filters, then sorts stably with missing values last in either direction", () => {
    assert.deepEqual(selectRows(rows, { filter: "", sort: "", descending: false }), [0, 1, 2, 3]);
    assert.deepEqual(
      selectRows(rows, { filter: "", sort: "score", descending: false }),
      [1, 3, 0, 2],
    );
    assert.deepEqual(
      selectRows(rows, { filter: "", sort: "score", descending: true }),
      [0, 1, 3, 2],
    );
    assert.deepEqual(
      selectRows(rows, { filter: 'method == "a"', sort: "", descending: false }),
      [1, 2],
    );
    assert.deepEqual(selectRows(rows, { filter: "hard", sort: "", descending: false }), [1]);
    assert.deepEqual(
      selectRows(rows, { filter: "not correct", sort: "method", descending: false }),
      [1, 2, 3],
    );
  });
});

describe("item rows sorted by text", () => {
  const named = (n: number, prediction: string | null) => ({
    ...row(n, "m", 1, prediction === null ? {} : { label: prediction }),
    prediction: prediction ?? "",
  });
  const rows = [
    named(0, "beta"),
    named(1, "Alpha"),
    named(2, null),
    named(3, "alpha"),
    named(4, "10"),
  ];
  it("orders as localeCompare, ties in file order, missing values last in either direction", () => {
    const by = (sort: string, descending: boolean) =>
      selectRows(rows, { filter: "", sort, descending });
    // digits first, then letters whatever their case (lower case first between equals)
    assert.deepEqual(by("label", false), [4, 3, 1, 0, 2]);
    assert.deepEqual(by("label", true), [0, 1, 3, 4, 2]);
    assert.deepEqual(by("prediction", false), [2, 4, 3, 1, 0], "an empty string is a value");
    const twice = [named(0, "b"), named(1, "a"), named(2, "b"), named(3, "a")];
    assert.deepEqual(
      selectRows(twice, { filter: "", sort: "label", descending: true }),
      [0, 2, 1, 3],
    );
  });
  it("orders numbers as numbers, and a column mixing text and numbers as text", () => {
    const mixed = [
      row(0, "m", 1, { v: 10 }),
      row(1, "m", 1, { v: 9 }),
      row(2, "m", 1, { v: true }),
    ];
    assert.deepEqual(selectRows(mixed, { filter: "", sort: "v", descending: false }), [2, 1, 0]);
    mixed.push(row(3, "m", 1, { v: "x" }));
    assert.deepEqual(selectRows(mixed, { filter: "", sort: "v", descending: false }), [0, 1, 2, 3]);
  });
});

describe("routes", () => {
  it("round-trip through the hash, filters with quotes and spaces included", () => {
    const routes: Route[] = [
      { view: "runs" },
      { view: "overview", run: "2026 run/1" },
      {
        view: "items",
        run: "r",
        filter: 'method == "a b" and score < 0.5',
        sort: "score",
        descending: true,
      },
      { view: "items", run: "r", filter: "", sort: "", descending: false },
      { view: "item", run: "r", line: 12 },
      {
        view: "compare",
        a: "run a&b",
        am: "mamm-refine",
        b: "r=2",
        bm: "dcr",
        flipsOnly: true,
        item: "xsum/1?",
      },
      { view: "compare", a: "r", am: "x", b: "r", bm: "y", flipsOnly: false, item: "" },
    ];
    for (const route of routes) assert.deepEqual(parseRoute(formatRoute(route)), route);
    assert.deepEqual(parseRoute("#/nonsense"), { view: "runs" });
    assert.deepEqual(parseRoute(""), { view: "runs" });
  });
});
