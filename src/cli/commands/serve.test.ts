import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../../bin/chorus.js", import.meta.url));
const stories = fileURLToPath(
  new URL("../../../../shared/models/stories260K.gguf", import.meta.url),
);

test("chorus serve runs until SIGTERM and answers OpenAI requests with a bearer key", async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), "chorus-serve-cli-"));
  const child = spawn(
    process.execPath,
    [
      bin,
      "serve",
      "--model",
      `stories=${stories}`,
      "--port",
      "0",
      "--api-key",
      "k",
      "--cache-dir",
      cacheDir,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const match =
          /listening on (http:\/\/127\.0\.0\.1:\d+\/v1) \(models: stories; API key required\)/.exec(
            stderr,
          );
        if (match) resolve(match[1]!);
      });
      child.on("exit", () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const headers = { authorization: "Bearer k", "content-type": "application/json" };
    const models = (await (await fetch(`${url}/models`, { headers })).json()) as {
      data: Array<{ id: string }>;
    };
    assert.deepEqual(
      models.data.map((m) => m.id),
      ["stories"],
    );
    const response = await fetch(`${url}/completions`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        model: "stories",
        prompt: "Once upon a time",
        max_tokens: 8,
        temperature: 0,
      }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { choices: Array<{ text: string }> };
    assert.ok(body.choices[0]!.text.length > 0);
    assert.equal((await fetch(`${url}/models`)).status, 401);
    assert.match(stderr, /POST \/v1\/completions 200 \d+ms/);
  } finally {
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
    await rm(cacheDir, { recursive: true, force: true });
  }
  assert.match(stderr, /shutting down/);
});

test("chorus serve without models is a usage error (exit 2)", async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), "chorus-serve-cli-"));
  const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, "serve", "--cache-dir", cacheDir],
      { cwd: cacheDir },
      (error, _out, stderr) =>
        resolve({ code: error && typeof error.code === "number" ? error.code : 0, stderr }),
    );
  });
  await rm(cacheDir, { recursive: true, force: true });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /serve needs at least one model/);
});
