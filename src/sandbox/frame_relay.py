"""The fork server's side of a run's connection to node: frames out, and the relay that feeds a
program's stdin and forwards its stdout and stderr while the supervisor waits for it.

A frame is a channel byte, a big-endian u32 length and the data (read by fork-frames.ts).
"""

import json
import os
import select
import struct
import time

from isolation import kill_all

PID, STDOUT, STDERR, REPORT = 0, 1, 2, 3
CHUNK = 65536
# how often the supervisor reaps orphans of the program (each holds a slot of its process limit)
REAP_INTERVAL_S = 0.1


def send_frame(connection, channel, data):
    connection.sendall(struct.pack(">BI", channel, len(data)) + data)


def send_report(connection, report):
    send_frame(connection, REPORT, json.dumps(report).encode())


class Relay:
    """Forwards the program's output to node as frames, feeds its stdin, and stops the pipes
    once stdout and stderr together pass the output kill limit."""

    def __init__(self, connection, outputs, kill_bytes):
        self.connection = connection
        self.outputs = dict(outputs)
        self.kill_bytes = kill_bytes
        self.total = 0
        self.output_limit_hit = False

    def until_exit(self, child, in_write, stdin, started, cfg, iso):
        """Relays until the program exits or its wall-clock limit passes; returns its wait
        status, rusage and whether it timed out."""
        pidfd = os.pidfd_open(child)
        os.set_blocking(in_write, False)
        pending = memoryview(stdin)
        writing = in_write
        if not pending:
            os.close(in_write)
            writing = None
        deadline = started + cfg["timeoutMs"] / 1000
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    kill_all(iso, child)
                    _, status, usage = os.wait4(child, 0)
                    return status, usage, True
                writers = [] if writing is None else [writing]
                readable, writable, _ = select.select(
                    [pidfd, *self.outputs], writers, [], min(remaining, REAP_INTERVAL_S)
                )
                for fd in readable:
                    if fd in self.outputs:
                        self.forward(fd)
                if writable:
                    try:
                        pending = pending[os.write(writing, pending[:CHUNK]) :]
                    except BrokenPipeError:
                        pending = pending[:0]
                    if not pending:
                        os.close(writing)
                        writing = None
                reaped = reap(child)
                if reaped is not None:
                    return (*reaped, False)
        finally:
            os.close(pidfd)
            if writing is not None:
                os.close(writing)

    def forward(self, fd):
        data = os.read(fd, CHUNK)
        if not data:
            os.close(fd)
            del self.outputs[fd]
            return
        send_frame(self.connection, self.outputs[fd], data)
        self.total += len(data)
        if self.total > self.kill_bytes:
            # the program's next write fails (EPIPE); it still ends and is reported
            self.output_limit_hit = True
            for other in list(self.outputs):
                os.close(other)
            self.outputs.clear()

    def drain(self, until):
        """Output still in the pipes after the program ended (its strays are killed by now)."""
        while self.outputs:
            remaining = until - time.monotonic()
            if remaining <= 0:
                break
            readable, _, _ = select.select(list(self.outputs), [], [], remaining)
            for fd in readable:
                self.forward(fd)
        for fd in self.outputs:
            os.close(fd)
        self.outputs.clear()


def reap(child):
    """Reaps every ended child; returns the program's (status, rusage) once it is among them."""
    found = None
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return found
        if pid == 0:
            return found
        if pid == child:
            found = (status, usage)
