import type { CallView } from "../../shared/view-data.ts";
import { fmt, svg } from "../dom.ts";

/** A model's short name: the file name of a path, else the name as given. */
const shortModel = (model: string) => model.split(/[\\/]/).at(-1) ?? model;

/**
 * An item's model calls on one time axis, one lane per call in start order: events.jsonl
 * records when each call finished and how long it took, so a bar runs from (finish − latency)
 * to finish. Calls that overlap ran concurrently; a cache hit is a thin grey tick, an error red.
 */
export function callsWaterfall(calls: readonly CallView[]): SVGElement {
  const spans = calls
    .map((c) => {
      const end = Date.parse(c.time);
      return { call: c, start: end - c.latencyMs, end };
    })
    .filter((s) => Number.isFinite(s.end))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const t0 = Math.min(...spans.map((s) => s.start));
  const total = Math.max(1, Math.max(...spans.map((s) => s.end)) - t0);
  const lane = 18;
  const [left, width, right] = [220, 720, 90];
  const plot = width - left - right;
  const height = spans.length * lane + 26;
  const x = (t: number) => left + ((t - t0) / total) * plot;
  return svg(
    "svg",
    {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "list",
      "aria-label": "calls waterfall",
      class: "waterfall",
    },
    ...[0, 0.5, 1].flatMap((f) => [
      svg("line", {
        x1: left + f * plot,
        x2: left + f * plot,
        y1: 2,
        y2: height - 18,
        class: "grid",
      }),
      svg(
        "text",
        { x: left + f * plot, y: height - 5, "text-anchor": "middle", class: "axis" },
        `${fmt((f * total) / 1000, 2)} s`,
      ),
    ]),
    ...spans.map((s, i) => {
      const y = 4 + i * lane;
      const c = s.call;
      const state = c.error ? "error" : c.cached ? "cached" : "called";
      return svg(
        "g",
        { role: "listitem", "aria-label": `${c.model} ${c.kind} ${fmt(c.latencyMs, 0)} ms` },
        svg(
          "text",
          { x: left - 6, y: y + 11, "text-anchor": "end" },
          `${shortModel(c.model)} · ${c.kind}`,
        ),
        svg(
          "rect",
          {
            x: x(s.start),
            y: y + 2,
            width: Math.max(2, x(s.end) - x(s.start)),
            height: lane - 6,
            class: `call ${state}`,
          },
          svg(
            "title",
            {},
            `${c.model} ${c.kind}: ${c.inputTokens} in, ${c.outputTokens} out, ${fmt(c.latencyMs, 0)} ms${c.cached ? ", cached" : ""}${c.retries ? `, ${c.retries} retries` : ""}${c.error ? `, error: ${c.error}` : ""}`,
          ),
        ),
        svg(
          "text",
          { x: width - right + 6, y: y + 11, class: "axis" },
          c.cached ? "cached" : `${fmt(c.latencyMs, 0)} ms`,
        ),
      );
    }),
  );
}
