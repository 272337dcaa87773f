import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { main } from "../../cli/main.ts";
import { sharedFile } from "../../evals/shared-dir.ts";

const stories = sharedFile("models", "stories260K.gguf");
const random = sharedFile("models", "llama-2-tiny-random.gguf");

describe("chorus moe profile + eval symbolic-moe on two real GGUFs", {
  skip: stories && random ? false : "shared/models not found",
}, () => {
  it("profiles on validation, saves, reuses the profile on mmlu-pro --limit 3, writes the report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-moe-e2e-"));
    const common = ["--model", stories!, "--model", random!, "--cache-dir", join(dir, "cache")];
    const small = [
      "--set",
      "maxTokens=8",
      "--set",
      "keywordMaxTokens=8",
      "--set",
      "keywordSamples=2",
    ];
    const profilePath = join(dir, "moe.json");
    assert.equal(
      await main([
        "moe",
        "profile",
        "--dataset",
        "mmlu-pro",
        "--limit",
        "2",
        ...common,
        ...small,
        "--save",
        profilePath,
        "--json",
      ]),
      0,
    );
    const profile = JSON.parse(readFileSync(profilePath, "utf8"));
    assert.deepEqual(profile.models, [stories, random]);
    assert.ok(profile.models.includes(profile.aggregator));
    const out = join(dir, "run");
    const code = await main([
      "eval",
      "symbolic-moe",
      "--dataset",
      "mmlu-pro",
      "--limit",
      "3",
      ...common,
      ...small,
      "--set",
      `profiles=${profilePath}`,
      "--out",
      out,
      "--json",
    ]);
    assert.equal(code, 0);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    assert.equal(report.items, 3);
    const results = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).result);
    assert.equal(results.length, 3);
    for (const r of results) {
      assert.equal(r.details.experts.length, 3);
      assert.ok(r.details.experts.every((e: string) => e === stories || e === random));
      // keyword annotation, three experts and the aggregator, all charged to the item
      assert.equal(r.usage.calls, 5);
    }
  });
});
