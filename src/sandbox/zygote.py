"""chorus sandbox fork server (the zygote); the design is docs/decisions/0004-sandbox-fork-server.md.

Started by src/sandbox/fork-server.ts as `python3 -s -B zygote.py <socket-path> <spares>`, with
exactly the environment and flags the sandboxed Python programs get, so a program can run in a
fork of this interpreter instead of starting its own. It listens on a Unix socket but never
accepts: it keeps `spares` forked workers waiting on the socket (fork_worker.py), each already in
fresh namespaces, and forks a new one whenever one takes a connection. It never reads a
request, so its memory holds nothing of any run and every worker starts from the same clean
state. Its stdin is a pipe from node; EOF (node gone or done) ends it and its spares.
"""

import sys

# what a fresh interpreter holds when it starts main.py: a program run in a fork of this one sees
# only these modules, not the ones the zygote imports below
BASELINE_MODULES = frozenset(sys.modules)

import gc  # noqa: E402
import os  # noqa: E402
import select  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402

from fork_worker import serve_as_spare  # noqa: E402
from in_process import run_program  # noqa: E402

# how often ended workers are reaped (a zombie only holds its pid until then)
REAP_INTERVAL_S = 1.0


def serve(path, spare_count):
    """Keeps `spare_count` spares waiting until stdin reaches EOF; returns only in a spare, with
    what serve_as_spare returns there."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(128)
    # several spares wait on it: the ones that lose a connection to another must not block
    listener.setblocking(False)
    alive_read, alive_write = os.pipe()
    taken_read, taken_write = os.pipe()
    # everything the zygote holds now goes to the collector's permanent generation: a forked
    # program's collections then walk only its own objects and do not copy the inherited pages
    gc.freeze()
    spares = set()
    ready = False
    while True:
        while len(spares) < spare_count:
            try:
                pid = os.fork()
            except OSError:
                break  # try again at the next wake-up; node times out a run nobody takes
            if pid == 0:
                os.close(alive_write)
                os.close(taken_read)
                return serve_as_spare(listener, alive_read, taken_write)
            spares.add(pid)
        if not ready:
            # after the first spares exist, so a run node starts now has one
            os.write(1, b"ready\n")
            ready = True
        readable, _, _ = select.select([0, taken_read], [], [], REAP_INTERVAL_S)
        if taken_read in readable:
            for (pid,) in struct.iter_unpack("=i", os.read(taken_read, 4 * 64)):
                spares.discard(pid)
        spares.difference_update(reap_workers())
        if 0 in readable and not os.read(0, 4096):
            listener.close()
            remove_socket(path)
            os._exit(0)


def reap_workers():
    """Pids of the workers that ended since the last call."""
    ended = []
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return ended
        if pid == 0:
            return ended
        ended.append(pid)


def remove_socket(path):
    for remove, target in ((os.unlink, path), (os.rmdir, os.path.dirname(path))):
        try:
            remove(target)
        except OSError:
            pass


def check_platform():
    """What a run needs beyond launcher.py: a zygote that lacks it exits at once, and node
    starts runs with the launcher instead."""
    try:
        os.close(os.pidfd_open(os.getpid()))
    except (AttributeError, OSError) as error:
        sys.exit(f"the fork server needs pidfd_open (Python 3.9+, Linux 5.3+): {error}")


def main():
    check_platform()
    program = serve(sys.argv[1], int(sys.argv[2]))
    # only a Python program's own process gets here: the workers and supervisors end in
    # serve_as_spare; this runs the program and ends through the interpreter's own exit
    run_program(program, BASELINE_MODULES, os.path.abspath(__file__))


if __name__ == "__main__":
    main()
