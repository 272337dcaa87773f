import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { ShippedModelRecord } from "../shipped-models.ts";
import { renderManifest } from "./manifest.ts";

test("an empty exposure bucket reads as a dash, not 0%, after its record went through JSON", () => {
  const record = JSON.parse(
    readFileSync(new URL("../../../models/atlas-1m.json", import.meta.url), "utf8"),
  ) as ShippedModelRecord & { checks: { knowledgeCurve: Array<Record<string, unknown>> } };
  const last = record.checks.knowledgeCurve.at(-1)!;
  // what JSON.stringify makes of an empty bucket's NaN accuracy
  Object.assign(last, JSON.parse(JSON.stringify({ n: 0, accuracy: Number.NaN })));
  const text = renderManifest([record]);
  assert.match(text, /200–∞: — \(n 0\)/);
  assert.doesNotMatch(text, /0\.0% \(n 0\)/);
});
