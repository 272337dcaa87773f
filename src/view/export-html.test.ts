import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { exportHtml } from "./export-html.ts";
import { dataElementId } from "./page-html.ts";
import { writeEvalRun } from "./run-fixture.ts";
import { openRuns } from "./run-folders.ts";
import type { EmbeddedData } from "./shared/view-data.ts";

function embedded(html: string): EmbeddedData {
  const match = new RegExp(
    `<script type="application/octet-stream" id="${dataElementId}">([^<]*)</script>`,
  ).exec(html);
  assert.ok(match, "data block present");
  return JSON.parse(gunzipSync(Buffer.from(match[1]!, "base64")).toString("utf8"));
}

describe("chorus view --export", () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-view-export-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // long predictions make the records large and incompressible enough to exceed a small cap
  const noise = (i: number) => createHash("sha512").update(String(i)).digest("hex").repeat(8);
  writeEvalRun(join(dir, "r"), { methods: ["adacad"], items: 40, prediction: noise });

  it("embeds every summary and record, with a CSP that allows only its own inline script", async () => {
    const result = await exportHtml(openRuns([join(dir, "r")]), 15e6);
    assert.equal(result.kept, 40);
    assert.equal(result.dropped, "");
    const data = embedded(result.html);
    assert.equal(data.runs[0]!.rows.length, 40);
    assert.equal(Object.keys(data.records["r"]!).length, 40);
    assert.equal(JSON.parse(data.records["r"]![3]!).result.prediction, noise(3));
    const scripts = [...result.html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 1);
    const hash = createHash("sha256").update(scripts[0]!).digest("base64");
    assert.ok(result.html.includes(`script-src 'sha256-${hash}'`));
    assert.match(result.html, /connect-src 'none'/);
  });

  it("drops record details past --max-mb, keeps every row, and says what it dropped", async () => {
    const full = await exportHtml(openRuns([join(dir, "r")]), 15e6);
    const cap = Buffer.byteLength(full.html) - 4_000;
    const result = await exportHtml(openRuns([join(dir, "r")]), cap);
    assert.ok(Buffer.byteLength(result.html) <= cap);
    assert.ok(result.kept > 0 && result.kept < 40, String(result.kept));
    assert.match(
      result.dropped,
      new RegExp(`details of ${40 - result.kept} of 40 result lines were dropped`),
    );
    const data = embedded(result.html);
    assert.equal(data.runs[0]!.rows.length, 40);
    assert.equal(Object.keys(data.records["r"]!).length, result.kept);
    assert.equal(data.dropped, result.dropped);
    await assert.rejects(exportHtml(openRuns([join(dir, "r")]), 1000), /summaries alone take/);
  });
});
