"""chorus sandbox fork server (the zygote); the design is docs/decisions/0004-sandbox-fork-server.md.

Started by src/sandbox/fork-server.ts as `python3 -s -B zygote.py <socket-path>`, with exactly the
environment and flags the sandboxed Python programs get, so a program can run in a fork of this
interpreter instead of starting its own. It listens on a Unix socket and forks one worker per
connection, closing its own copy: it never reads a request, so its memory holds nothing of any
run and every worker starts from the same clean state. Its stdin is a pipe from node; EOF (node
gone or done) ends it.
"""

import sys

# what a fresh interpreter holds when it starts main.py: a program run in a fork of this one sees
# only these modules, not the ones the zygote imports below
BASELINE_MODULES = frozenset(sys.modules)

import gc  # noqa: E402
import os  # noqa: E402
import select  # noqa: E402
import socket  # noqa: E402

from fork_worker import serve_connection  # noqa: E402
from in_process import run_program  # noqa: E402

# a worker that has ended stays a zombie until the next wake-up reaps it
REAP_INTERVAL_S = 1.0


def serve(path):
    """Accepts connections until stdin reaches EOF; returns only in a forked worker, with the
    connection it serves."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(128)
    # everything the zygote holds now goes to the collector's permanent generation: a forked
    # program's collections then walk only its own objects and do not copy the inherited pages
    gc.freeze()
    os.write(1, b"ready\n")
    while True:
        readable, _, _ = select.select([listener, 0], [], [], REAP_INTERVAL_S)
        reap_workers()
        if 0 in readable and not os.read(0, 4096):
            listener.close()
            remove_socket(path)
            os._exit(0)
        if listener not in readable:
            continue
        try:
            connection, _ = listener.accept()
        except OSError:
            continue
        try:
            pid = os.fork()
        except OSError:
            # node sees the connection close without an answer and reports it
            connection.close()
            continue
        if pid == 0:
            os.close(listener.detach())
            return connection
        connection.close()


def reap_workers():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def remove_socket(path):
    for remove, target in ((os.unlink, path), (os.rmdir, os.path.dirname(path))):
        try:
            remove(target)
        except OSError:
            pass


def main():
    connection = serve(sys.argv[1])
    program = serve_connection(connection)
    # only a Python program's own process gets here: the worker and supervisor end in
    # serve_connection; this runs the program and ends through the interpreter's own exit
    run_program(program, BASELINE_MODULES, os.path.abspath(__file__))


if __name__ == "__main__":
    main()
