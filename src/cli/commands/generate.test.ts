import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startOpenAITestServer } from "../../../test/support/openai-server.ts";
import { runChorus, runChorusInProcess } from "../../../test/support/run-chorus.ts";
import { plainText, streamsToTerminal } from "./generate.ts";

const bin = fileURLToPath(new URL("../../../bin/chorus.js", import.meta.url));
const stories = fileURLToPath(
  new URL("../../../../shared/models/stories260K.gguf", import.meta.url),
);
const llamaEngine = new URL("../../engines/llamacpp/index.ts", import.meta.url);

/** Runs the real CLI in a child process (async, so a server in this process keeps answering). */
const chorus = (args: string[], cwd?: string) => runChorus(args, cwd !== undefined ? { cwd } : {});

test("generate against an OpenAI-compatible server: n, logprobs, JSON lines, cache, run folder", async () => {
  const server = await startOpenAITestServer({ flavor: "vllm" });
  const dir = mkdtempSync(join(tmpdir(), "chorus-generate-"));
  try {
    const args = [
      "generate",
      ...["--base-url", server.url, "--model", "test-model", "--cache-dir", dir],
      ...["--n", "2", "--temperature", "0", "--logprobs", "2", "--json"],
    ];
    const first = await chorus([...args, "--out", join(dir, "run"), "What is 2+2?"]);
    assert.equal(first.code, 0, first.stderr);
    const samples = first.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.equal(samples.length, 2);
    assert.equal(samples[0].text, " echo 2+2? is what");
    assert.equal(samples[0].finishReason, "stop");
    assert.equal(samples[0].logprobs[0].top.length, 2);
    assert.equal(samples[0].cached, false);
    const events = readFileSync(join(dir, "run", "events.jsonl"), "utf8")
      .trim()
      .split("\n");
    assert.equal(JSON.parse(events[0]!).model, "test-model");
    const manifest = JSON.parse(readFileSync(join(dir, "run", "config.json"), "utf8"));
    assert.equal(manifest.models["test-model"].baseURL, server.url);

    const posts = server.requests.filter((r) => r.method === "POST").length;
    const again = await chorus([...args, "What is 2+2?"]);
    assert.equal(JSON.parse(again.stdout.split("\n")[0]!).cached, true);
    assert.equal(server.requests.filter((r) => r.method === "POST").length, posts);

    const plain = await chorus([
      ...["generate", "--base-url", server.url, "--model", "test-model", "--no-cache"],
      ...["--temperature", "0", "--system", "Be brief.", "Name a color"],
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^ echo color a name/);
    assert.equal(server.requests.at(-1)?.body.messages[0].content, "Be brief.");
  } finally {
    await server.close();
  }
});

const chorusInProcess = runChorusInProcess;

test("bad flags and bad config exit 2 with a one-line reason", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-generate-"));
  const config = join(dir, "chorus.config.json");
  writeFileSync(
    config,
    JSON.stringify({ models: { judge: { engine: "llamacpp", file: "j.gguf", threads: 2 } } }),
  );
  const badTypes = join(dir, "bad-types.json");
  writeFileSync(
    badTypes,
    JSON.stringify({ models: { judge: { engine: "llamacpp", file: "j.gguf", threads: "two" } } }),
  );
  const empty = join(dir, "empty.json");
  writeFileSync(empty, JSON.stringify({ models: {} }));
  const cases: Array<[string[], RegExp]> = [
    [["generate", "--model", "m.gguf", "--n", "x", "hi"], /'--n <k>' argument 'x' is invalid/],
    [["generate", "--model", "m.gguf", "--temperature", "-1", "hi"], /expected a number >= 0/],
    [["generate", "--bogus", "hi"], /unknown option '--bogus'/],
    [["generate", "hi"], /generate needs --model/],
    [["generate", "--raw", "--system", "s", "--model", "m.gguf", "hi"], /drop --raw or --system/],
    [
      ["generate", "--config", badTypes, "--model", "judge", "hi"],
      /models\.judge\.threads: expected number, got "two"/,
    ],
    [
      ["generate", "--config", config, "--model", "jduge", "hi"],
      /unknown model "jduge"; known models in .*chorus\.config\.json: judge;/,
    ],
    [
      ["generate", "--model", stories, "--lora", join(dir, "no.gguf"), "hi"],
      /LoRA adapter .*no\.gguf does not exist/,
    ],
    [
      ["generate", "--base-url", "http://127.0.0.1:1/v1", "--model", "m", "--lora", "a.gguf", "hi"],
      /--lora works with local GGUF models only/,
    ],
    [
      ["generate", "--config", empty, "--model", join(dir, "judge.gguf"), "hi"],
      /judge\.gguf" not found: it is not a file/,
    ],
  ];
  for (const [args, reason] of cases) {
    const result = await chorusInProcess(args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, reason);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
});

test("generate on a local GGUF (stories260K) continues a story greedily", {
  skip:
    !existsSync(llamaEngine) || !existsSync(stories) ? "llamacpp engine or model missing" : false,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-generate-"));
  const args = [
    "generate",
    "--model",
    stories,
    "--raw",
    "--temperature",
    "0",
    "--max-tokens",
    "24",
  ];
  const result = await chorus([...args, "--cache-dir", dir, "Once upon a time"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /there was a little (girl|boy)/, "TinyStories continues greedily");
});

test("streaming to a terminal: only one plain sample on a TTY; the rest printed after the stream", () => {
  assert.equal(streamsToTerminal({}, true), true);
  assert.equal(streamsToTerminal({ n: 1 }, true), true);
  assert.equal(streamsToTerminal({}, false), false, "a pipe or file gets the text at the end");
  assert.equal(streamsToTerminal({}, undefined), false);
  assert.equal(streamsToTerminal({ json: true }, true), false);
  assert.equal(streamsToTerminal({ n: 2 }, true), false, "samples would interleave");

  const usage = { inputTokens: 3, outputTokens: 4 };
  const one = { generations: [{ text: "Hello there", finishReason: "stop" as const }], usage };
  assert.equal(plainText(one), "Hello there\n");
  assert.equal(plainText(one, "Hello"), " there\n", "streamed text is not printed again");
  assert.equal(plainText(one, "Hello there"), "\n", "all streamed: only the newline");
  assert.equal(plainText(one, "Help"), "\nHello there\n", "not a prefix: the final text, whole");
  const withLogprobs = {
    generations: [
      {
        text: "Hi",
        finishReason: "stop" as const,
        logprobs: [{ token: "Hi", logprob: -0.5, top: [] }],
      },
    ],
    usage,
  };
  assert.equal(plainText(withLogprobs, "Hi"), '\n\n"Hi"\t-0.500\n');
});

const script = "/usr/bin/script";

test("generate on a pseudo-terminal streams once: same output as a pipe, fresh and cached", {
  skip:
    !existsSync(llamaEngine) || !existsSync(stories) || !existsSync(script)
      ? "llamacpp engine, model or script(1) missing"
      : false,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-generate-tty-"));
  const args = [
    ...["generate", "--model", stories, "--raw", "--temperature", "0", "--max-tokens", "24"],
    ...["--cache-dir", dir, "Once upon a time"],
  ];
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const inTerminal = () =>
    new Promise<{ code: number; stdout: string }>((resolve) => {
      const command = [process.execPath, bin, ...args].map(quote).join(" ");
      execFile(script, ["-qec", command, "/dev/null"], (error, stdout) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout: stdout.replaceAll("\r\n", "\n") });
      });
    });
  const streamed = await inTerminal(); // a cache miss: the engine streams the text
  const cached = await inTerminal(); // a cache hit: no deltas, the text printed at the end
  const piped = await chorus(args);
  assert.equal(streamed.code, 0, streamed.stdout);
  assert.match(piped.stdout, /^, there was a little (girl|boy)[^\n]*\n$/);
  assert.equal(streamed.stdout, piped.stdout, "no text twice, no progress line over the text");
  assert.equal(cached.stdout, piped.stdout);
});
