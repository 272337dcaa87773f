import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";

const chorus = runChorus;

test("chorus sandbox run prints the result as JSON; exit 1 on failure, 2 on bad usage", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-sandbox-cli-"));
  try {
    writeFileSync(join(dir, "echo.py"), "import sys\nprint(sys.stdin.read().strip()[::-1])\n");
    writeFileSync(join(dir, "in.txt"), "abc\n");
    writeFileSync(join(dir, "loop.js"), "while (true) {}\n");
    const ok = await chorus([
      "sandbox",
      "run",
      "--lang",
      "python",
      join(dir, "echo.py"),
      "--stdin",
      join(dir, "in.txt"),
      "--timeout",
      "5",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const result = JSON.parse(ok.stdout) as { status: string; stdout: string; isolation: unknown };
    assert.equal(result.status, "pass");
    assert.equal(result.stdout, "cba\n");
    const loop = await chorus([
      "sandbox",
      "run",
      "--lang",
      "js",
      join(dir, "loop.js"),
      "--timeout",
      "1",
    ]);
    assert.equal(loop.code, 1);
    assert.equal((JSON.parse(loop.stdout) as { status: string }).status, "timeout");
    const bad = await chorus(["sandbox", "run", "--lang", "ruby", join(dir, "echo.py")]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--lang must be "python" or "js"/);
    const missing = await chorus(["sandbox", "run", "--lang", "python", join(dir, "nope.py")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read program file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
