import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parquetWriteBuffer } from "hyparquet-writer";
import { runChorus } from "../../../test/support/run-chorus.ts";

test("chorus data list, pull and an offline eval against a local hub, with no mirror", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chorus-data-cli-"));
  const parquet = Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: "question", data: ["What is 9 + 9?"], type: "STRING" },
        { name: "answer", data: ["9 + 9 = 18\n#### 18"], type: "STRING" },
      ],
    }),
  );
  const sha = createHash("sha256").update(parquet).digest("hex");
  const server = createServer((req, res) => {
    if (req.url === "/datasets/openai/gsm8k/resolve/main/main/test-00000-of-00001.parquet")
      res.writeHead(200, { "content-length": parquet.length, etag: `"${sha}"` }).end(parquet);
    else res.writeHead(404).end();
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const env = {
    HF_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    CHORUS_HF_ENDPOINT: "",
    CHORUS_CACHE_DIR: join(dir, "cache"),
    CHORUS_DATA_MIRROR: "",
  };
  const chorus = (args: string[]) => runChorus(args, { env });
  try {
    const before = await chorus(["data", "list"]);
    assert.equal(before.code, 0, before.stderr);
    const line = (name: string, text: string) =>
      text.split("\n").find((l) => l.startsWith(`${name} `)) ?? "";
    assert.match(
      line("gsm8k", before.stdout),
      /hf:openai\/gsm8k\s+not cached \(chorus data pull gsm8k\)$/,
    );
    assert.match(line("gpqa", before.stdout), /hf:Idavidrein\/gpqa\s+.*gated: needs HF_TOKEN$/);
    assert.match(line("xsum", before.stdout), /mirror only\s+not here$/);

    const offline = await chorus([
      "eval",
      "cot",
      "--dataset",
      "gsm8k",
      "--offline",
      "--model",
      "m.gguf",
    ]);
    assert.notEqual(offline.code, 0);
    assert.match(offline.stderr, /run `chorus data pull gsm8k`/);

    const pulled = await chorus(["data", "pull", "gsm8k"]);
    assert.equal(pulled.code, 0, pulled.stderr);
    const path = join(
      dir,
      "cache",
      "datasets",
      "openai",
      "gsm8k",
      "main",
      "test-00000-of-00001.parquet",
    );
    assert.equal(pulled.stdout, `gsm8k: ${path} (hub)\n`);
    assert.equal(
      pulled.stderr,
      "gsm8k: downloading main/test-00000-of-00001.parquet from hf:openai/gsm8k@main\n",
    );
    const after = await chorus(["data", "list", "--json"]);
    const gsm8k = after.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { name: string; state: string })
      .find((s) => s.name === "gsm8k");
    assert.equal(gsm8k?.state, "cached");

    const help = await chorus(["data", "--help"]);
    assert.match(help.stdout, /\$ chorus data pull gsm8k/);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
