"""chorus sandbox launcher: one launcher process per run (the path without the fork server).

Started by src/sandbox/launch-process.ts as `python3 -I -S launcher.py <config-json>` with fd 3
as a result pipe. It creates fresh namespaces (network, mount, PID; plus a user namespace when not
run as root), forks a supervisor that is PID 1 of the new PID namespace, and that supervisor forks
the target with resource limits, an unprivileged uid and a private /tmp (isolation.py). The
supervisor reports the target's exit status and rusage as one JSON line on fd 3, then exits,
which makes the kernel kill everything left in the PID namespace (stray children, fork bombs).

Python is used (not a shell script around unshare/setpriv/prlimit) because one process can do
every step and read wait4's rusage, which no util-linux tool reports.
"""

import json
import os
import signal
import sys
import time

# -I leaves the script's own directory off sys.path
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from isolation import (  # noqa: E402
    IsolationRequired,
    become_supervisor,
    close_inherited_fds,
    enter_namespaces,
    kill_all,
    limit_target,
    prepare_files,
    read_files,
    target_env,
    usage_report,
)

RESULT_FD = 3


def fail(message):
    os.write(RESULT_FD, (json.dumps({"launcherError": message}) + "\n").encode())
    os._exit(0)


def main():
    cfg = json.loads(sys.argv[1])
    os.set_inheritable(RESULT_FD, False)
    try:
        iso = enter_namespaces(cfg)
    except IsolationRequired as error:
        fail(str(error))
    supervisor_pid = os.fork()
    if supervisor_pid == 0:
        try:
            supervise(cfg, iso)
        except BaseException as error:  # the supervisor must always report
            fail(f"supervisor: {type(error).__name__}: {error}")
        os._exit(0)
    os.waitpid(supervisor_pid, 0)


def start_target(cfg, iso, uid, gid, cwd, error_pipe):
    try:
        limit_target(cfg, iso, uid, gid, cwd)
        close_inherited_fds(error_pipe)
        argv = cfg["argv"]
        os.execve(argv[0], argv, target_env(cfg, cwd))
    except BaseException as error:
        os.write(error_pipe, f"{type(error).__name__}: {error}".encode())
    os._exit(127)


def supervise(cfg, iso):
    uid, gid = become_supervisor(cfg, iso)
    files = read_files(cfg["inputDir"])
    cwd = prepare_files(cfg, iso, uid, gid, files, cfg["inputDir"])
    read_end, write_end = os.pipe()
    started = time.monotonic()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        start_target(cfg, iso, uid, gid, cwd, write_end)
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
    result = usage_report(status, usage, wall_ms, timed_out, exec_error, iso)
    os.write(RESULT_FD, (json.dumps(result) + "\n").encode())


if __name__ == "__main__":
    main()
