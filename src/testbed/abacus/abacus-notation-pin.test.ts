import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { abacusConfig, abacusVariants } from "./abacus-config.ts";
import { abacusCorpus } from "./abacus-corpus.ts";
import { abacusItems } from "./abacus-eval.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Hashes taken on the code before the notation switch existed (commit 62e3f6b): the default
 * (msb-first) world must stay byte for byte what abacus-1m was trained and checked on.
 */
test("the default notation leaves the smoke corpus and the eval items byte-identical", () => {
  let corpus = "";
  let n = 0;
  for (const d of abacusCorpus(abacusConfig(abacusVariants.smoke!.config))) {
    corpus += `${d.skills.join(",")}\t${d.text}\n`;
    if (++n >= 2000) break;
  }
  assert.equal(sha(corpus), "9f2999d5573fb26aa85258b843c0dad50e878d5a7f55979efcf075698761f843");
  assert.equal(
    sha(JSON.stringify(abacusItems(1, 25))),
    "3fb546b78ee2b32e04c30967f483c2cf0c4b7906d9b1c09f7c9edab73cab7528",
  );
  const easy = abacusConfig(abacusVariants["magicore-null"]!.config);
  assert.equal(
    sha(JSON.stringify(abacusItems(1, 10, easy.chain))),
    "122ae367165e597721aad5b51fd9e6d0f04c0d3d7769c23a416ce94693773ce6",
  );
});
