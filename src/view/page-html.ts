import { createHash } from "node:crypto";

/**
 * The id of the `<script>` block holding an export's head (base64 of gzip of JSON, as every
 * block); its other blocks are `${dataElementId}-0`, `-1`... (see shared/export-data.ts).
 */
export const dataElementId = "chorus-data";

/** The element id of an export's data block `k`. */
export const blockElementId = (k: number) => `${dataElementId}-${k}`;

const dataBlock = (id: string, base64: string) =>
  `<script type="application/octet-stream" id="${id}">${base64}</script>`;

/**
 * The whole page: one inline script allowed by its hash, inline style, nothing else. Served pages
 * may fetch their own origin's API; an export (`data` given: its head and blocks) may fetch
 * nothing at all.
 */
export function pageHtml(
  bundle: { script: string; css: string },
  data?: { head: string; blocks: readonly string[] },
): string {
  const hash = createHash("sha256").update(bundle.script).digest("base64");
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${hash}'`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    data === undefined ? "connect-src 'self'" : "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>chorus view</title>",
    `<style>${bundle.css}</style>`,
    "</head>",
    "<body>",
    '<div id="app">Loading…</div>',
    ...(data === undefined
      ? []
      : [
          dataBlock(dataElementId, data.head),
          ...data.blocks.map((base64, k) => dataBlock(blockElementId(k), base64)),
        ]),
    `<script>${bundle.script}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
