import assert from "node:assert/strict";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Sandbox } from "./sandbox.ts";

// The hostile battery: each attack must end contained, reported, and leave the host unchanged,
// both through the fork server (the default) and through one launcher per run.
// Limits are small so the battery stays quick on a shared 2-core machine.
const modes = ["fork-server", "launcher"] as const;
// the wall limit of attacks that end by themselves: far above their time, because through the
// launcher on the loaded 2-core box some took over 5 s
const patientMs = 20_000;

/** Processes on the host that run as `uid` (none may survive a run). */
async function processesOf(uid: number): Promise<number> {
  let count = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = await readFile(`/proc/${entry}/status`, "utf8");
      if (new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(status)) count++;
    } catch {
      // the process ended while we looked
    }
  }
  return count;
}

for (const mode of modes) {
  describe(`hostile battery (${mode})`, () => {
    const sandbox = new Sandbox({ concurrency: 2, forkServer: mode === "fork-server" });
    after(() => sandbox.close());

    test("an infinite loop ends at the wall-clock limit", async () => {
      const r = await sandbox.run({
        lang: "python",
        code: "while True:\n    pass\n",
        timeoutMs: 800,
      });
      assert.equal(r.status, "timeout");
      assert.equal(r.limit, "wall");
      assert.ok(r.wallMs < 3000, `wall ${r.wallMs}`);
    });

    test("a busy program ends at the CPU limit", async () => {
      const r = await sandbox.run({
        lang: "python",
        code: "while True:\n    pass\n",
        timeoutMs: 20_000,
        cpuSeconds: 1,
      });
      assert.equal(r.status, "timeout");
      assert.equal(r.limit, "cpu");
    });

    test("a fork bomb hits the process limit and leaves no process behind", async () => {
      const code = [
        "import os, time",
        "n = 0",
        "for _ in range(10000):",
        "    try:",
        "        if os.fork() == 0:",
        "            time.sleep(60)",
        "            os._exit(0)",
        "        n += 1",
        "    except OSError:",
        "        break",
        "print(n, flush=True)",
        "while True:",
        "    try:",
        "        os.fork()",
        "    except OSError:",
        "        pass",
      ].join("\n");
      const r = await sandbox.run({ lang: "python", code, timeoutMs: 1500, maxProcesses: 16 });
      assert.equal(r.status, "timeout");
      assert.ok(r.isolation?.processLimit, "the process limit is enforced on this host");
      const forked = Number(r.stdout.trim().split("\n")[0]);
      assert.ok(forked < 16, `forked ${forked} children with a limit of 16`);
      assert.equal(await processesOf(r.isolation!.uid!), 0);
    });

    test("a 10 GB allocation is refused as a memory error", async () => {
      const r = await sandbox.run({
        lang: "python",
        code: "x = bytearray(10 * 1024 ** 3)\nprint('allocated')\n",
        memoryMb: 256,
        timeoutMs: patientMs,
      });
      assert.equal(r.status, "memory");
      assert.ok(!r.stdout.includes("allocated"));
      assert.ok((r.peakMemoryKb ?? 0) < 256 * 1024);
    });

    test("growing memory step by step stops at the limit", async () => {
      const r = await sandbox.run({
        lang: "python",
        code: "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))\n",
        memoryMb: 200,
        timeoutMs: patientMs,
      });
      assert.equal(r.status, "memory");
    });

    describe("files outside the working directory", () => {
      let hostDir = "";
      before(async () => {
        hostDir = await mkdtemp(join(tmpdir(), "chorus-hostile-"));
        await chmod(hostDir, 0o777);
      });
      after(async () => {
        await rm(hostDir, { recursive: true, force: true });
      });

      test("cannot be written, and what it writes in /tmp is gone afterwards", async () => {
        const targets = [
          join(hostDir, "pwned"),
          "/var/tmp/chorus-pwned",
          "/dev/shm/chorus-pwned",
          "/run/lock/chorus-pwned",
          "/root/chorus-pwned",
          join(process.cwd(), "chorus-pwned"),
          "/etc/chorus-pwned",
        ];
        const code = [
          "import json, os",
          `targets = ${JSON.stringify(targets)}`,
          "out = {}",
          "for t in targets:",
          "    try:",
          "        with open(t, 'w') as f:",
          "            f.write('x')",
          "        out[t] = 'written'",
          "    except OSError as e:",
          "        out[t] = type(e).__name__",
          "open('local.txt', 'w').write('mine')",
          "out['local'] = open('local.txt').read()",
          "print(json.dumps(out))",
        ].join("\n");
        const r = await sandbox.run({ lang: "python", code, timeoutMs: patientMs });
        assert.equal(r.status, "pass", r.stderr);
        const out = JSON.parse(r.stdout) as Record<string, string>;
        assert.equal(out["local"], "mine");
        assert.deepEqual(await readdir(hostDir), []);
        for (const t of targets) {
          await assert.rejects(
            readFile(t),
            `${t} must not exist on the host (sandbox said ${out[t]})`,
          );
        }
      });
    });

    test("the parent's environment is not visible", async () => {
      process.env["CHORUS_HOSTILE_SECRET"] = "hunter2-sandbox-secret";
      try {
        const code = [
          "import os",
          "print(dict(os.environ))",
          "for p in ['/proc/1/environ', f'/proc/{os.getppid()}/environ', '/proc/self/environ']:",
          "    try:",
          "        print(open(p, 'rb').read())",
          "    except OSError as e:",
          "        print(p, e)",
          "import subprocess",
          "print(subprocess.run(['cat', '/proc/%d/environ' % 1], capture_output=True).stdout)",
        ].join("\n");
        const r = await sandbox.run({ lang: "python", code, timeoutMs: patientMs });
        assert.equal(r.status, "pass", r.stderr);
        assert.ok(!r.stdout.includes("hunter2"), r.stdout);
        assert.ok(!r.stderr.includes("hunter2"));
        const js = await sandbox.run({
          lang: "js",
          code: "console.log(JSON.stringify(process.env))",
          timeoutMs: patientMs,
        });
        assert.equal(js.status, "pass", js.stderr);
        assert.ok(!js.stdout.includes("hunter2"));
      } finally {
        delete process.env["CHORUS_HOSTILE_SECRET"];
      }
    });

    test("a socket to a server on the host's loopback cannot connect", async () => {
      let connections = 0;
      const server = createServer((socket) => {
        connections++;
        socket.end("hello");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as { port: number }).port;
      try {
        const code = [
          "import socket",
          "s = socket.socket()",
          "s.settimeout(2)",
          `s.connect(('127.0.0.1', ${port}))`,
          "print('connected', s.recv(10))",
        ].join("\n");
        const r = await sandbox.run({ lang: "python", code, timeoutMs: patientMs });
        assert.equal(r.status, "fail");
        assert.match(r.stderr, /OSError|ConnectionRefused|unreachable/i);
        assert.ok(r.isolation?.network);
        const js = await sandbox.run({
          lang: "js",
          code: `require("net").connect(${port}, "127.0.0.1").on("connect", () => console.log("connected")).on("error", (e) => { console.error(e.code); process.exit(3); });`,
          timeoutMs: patientMs,
        });
        assert.equal(js.status, "fail");
        assert.ok(!js.stdout.includes("connected"));
        assert.equal(connections, 0);
      } finally {
        server.close();
      }
    });

    test("huge output is capped and the program is stopped", async () => {
      const r = await sandbox.run({
        lang: "python",
        code: "while True:\n    print('x' * 1000)\n",
        timeoutMs: patientMs,
        outputLimitBytes: 4096,
        outputKillBytes: 1024 * 1024,
      });
      assert.equal(r.status, "error");
      assert.equal(r.limit, "output");
      assert.equal(r.stdout.length, 4096);
      assert.ok(r.stdoutTruncated);
    });

    test("no capabilities: cannot unmount its private /tmp or mount anything", async () => {
      const code = [
        "import ctypes, os",
        "libc = ctypes.CDLL(None, use_errno=True)",
        "print(libc.umount2(b'/tmp', 2), libc.mount(b'tmpfs', b'/mnt', b'tmpfs', 0, None))",
        "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])",
      ].join("\n");
      const r = await sandbox.run({ lang: "python", code, timeoutMs: patientMs });
      assert.equal(r.status, "pass", r.stderr);
      assert.equal(r.stdout, "-1 -1\n0000000000000000\n");
    });

    test("no descriptor of the sandbox reaches the program", async () => {
      const code = "import os\nprint(sorted(int(fd) for fd in os.listdir('/proc/self/fd')))";
      // in the fork server, a PYTHON* variable makes the program exec a new interpreter
      for (const env of [{}, { PYTHONFORCEEXEC: "1" }]) {
        const r = await sandbox.run({ lang: "python", code, env, timeoutMs: patientMs });
        assert.equal(r.status, "pass", r.stderr);
        // 0-2 and the descriptor listdir itself holds open
        assert.equal(r.stdout, "[0, 1, 2, 3]\n");
      }
    });

    if (mode === "fork-server")
      test("the fork server's socket cannot be reached from a program", async () => {
        const pid = await sandbox.forkServerPid();
        const argv = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
        const socketPath = argv.find((a) => a.endsWith("/socket"));
        assert.ok(socketPath, argv.join(" "));
        const code = [
          "import socket",
          "s = socket.socket(socket.AF_UNIX)",
          "try:",
          `    s.connect(${JSON.stringify(socketPath)})`,
          "    print('connected')",
          "except OSError as e:",
          "    print(type(e).__name__)",
        ].join("\n");
        const r = await sandbox.run({ lang: "python", code, timeoutMs: patientMs });
        assert.equal(r.status, "pass", r.stderr);
        assert.equal(r.stdout, "FileNotFoundError\n");
      });

    test("every run started the way this battery means", () => {
      assert.equal(sandbox.startMode, mode);
    });
  });
}
