"""Isolation steps shared by both ways a sandboxed run starts.

launcher.py (one launcher process per run) and zygote.py (the fork server: one forked worker per
run) both create fresh namespaces, give the program a private /tmp and limit it the same way, with
these functions. Each step is explained in docs/sandbox.md ("How a run is isolated").
"""

import ctypes
import os
import resource
import signal

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
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
# above any descriptor number a process here holds (close_range makes the span free)
MAX_FD = 1 << 20
# Directories every user may write to on a Debian system; inside the sandbox they all show the
# private tmpfs, so nothing written there reaches the host.
SHARED_WRITABLE = ("/var/tmp", "/dev/shm", "/run/lock")

libc = ctypes.CDLL(None, use_errno=True)
# read once, at start: inside the user namespace made without root, the caller is uid 0 too
HOST_ROOT = os.geteuid() == 0


class IsolationRequired(Exception):
    """Namespaces cannot be created and the caller asked for isolation."""


class CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


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


def enter_namespaces(cfg):
    """Moves this process into fresh namespaces; returns what could be isolated (the report's
    `isolation`). The next fork is PID 1 of the new PID namespace."""
    root = HOST_ROOT
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
    if not cfg["namespaces"]:
        return iso
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
            raise IsolationRequired(
                f"cannot create namespaces ({iso['note']}) and isolation is required"
            )
    return iso


def become_supervisor(cfg, iso):
    """In the supervisor (PID 1 of the namespace): ties it to its parent and picks the run's
    uid and gid (None: keep the caller's)."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    root = HOST_ROOT
    iso["processLimit"] = root or iso["userNamespace"]
    if not root:
        return None, None
    iso["uid"] = cfg["uid"]
    return cfg["uid"], cfg["uid"]


def read_files(directory):
    files = {}
    for name in os.listdir(directory):
        with open(os.path.join(directory, name), "rb") as f:
            files[name] = f.read()
    return files


def prepare_files(cfg, iso, uid, gid, files, host_dir):
    """The target's working directory holding `files` (name -> bytes): a private tmpfs on /tmp
    when a mount namespace exists, else `host_dir`."""
    root = HOST_ROOT
    if not iso["mountNamespace"]:
        write_files(host_dir, files, uid, gid)
        if root:
            os.chown(host_dir, uid, gid)
        return host_dir
    mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    owner = f",uid={uid},gid={gid}" if root else ""
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={cfg['diskMb']}m,mode=0700{owner}")
    write_files("/tmp", files, uid, gid)
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


def write_files(directory, files, uid, gid):
    for name, data in files.items():
        path = os.path.join(directory, name)
        with open(path, "wb") as f:
            f.write(data)
        if uid is not None:
            os.chown(path, uid, gid)


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


def limit_target(cfg, iso, uid, gid, cwd):
    """In the target before it runs the program: limits, the run's uid, no capabilities."""
    limits = cfg["limits"]
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
    if uid is not None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    drop_capabilities()
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.chdir(cwd)


def drop_capabilities():
    """Empties the effective, permitted and inheritable sets now, not at execve: a Python program
    run by the fork server never execs, and uid 0 of a user namespace would keep them."""
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    if libc.capset(ctypes.byref(header), (CapData * 2)()) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")


def close_inherited_fds(keep):
    """Closes every descriptor above stdio but `keep` (the error pipe, closed by execve): one
    this process inherited without close-on-exec (from node or whatever started node) would
    otherwise reach the program."""
    os.closerange(3, keep)
    os.closerange(keep + 1, MAX_FD)


def target_env(cfg, cwd):
    return {**cfg["env"], "HOME": cwd, "TMPDIR": cwd}


def usage_report(status, usage, wall_ms, timed_out, exec_error, iso):
    """The report node reads (LauncherReport in sandbox-result.ts)."""
    code = os.waitstatus_to_exitcode(status)
    return {
        "exitCode": code if code >= 0 else None,
        "signal": signal.Signals(-code).name if code < 0 else None,
        "timedOut": timed_out,
        "wallMs": round(wall_ms, 3),
        "cpuMs": round((usage.ru_utime + usage.ru_stime) * 1000, 3),
        "peakMemoryKb": usage.ru_maxrss,
        "execError": exec_error or None,
        "isolation": iso,
    }


def kill_all(iso, child):
    """Every process the target left behind: all of the PID namespace, else its process group."""
    try:
        if iso["pidNamespace"]:
            os.kill(-1, signal.SIGKILL)
        else:
            os.killpg(child, signal.SIGKILL)
    except ProcessLookupError:
        pass
