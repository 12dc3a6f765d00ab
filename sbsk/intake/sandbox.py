"""Warm sandboxed children: separate processes with an address-space and a time limit that run one
module-level function per request (the guard's trial parse: sbsk.intake.guard.trial asks,
sbsk.intake.guard.child answers). This module knows nothing of what they run.

Whatever a crafted file does to the zip inspection or to the parser (calamine, behind fastexcel)
in a child — panic, abort, exhaust memory, hang — it does to the child, and the run goes on.
Starting a child costs about 0.15 s of CPU, so children are kept warm and reused; at most one per
CPU parses at a time, which also bounds the memory that parsing takes however many files are read
concurrently. A child that died, timed out or ran out of memory is never reused. Children exit
when this process exits (their stdin closes), so a killed run leaves none behind. Reuse changes
nothing in what a file yields: each request carries everything it depends on (for the trial
parse: path, kind, limits, scratch folder).
"""

from __future__ import annotations

import atexit
import heapq
import importlib
import itertools
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

_ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds the sbsk package
_BOOT = ("import sys; sys.path.insert(0, sys.argv[2]); from sbsk.intake.sandbox import serve; "
         "serve(int(sys.argv[1]), sys.argv[3])")


# ---- the parent's side ----
class Died(Exception):
    """The child ended without answering; .stderr holds what it said on the way."""

    def __init__(self, stderr: bytes):
        super().__init__("sandboxed child died")
        self.stderr = stderr


class _Child:
    def __init__(self, entry: str, memory: int):
        self.entry, self.memory = entry, memory
        self.log = tempfile.TemporaryFile(prefix="sbsk-child-")
        self.proc = subprocess.Popen([sys.executable, "-c", _BOOT, str(memory), _ROOT, entry], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, start_new_session=True)
        self.pending = b""

    def ask(self, request: dict, seconds: float) -> dict:
        """Send one request and wait for its one-line answer; TimeoutError or Died otherwise."""
        mark = os.fstat(self.log.fileno()).st_size
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            raise Died(self._said(mark)) from None
        deadline = time.monotonic() + seconds
        out = self.proc.stdout.fileno()
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([out], [], [], left)
            if ready:
                chunk = os.read(out, 1 << 16)
                if not chunk:
                    self.proc.wait()
                    raise Died(self._said(mark))
                self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            raise Died(self._said(mark)) from None

    def _said(self, mark: int) -> bytes:
        self.log.seek(mark)
        return self.log.read(1 << 20)

    def close(self, kill: bool = False) -> None:
        try:
            if kill:
                self.proc.kill()
            else:
                self.proc.stdin.close()  # the child's loop ends at end of input
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            self.log.close()


class _Gate:
    """At most `slots` requests at once; waiting ones go biggest first, so that the largest file of a
    quarter is not left to parse alone at the end while the other CPUs idle."""

    def __init__(self, slots: int):
        self.free = slots
        self.waiting: list[tuple[int, int]] = []
        self.turns = itertools.count()
        self.cond = threading.Condition()

    @contextmanager
    def turn(self, size: int):
        with self.cond:
            ticket = (-size, next(self.turns))
            heapq.heappush(self.waiting, ticket)
            while not (self.free and self.waiting[0] == ticket):
                self.cond.wait()
            heapq.heappop(self.waiting)
            self.free -= 1
            self.cond.notify_all()
        try:
            yield
        finally:
            with self.cond:
                self.free += 1
                self.cond.notify_all()


_idle: list[_Child] = []
_lock = threading.Lock()
_gate = _Gate(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def ask(handler: Callable[[dict], dict], request: dict, memory: int, seconds: float, size: int = 0) -> dict:
    """handler(request), run in a warm child with this memory cap (TimeoutError, Died). The handler
    is a module-level function of sbsk, named to the child by its module and name; it answers with
    JSON-ready data, {"error": "MemoryError"} when it ran out. `size` orders the waiting requests."""
    entry = f"{handler.__module__}:{handler.__qualname__}"
    with _gate.turn(size):
        with _lock:
            child = next((c for c in _idle if (c.entry, c.memory) == (entry, memory)), None)
            if child:
                _idle.remove(child)
        child = child or _Child(entry, memory)
        try:
            answer = child.ask(request, seconds)
        except BaseException:
            child.close(kill=True)
            raise
        if answer.get("error") == "MemoryError":  # a heap that ran out once is not trusted again
            child.close(kill=True)
        else:
            with _lock:
                _idle.append(child)
        return answer


@atexit.register
def close_all() -> None:
    """End the warm children (and wait for them, so their resource use is accounted to this process)."""
    with _lock:
        children, _idle[:] = list(_idle), []
    for child in children:
        child.close()


# ---- the child's side ----
def serve(memory: int, entry: str) -> None:
    """Answer requests with the function `entry` names (module:name), one JSON line in, one out,
    until stdin closes."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass  # no address-space limit on this system; a crash still stays in the child
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever a library prints goes to the log, never into the answers
    module, _, name = entry.partition(":")
    handle = getattr(importlib.import_module(module), name)
    for line in sys.stdin:
        answer = handle(json.loads(line))
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
        if answer.get("error") == "MemoryError":
            return

