"""chorus sandbox launcher.

Started by src/sandbox/sandbox.ts as `python3 -I -S launcher.py <config-json>` with fd 3 as a
result pipe. It creates fresh namespaces (network, mount, PID; plus a user namespace when not run
as root), forks a supervisor that is PID 1 of the new PID namespace, and that supervisor forks the
target with resource limits, an unprivileged uid and a private /tmp. The supervisor reports the
target's exit status and rusage as one JSON line on fd 3, then exits, which makes the kernel kill
everything left in the PID namespace (stray children, fork bombs).

Python is used (not a shell script around unshare/setpriv/prlimit) because one process can do
every step and read wait4's rusage, which no util-linux tool reports.
"""

import ctypes
import json
import os
import resource
import signal
import sys
import time

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_BIND = 4096
MS_REC = 16384
MS_MOVE = 8192
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24
RESULT_FD = 3
# Directories every user may write to on a Debian system; inside the sandbox they all show the
# private tmpfs, so nothing written there reaches the host.
SHARED_WRITABLE = ("/var/tmp", "/dev/shm", "/run/lock")

libc = ctypes.CDLL(None, use_errno=True)


def fail(message):
    os.write(RESULT_FD, (json.dumps({"launcherError": message}) + "\n").encode())
    os._exit(0)


def mount(source, target, fstype, flags, data):
    rc = libc.mount(
        None if source is None else source.encode(),
        target.encode(),
        None if fstype is None else fstype.encode(),
        ctypes.c_ulong(flags),
        None if data is None else data.encode(),
    )
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    cfg = json.loads(sys.argv[1])
    os.set_inheritable(RESULT_FD, False)
    root = os.geteuid() == 0
    iso = {
        "network": False,
        "pidNamespace": False,
        "mountNamespace": False,
        "userNamespace": False,
        "privateTmp": False,
        "uid": None,
        "processLimit": False,
        "note": None,
    }
    if cfg["namespaces"]:
        flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID
        if not root:
            flags |= CLONE_NEWUSER
        uid, gid = os.getuid(), os.getgid()
        if libc.unshare(flags) == 0:
            iso.update(network=True, pidNamespace=True, mountNamespace=True)
            if not root:
                iso["userNamespace"] = True
                write_file("/proc/self/setgroups", "deny")
                write_file("/proc/self/uid_map", f"0 {uid} 1")
                write_file("/proc/self/gid_map", f"0 {gid} 1")
        else:
            iso["note"] = f"unshare failed: {os.strerror(ctypes.get_errno())}"
            if cfg["requireIsolation"]:
                fail(f"cannot create namespaces ({iso['note']}) and isolation is required")
    supervisor_pid = os.fork()
    if supervisor_pid == 0:
        try:
            supervise(cfg, iso, root)
        except BaseException as error:  # the supervisor must always report
            fail(f"supervisor: {type(error).__name__}: {error}")
        os._exit(0)
    os.waitpid(supervisor_pid, 0)


def prepare_files(cfg, iso, root, uid, gid):
    """The target's working directory: a private tmpfs on /tmp when a mount namespace exists."""
    input_dir = cfg["inputDir"]
    if not iso["mountNamespace"]:
        if root:
            for name in [".", *os.listdir(input_dir)]:
                os.chown(os.path.join(input_dir, name), uid, gid)
        return input_dir
    files = {}
    for name in os.listdir(input_dir):
        with open(os.path.join(input_dir, name), "rb") as f:
            files[name] = f.read()
    mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    owner = f",uid={uid},gid={gid}" if root else ""
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={cfg['diskMb']}m,mode=0700{owner}")
    for name, data in files.items():
        path = os.path.join("/tmp", name)
        with open(path, "wb") as f:
            f.write(data)
        if root:
            os.chown(path, uid, gid)
    for path in SHARED_WRITABLE:
        if os.path.isdir(path):
            mount("/tmp", path, None, MS_BIND, None)
    for path in cfg["exposePaths"]:
        expose(path)
    if iso["pidNamespace"]:
        # a fresh /proc shows only the sandbox's own processes
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    iso["privateTmp"] = True
    return "/tmp"


def expose(path):
    """Makes a directory under a private one (e.g. a pyenv Python under /root) reachable.

    The top-most ancestor that others cannot enter is covered with an empty tmpfs that holds only
    `path`, bound at the same place, so absolute paths (RPATHs, sys.prefix) keep working and the
    rest of that private directory stays hidden.
    """
    parts = path.strip("/").split("/")
    hidden = None
    for i in range(1, len(parts)):
        ancestor = "/" + "/".join(parts[:i])
        if not os.stat(ancestor).st_mode & 0o001:
            hidden = ancestor
            break
    if hidden is None:
        return
    stage = "/tmp/.chorus-stage"
    os.mkdir(stage)
    mount(path, stage, None, MS_BIND | MS_REC, None)
    mount("tmpfs", hidden, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    os.makedirs(path, exist_ok=True)
    mount(stage, path, None, MS_MOVE, None)
    os.rmdir(stage)


def start_target(cfg, iso, root, uid, gid, cwd, error_pipe):
    limits = cfg["limits"]
    try:
        if iso["pidNamespace"]:
            os.setsid()
        else:
            os.setpgid(0, 0)
        cpu = limits["cpuSeconds"]
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (limits["addressSpaceBytes"],) * 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["fileSizeBytes"],) * 2)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits["openFiles"],) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # RLIMIT_NPROC is not enforced for the host's root: it holds after the switch to the run's
        # own uid below, or, without root, for uid 0 of the new user namespace (the kernel counts
        # processes per user namespace and that root has no capability in the host's)
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)
        # an empty capability bounding set: after execve even uid 0 of the user namespace holds
        # no capability, so it cannot unmount the private /tmp or reconfigure its namespaces
        for cap in range(64):
            libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
        if root:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        os.chdir(cwd)
        argv = cfg["argv"]
        os.execve(argv[0], argv, {**cfg["env"], "HOME": cwd, "TMPDIR": cwd})
    except BaseException as error:
        os.write(error_pipe, f"{type(error).__name__}: {error}".encode())
    os._exit(127)


def supervise(cfg, iso, root):
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    uid = gid = None
    if root:
        uid = gid = cfg["uid"]
        iso["uid"] = uid
    iso["processLimit"] = root or iso["userNamespace"]
    cwd = prepare_files(cfg, iso, root, uid, gid)
    read_end, write_end = os.pipe()
    started = time.monotonic()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        start_target(cfg, iso, root, uid, gid, cwd, write_end)
    os.close(write_end)
    exec_error = os.read(read_end, 4096).decode(errors="replace")
    os.close(read_end)

    def on_alarm(_signum, _frame):
        raise TimeoutError

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, cfg["timeoutMs"] / 1000)
    reaped = None
    timed_out = False
    try:
        while reaped is None:
            pid, status, usage = os.wait4(-1, 0)
            if pid == child:
                reaped = (status, usage)
        signal.setitimer(signal.ITIMER_REAL, 0)
    except TimeoutError:
        if reaped is None:
            timed_out = True
            kill_all(iso, child)
            _, status, usage = os.wait4(child, 0)
            reaped = (status, usage)
    wall_ms = (time.monotonic() - started) * 1000
    kill_all(iso, child)
    status, usage = reaped
    code = os.waitstatus_to_exitcode(status)
    result = {
        "exitCode": code if code >= 0 else None,
        "signal": signal.Signals(-code).name if code < 0 else None,
        "timedOut": timed_out,
        "wallMs": round(wall_ms, 3),
        "cpuMs": round((usage.ru_utime + usage.ru_stime) * 1000, 3),
        "peakMemoryKb": usage.ru_maxrss,
        "execError": exec_error or None,
        "isolation": iso,
    }
    os.write(RESULT_FD, (json.dumps(result) + "\n").encode())


def kill_all(iso, child):
    """Every process the target left behind: all of the PID namespace, else its process group."""
    try:
        if iso["pidNamespace"]:
            os.kill(-1, signal.SIGKILL)
        else:
            os.killpg(child, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    main()
