import type { ReportView } from "../../shared/view-data.ts";
import { svg } from "../dom.ts";

/** Each method's score as a dot with its 95% interval as a whisker, on one 0–1 axis. */
export function scorePlot(report: ReportView): SVGElement {
  const rowHeight = 26;
  const left = 140;
  const width = 520;
  const plot = width - left - 20;
  const height = report.methods.length * rowHeight + 30;
  const x = (v: number) => left + Math.max(0, Math.min(1, v)) * plot;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return svg(
    "svg",
    {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": "scores with 95% intervals",
    },
    ...ticks.map((t) =>
      svg(
        "g",
        {},
        svg("line", { x1: x(t), x2: x(t), y1: 4, y2: height - 22, class: "grid" }),
        svg("text", { x: x(t), y: height - 6, "text-anchor": "middle", class: "axis" }, String(t)),
      ),
    ),
    ...report.methods.map((m, i) => {
      const y = 16 + i * rowHeight;
      return svg(
        "g",
        {},
        svg("text", { x: left - 8, y: y + 4, "text-anchor": "end" }, m.method),
        svg("line", {
          x1: x(m.accuracy.low),
          x2: x(m.accuracy.high),
          y1: y,
          y2: y,
          class: "whisker",
        }),
        svg("circle", { cx: x(m.accuracy.mean), cy: y, r: 5, class: "dot" }),
      );
    }),
  );
}
