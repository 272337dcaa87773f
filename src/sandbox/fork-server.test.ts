import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, describe, test } from "node:test";
import { FrameReader } from "./fork-frames.ts";
import { Sandbox } from "./sandbox.ts";

// What a Python program can observe of the interpreter and process it runs in. Run in a fork of
// the zygote it must read the same as in a fresh `python3 -s -B main.py`, and the same before and
// after another program changed everything it could.
const fingerprint = `
import builtins, gc, json, os, resource, signal, sys, threading, warnings
main_names = sorted(globals())
env = dict(os.environ)
env.pop("PYTHONFORCEEXEC", None)
limits = [resource.getrlimit(getattr(resource, n)) for n in
          ("RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_CORE")]
print(json.dumps({
    "argv": sys.argv, "orig_argv": sys.orig_argv, "path": sys.path, "file": __file__,
    "name": __name__, "main": main_names, "modules": sorted(sys.modules),
    "importer_cache": sorted(k for k in sys.path_importer_cache if not k.startswith(sys.prefix)),
    "builtins": sorted(dir(builtins)), "json": sorted(dir(json)), "env": env,
    "tmp": sorted(os.listdir("/tmp")), "cwd": os.getcwd(), "limits": limits,
    "umask": os.umask(0o22), "recursion": sys.getrecursionlimit(), "gc": gc.isenabled(),
    "switch": sys.getswitchinterval(), "warnings": [str(f) for f in warnings.filters],
    "signals": [str(signal.getsignal(s)) for s in
                (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD, signal.SIGXFSZ)],
    "hooks": [sys.excepthook is sys.__excepthook__, sys.displayhook is sys.__displayhook__],
    "threads": threading.active_count(), "flags": str(sys.flags),
    "stdio": [sys.stdin.encoding, sys.stdout.encoding, sys.stdout.line_buffering,
              sys.stdin.seekable(), sys.stdout.isatty()],
    "caps": open("/proc/self/status").read().split("CapEff:")[1].split()[0],
}))
`;

const polluter = `
import builtins, gc, json, os, random, resource, signal, sys, threading, time, warnings
builtins.leaked = 1
json.leaked = 2
sys.modules["leaked_module"] = json
os.environ["LEAKED"] = "1"
open("/tmp/leaked.txt", "w").write("x")
os.chdir("/")
resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))
random.seed(42)
sys.path.append("/leaked")
sys.setrecursionlimit(50)
gc.disable()
signal.signal(signal.SIGTERM, signal.SIG_IGN)
os.umask(0o77)
sys.setswitchinterval(0.5)
warnings.simplefilter("error")
sys.excepthook = print
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
print("polluted")
`;

const randomValue = "import random\nprint(random.random())";

describe("fork server", () => {
  const sandbox = new Sandbox({ concurrency: 2 });
  after(() => sandbox.close());
  const run = (code: string, env: Record<string, string> = {}, stdin?: string) =>
    sandbox.run({ lang: "python", code, env, timeoutMs: 10_000, ...(stdin ? { stdin } : {}) });

  test("no state carries from one run to the next", async () => {
    const before = await run(fingerprint);
    assert.equal(before.status, "pass", before.stderr);
    const firstRandom = await run(randomValue);
    const polluted = await run(polluter);
    assert.equal(polluted.stdout, "polluted\n", polluted.stderr);
    const afterwards = await run(fingerprint);
    assert.equal(afterwards.status, "pass", afterwards.stderr);
    assert.deepEqual(JSON.parse(afterwards.stdout), JSON.parse(before.stdout));
    const state = JSON.parse(afterwards.stdout) as Record<string, unknown>;
    assert.deepEqual(state["tmp"], ["main.py"]);
    assert.equal(state["cwd"], "/tmp");
    assert.equal(state["recursion"], 1000);
    const secondRandom = await run(randomValue);
    // each run's `random` is seeded afresh: not the polluter's seed, not the previous run's state
    assert.notEqual(secondRandom.stdout, firstRandom.stdout);
    assert.notEqual(Number(secondRandom.stdout), 0.6394267984578837);
    assert.equal(sandbox.startMode, "fork-server");
  });

  test("a program in the forked interpreter sees what a fresh interpreter shows it", async () => {
    // any PYTHON* variable makes the worker exec a new interpreter instead
    const [forked, fresh] = await Promise.all([
      run(fingerprint),
      run(fingerprint, { PYTHONFORCEEXEC: "1" }),
    ]);
    assert.equal(forked.status, "pass", forked.stderr);
    assert.equal(fresh.status, "pass", fresh.stderr);
    assert.deepEqual(JSON.parse(forked.stdout), JSON.parse(fresh.stdout));
  });

  test("exit, output and error behaviour match a fresh interpreter", async () => {
    const programs = [
      "import atexit\natexit.register(print, 'bye')\nprint('hi')",
      "import threading, time\nthreading.Thread(target=lambda: (time.sleep(0.2), print('thread'))).start()",
      "out = open(1, 'w', closefd=False)\nout.write('left in a buffer')",
      "import sys\nsys.exit(3)",
      "raise SystemExit('a message')",
      "raise KeyboardInterrupt",
      "def f(:\n    pass",
      "def f():\n    return 1 / 0\nf()",
      "import sys\nsys.stdout.write(input().upper())\nsys.stderr.write('e')",
      "import os\nprint(os.getcwd(), __name__, __file__, __doc__)",
    ];
    const view = (r: Awaited<ReturnType<typeof run>>) => ({
      status: r.status,
      exitCode: r.exitCode,
      signal: r.signal,
      stdout: r.stdout,
      stderr: r.stderr,
    });
    for (const code of programs) {
      const forked = await run(code, {}, "from stdin\n");
      const fresh = await run(code, { PYTHONFORCEEXEC: "1" }, "from stdin\n");
      assert.deepEqual(view(forked), view(fresh), code);
    }
  });

  test("stdin and output larger than a pipe's buffer pass through whole", async () => {
    const stdin = "x".repeat(1 << 20);
    const code = [
      "import sys",
      "data = sys.stdin.read()",
      "for i in range(200):",
      "    sys.stdout.write('o' * 1000)",
      "    sys.stderr.write('e' * 1000)",
      "print(len(data))",
    ].join("\n");
    const r = await sandbox.run({
      lang: "python",
      code,
      stdin,
      timeoutMs: 10_000,
      outputLimitBytes: 1 << 20,
    });
    assert.equal(r.status, "pass", r.stderr.slice(-300));
    assert.equal(r.stdout, `${"o".repeat(200_000)}${1 << 20}\n`);
    assert.equal(r.stderrBytes, 200_000);
  });

  test("an aborted run ends promptly as an error", async () => {
    const controller = new AbortController();
    const started = performance.now();
    const pending = sandbox.run({
      lang: "python",
      code: "import time\ntime.sleep(30)",
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 500);
    const r = await pending;
    assert.equal(r.status, "error");
    assert.ok(performance.now() - started < 20_000);
  });
});

describe("fork server failures", () => {
  test("a zygote that dies is replaced, and runs in flight finish", async () => {
    const sandbox = new Sandbox({ concurrency: 2 });
    after(() => sandbox.close());
    const first = await sandbox.forkServerPid();
    const inFlight = sandbox.run({
      lang: "python",
      code: "import time\ntime.sleep(1)\nprint('done')",
      timeoutMs: 10_000,
    });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(first!, "SIGKILL");
    assert.equal((await inFlight).stdout, "done\n");
    await waitUntil(async () => !(await alive(first!)));
    const next = await sandbox.run({ lang: "python", code: "print('after')" });
    assert.equal(next.stdout, "after\n", next.reason);
    const second = await sandbox.forkServerPid();
    assert.notEqual(second, first);
    assert.equal(sandbox.startMode, "fork-server");
  });

  test("a zygote that hangs is killed and replaced; the run is retried", async () => {
    const sandbox = new Sandbox({ concurrency: 1, forkServer: { answerTimeoutMs: 1000 } });
    after(() => sandbox.close());
    const first = await sandbox.forkServerPid();
    process.kill(first!, "SIGSTOP");
    // the spare forked before the hang takes this run; the stopped zygote makes no other
    const served = await sandbox.run({ lang: "python", code: "print('spare')" });
    assert.equal(served.stdout, "spare\n", served.reason);
    assert.equal(await sandbox.forkServerPid(), first);
    const r = await sandbox.run({ lang: "python", code: "print('retried')" });
    assert.equal(r.stdout, "retried\n", r.reason);
    assert.notEqual(await sandbox.forkServerPid(), first);
    await waitUntil(async () => !(await alive(first!)));
  });

  test("a zygote that cannot start leaves runs to the launcher, with a warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      const sandbox = new Sandbox({ concurrency: 1, forkServer: { startTimeoutMs: 1 } });
      const r = await sandbox.run({ lang: "python", code: "print('launcher')" });
      assert.equal(r.stdout, "launcher\n", r.reason);
      assert.equal(sandbox.startMode, "launcher");
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(
        warnings.some((w) => /fork server cannot start/.test(w)),
        warnings.join("\n"),
      );
    } finally {
      process.off("warning", onWarning);
    }
  });

  test("the switch back: forkServer false or CHORUS_SANDBOX_FORK_SERVER=0", async () => {
    assert.equal(new Sandbox({ forkServer: false }).startMode, "launcher");
    process.env["CHORUS_SANDBOX_FORK_SERVER"] = "0";
    try {
      const sandbox = new Sandbox();
      assert.equal(sandbox.startMode, "launcher");
      assert.equal(await sandbox.forkServerPid(), undefined);
      assert.equal((await sandbox.run({ lang: "python", code: "print(1)" })).stdout, "1\n");
    } finally {
      delete process.env["CHORUS_SANDBOX_FORK_SERVER"];
    }
    assert.equal(new Sandbox().startMode, "fork-server");
  });
});

test("FrameReader reassembles frames cut anywhere", () => {
  const frames: Array<[number, string]> = [];
  const reader = new FrameReader((channel, data) => frames.push([channel, data.toString()]));
  const frame = (channel: number, text: string) => {
    const data = Buffer.from(text);
    const header = Buffer.alloc(5);
    header.writeUInt8(channel, 0);
    header.writeUInt32BE(data.length, 1);
    return Buffer.concat([header, data]);
  };
  const bytes = Buffer.concat([frame(0, "123"), frame(1, ""), frame(2, "é".repeat(40))]);
  for (let i = 0; i < bytes.length; i += 3) reader.push(bytes.subarray(i, i + 3));
  assert.deepEqual(frames, [
    [0, "123"],
    [1, ""],
    [2, "é".repeat(40)],
  ]);
  assert.equal(reader.pendingBytes, 0);
});

async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
