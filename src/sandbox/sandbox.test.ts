import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../model/errors.ts";
import { ConcurrencyGate } from "./concurrency-gate.ts";
import { Sandbox } from "./sandbox.ts";

const sandbox = new Sandbox({ concurrency: 2 });

describe("sandbox classification", () => {
  test("python: pass, assertion failure, exception, syntax error, runtime SyntaxError", async () => {
    const runs = await Promise.all(
      [
        "assert sum([1, 2]) == 3\nprint('ok')",
        "assert sum([1, 2]) == 4, 'wrong sum'",
        "def f(x):\n    return x[3]\nf([])",
        "def f(x)\n    return x",
        "eval('1 +')",
        "import sys\nsys.exit(3)",
      ].map((code) => sandbox.run({ lang: "python", code, timeoutMs: 5000 })),
    );
    assert.deepEqual(
      runs.map((r) => r.status),
      ["pass", "fail", "fail", "error", "fail", "fail"],
    );
    assert.equal(runs[0]!.stdout, "ok\n");
    assert.match(runs[1]!.stderr, /AssertionError: wrong sum/);
    assert.equal(runs[5]!.exitCode, 3);
  });

  test("js: pass, assertion failure, syntax error, runtime SyntaxError", async () => {
    const runs = await Promise.all(
      [
        "console.log([1, 2].reduce((a, b) => a + b))",
        "require('node:assert').strictEqual(1 + 1, 3)",
        "function f( {",
        "JSON.parse('{')",
      ].map((code) => sandbox.run({ lang: "js", code, timeoutMs: 5000 })),
    );
    assert.deepEqual(
      runs.map((r) => r.status),
      ["pass", "fail", "error", "fail"],
    );
    assert.equal(runs[0]!.stdout, "3\n");
  });

  test("stdin, extra files and resource figures are reported", async () => {
    const r = await sandbox.run({
      lang: "python",
      code: "import sys\nprint(sys.stdin.read().upper() + open('data.txt').read())",
      stdin: "abc",
      files: { "data.txt": "def" },
      timeoutMs: 5000,
    });
    assert.equal(r.status, "pass", r.stderr);
    assert.equal(r.stdout, "ABCdef\n");
    assert.ok(r.cpuMs !== null && r.cpuMs > 0);
    assert.ok(r.peakMemoryKb !== null && r.peakMemoryKb > 1000);
    assert.ok(r.totalMs >= r.wallMs);
  });

  test("bad options are a ConfigError naming the field", async () => {
    await assert.rejects(sandbox.run({ lang: "python", code: "", timeoutMs: -1 }), ConfigError);
    await assert.rejects(
      sandbox.run({ lang: "python", code: "", files: { "../x": "" } }),
      /plain name/,
    );
    await assert.rejects(
      sandbox.run({ lang: "ruby" as "python", code: "" }),
      /must be "python" or "js"/,
    );
  });
});

test("ConcurrencyGate never runs more than its limit", async () => {
  const gate = new ConcurrencyGate(2);
  let active = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: 8 }, () =>
      gate.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
      }),
    ),
  );
  assert.equal(peak, 2);
});

test("parallel runs do not see each other's files", async () => {
  const code = (n: number) =>
    `import os, time\nopen('/tmp/shared.txt', 'w').write('${n}')\ntime.sleep(0.2)\nprint(open('/tmp/shared.txt').read(), sorted(os.listdir('/tmp')))`;
  const runs = await Promise.all(
    [1, 2, 3, 4].map((n) => sandbox.run({ lang: "python", code: code(n), timeoutMs: 5000 })),
  );
  assert.deepEqual(
    runs.map((r) => r.stdout.trim()),
    [1, 2, 3, 4].map((n) => `${n} ['main.py', 'shared.txt']`),
  );
});
