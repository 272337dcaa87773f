import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";
import { writeRandomModel } from "../../gguf/random-model.ts";

const chorus = (args: string[], env: Record<string, string>) => runChorus(args, { env });

test("chorus models pull, list and info against a local hub", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chorus-models-cli-"));
  const source = join(dir, "source.gguf");
  await writeRandomModel(source, { preset: "tiny", architecture: "qwen2", type: "Q8_0" });
  const bytes = await readFile(source);
  const sha = createHash("sha256").update(bytes).digest("hex");
  const server = createServer((req, res) => {
    if (req.url === "/me/tiny-GGUF/resolve/main/tiny-Q8_0.gguf") {
      res.writeHead(200, { "content-length": bytes.length, etag: `"${sha}"` }).end(bytes);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const env = {
    CHORUS_HF_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    CHORUS_CACHE_DIR: join(dir, "cache"),
  };
  try {
    const pulled = await chorus(["models", "pull", "hf:me/tiny-GGUF/tiny-Q8_0.gguf"], env);
    assert.equal(pulled.code, 0, pulled.stderr);
    const path = join(dir, "cache", "models", "me", "tiny-GGUF", "tiny-Q8_0.gguf");
    assert.equal(pulled.stdout, `${path}\n`);
    assert.equal(pulled.stderr, "", "no progress line when stderr is not a terminal");

    const listed = await chorus(["models", "list", "--json"], env);
    assert.deepEqual(JSON.parse(listed.stdout), {
      name: "me/tiny-GGUF/tiny-Q8_0.gguf",
      path,
      bytes: bytes.length,
    });

    const info = await chorus(["models", "info", "tiny-Q8_0", "--json"], env);
    assert.equal(info.code, 0, info.stderr);
    const summary = JSON.parse(info.stdout);
    assert.equal(summary.architecture, "qwen2");
    assert.equal(summary.hparams.embedding_length, 64);
    assert.equal(summary.hparams["attention.layer_norm_rms_epsilon"], 1e-5);
    assert.equal(summary.vocabSize, 512);
    assert.equal(summary.tensorTypes.Q8_0, 2 * 7 + 2);

    const bad = await chorus(["models", "pull", "hf:me/tiny-GGUF/other.gguf"], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^chorus: download of .* failed: HTTP 404; check the owner/);
    const usage = await chorus(["models", "pull", "./local.gguf"], env);
    assert.equal(usage.code, 2);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
