/**
 * The page's state lives in the URL hash, so a view can be bookmarked, shared, and reloaded:
 * `#/` runs, `#/run/<id>` overview, `#/run/<id>/items?f=<filter>&sort=<col>&desc=1`,
 * `#/run/<id>/item/<line>`, `#/compare?a=<run>&am=<method>&b=<run>&bm=<method>&show=flips&item=<id>`.
 */
export type Route =
  | { view: "runs" }
  | { view: "overview"; run: string }
  | { view: "items"; run: string; filter: string; sort: string; descending: boolean }
  | { view: "item"; run: string; line: number }
  | {
      view: "compare";
      a: string;
      am: string;
      b: string;
      bm: string;
      /** Only the items whose outcome differs. */
      flipsOnly: boolean;
      /** The item shown side by side, or empty. */
      item: string;
    };

export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?", 2);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "compare") {
    const p = new URLSearchParams(query);
    const get = (k: string) => p.get(k) ?? "";
    return {
      view: "compare",
      a: get("a"),
      am: get("am"),
      b: get("b"),
      bm: get("bm"),
      flipsOnly: p.get("show") === "flips",
      item: get("item"),
    };
  }
  if (parts[0] !== "run" || parts[1] === undefined) return { view: "runs" };
  const run = parts[1];
  if (parts[2] === "items") {
    const params = new URLSearchParams(query);
    return {
      view: "items",
      run,
      filter: params.get("f") ?? "",
      sort: params.get("sort") ?? "",
      descending: params.get("desc") === "1",
    };
  }
  if (parts[2] === "item" && /^\d+$/.test(parts[3] ?? "")) {
    return { view: "item", run, line: Number(parts[3]) };
  }
  return { view: "overview", run };
}

export function formatRoute(route: Route): string {
  if (route.view === "runs") return "#/";
  if (route.view === "compare") {
    const p = new URLSearchParams({ a: route.a, am: route.am, b: route.b, bm: route.bm });
    if (route.flipsOnly) p.set("show", "flips");
    if (route.item) p.set("item", route.item);
    return `#/compare?${p}`;
  }
  const base = `#/run/${encodeURIComponent(route.run)}`;
  if (route.view === "overview") return base;
  if (route.view === "item") return `${base}/item/${route.line}`;
  const params = new URLSearchParams();
  if (route.filter) params.set("f", route.filter);
  if (route.sort) params.set("sort", route.sort);
  if (route.descending) params.set("desc", "1");
  const query = params.toString();
  return `${base}/items${query ? `?${query}` : ""}`;
}
