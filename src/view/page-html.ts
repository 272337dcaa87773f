import { createHash } from "node:crypto";

/** The id of the `<script>` block an export keeps its data in (base64 of gzip of JSON). */
export const dataElementId = "chorus-data";

/**
 * The whole page: one inline script allowed by its hash, inline style, nothing else. Served pages
 * may fetch their own origin's API; an export (`data` given) may fetch nothing at all.
 */
export function pageHtml(bundle: { script: string; css: string }, data?: string): string {
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
    data === undefined
      ? ""
      : `<script type="application/octet-stream" id="${dataElementId}">${data}</script>`,
    `<script>${bundle.script}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
