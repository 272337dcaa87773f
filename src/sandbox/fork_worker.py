"""One run in the fork server: a spare worker forked by zygote.py ahead of any request.

A spare moves into fresh namespaces at once and forks its supervisor (PID 1 of the new PID
namespace), which waits on the zygote's listening socket. The supervisor that accepts a
connection tells the zygote (so it forks the next spare), then serves that one run: everything
slow that does not depend on the request is done before node connects.

The connection carries, from node: one JSON config line (launcher.py's, with the program's
files instead of a host directory, plus `stdinBytes`, `inProcess` and `outputKillBytes`), then
the stdin bytes; to node: frames of a channel byte, a big-endian u32 length and the data.
Channel 0 is the worker's host pid, its process group (sent first, so node can kill the run
whatever follows), 1 and 2 the program's stdout and stderr, 3 the JSON report (launcher.py's,
plus `outputLimitHit`) or `{"launcherError": ...}`.
"""

import json
import os
import select
import shutil
import signal
import struct
import tempfile
import time

from isolation import (
    PR_SET_PDEATHSIG,
    become_supervisor,
    close_inherited_fds,
    enter_namespaces,
    kill_all,
    libc,
    limit_target,
    prepare_files,
    target_env,
    usage_report,
)
from frame_relay import CHUNK, PID, STDERR, STDOUT, Relay, send_frame, send_report

# after the program ended, how long output its killed strays left in the pipes is still read
DRAIN_S = 0.5


def fail(connection, message):
    try:
        send_report(connection, {"launcherError": message})
    except OSError:
        pass  # node is gone: nobody to tell
    os._exit(0)


def read_request(connection):
    data = b""
    while b"\n" not in data:
        chunk = connection.recv(CHUNK)
        if not chunk:
            raise EOFError("the request ended before its config line")
        data += chunk
    line, stdin = data.split(b"\n", 1)
    cfg = json.loads(line)
    while len(stdin) < cfg["stdinBytes"]:
        chunk = connection.recv(max(CHUNK, cfg["stdinBytes"] - len(stdin)))
        if not chunk:
            raise EOFError("the request ended inside its stdin bytes")
        stdin += chunk
    return cfg, stdin


def serve_as_spare(listener, zygote_alive, taken):
    """In a spare worker. Returns only in the process of a Python program that runs in this
    interpreter (what to run); every other process of the run ends here."""
    # its own process group: node's backstop and abort kill the worker and supervisor with it
    os.setpgid(0, 0)
    group = os.getpid()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    try:
        iso = enter_namespaces({"namespaces": True, "requireIsolation": False})
    except Exception as error:
        iso = None
        namespace_error = f"namespaces: {type(error).__name__}: {error}"
    supervisor = os.fork()
    if supervisor != 0:
        for fd in (listener.detach(), zygote_alive, taken):
            os.close(fd)
        os.waitpid(supervisor, 0)
        os._exit(0)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    connection = accept_one(listener, zygote_alive)
    os.write(taken, struct.pack("=i", group))
    os.close(taken)
    try:
        send_frame(connection, PID, str(group).encode())
        cfg, stdin = read_request(connection)
    except (OSError, EOFError, ValueError):
        # node went away or sent no valid request: nothing was started
        os._exit(1)
    if iso is None:
        fail(connection, namespace_error)
    if cfg["requireIsolation"] and iso["note"]:
        fail(connection, f"cannot create namespaces ({iso['note']}) and isolation is required")
    try:
        program = supervise(cfg, iso, connection, stdin)
    except BaseException as error:  # the supervisor must always report
        fail(connection, f"supervisor: {type(error).__name__}: {error}")
    if program is None:
        os._exit(0)
    return program


def accept_one(listener, zygote_alive):
    """Waits for a run; a spare ends when the zygote does (its end of zygote_alive closes)."""
    while True:
        readable, _, _ = select.select([listener, zygote_alive], [], [])
        if zygote_alive in readable:
            os._exit(0)
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            continue  # another spare took it
        os.close(listener.detach())
        os.close(zygote_alive)
        connection.setblocking(True)
        return connection


def supervise(cfg, iso, connection, stdin):
    """PID 1 of the run's namespace: starts the program and relays its output and report.
    Returns None, or in the program's own process what to run in this interpreter."""
    uid, gid = become_supervisor(cfg, iso)
    files = {name: text.encode() for name, text in cfg["files"].items()}
    if iso["mountNamespace"]:
        return start_and_relay(cfg, iso, connection, stdin, uid, gid, files, None)
    # no private /tmp: the program works in a host directory of its own, removed afterwards
    host_dir = tempfile.mkdtemp(prefix="chorus-sandbox-")
    supervisor = os.getpid()
    try:
        return start_and_relay(cfg, iso, connection, stdin, uid, gid, files, host_dir)
    finally:
        if os.getpid() == supervisor:  # not in the program's process, which returns here too
            shutil.rmtree(host_dir, ignore_errors=True)


def start_and_relay(cfg, iso, connection, stdin, uid, gid, files, host_dir):
    cwd = prepare_files(cfg, iso, uid, gid, files, host_dir)
    in_read, in_write = os.pipe()
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    error_read, error_write = os.pipe()
    started = time.monotonic()
    child = os.fork()
    if child == 0:
        try:
            for fd, target in ((in_read, 0), (out_write, 1), (err_write, 2)):
                os.dup2(fd, target)
            limit_target(cfg, iso, uid, gid, cwd)
            env = target_env(cfg, cwd)
            # the socket object lets go of its descriptor, so nothing closes a number the
            # program may reuse
            connection.detach()
            close_inherited_fds(error_write)
            if not cfg["inProcess"]:
                argv = cfg["argv"]
                os.execve(argv[0], argv, env)
            # closing the error pipe tells the supervisor the program started
            os.close(error_write)
            return {"cwd": cwd, "env": env, "argv": cfg["argv"]}
        except BaseException as error:
            os.write(error_write, f"{type(error).__name__}: {error}".encode())
        os._exit(127)
    for fd in (in_read, out_write, err_write, error_write):
        os.close(fd)
    exec_error = read_all(error_read).decode(errors="replace")
    relay = Relay(connection, {out_read: STDOUT, err_read: STDERR}, cfg["outputKillBytes"])
    try:
        status, usage, timed_out = relay.until_exit(child, in_write, stdin, started, cfg, iso)
        wall_ms = (time.monotonic() - started) * 1000
        kill_all(iso, child)
        relay.drain(time.monotonic() + DRAIN_S)
    except BaseException:
        kill_all(iso, child)
        raise
    report = usage_report(status, usage, wall_ms, timed_out, exec_error, iso)
    report["outputLimitHit"] = relay.output_limit_hit
    send_report(connection, report)
    return None


def read_all(fd):
    data = b""
    while chunk := os.read(fd, CHUNK):
        data += chunk
    os.close(fd)
    return data
