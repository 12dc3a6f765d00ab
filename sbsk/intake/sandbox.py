"""Warm sandboxed children that look into and parse untrusted workbooks (sbsk.intake.safety.trial_parse).

A child is a separate Python process with an address-space limit: whatever a crafted file does to
the zip inspection or to the parser (calamine, behind fastexcel) — panic, abort, exhaust memory,
hang — it does to the child, and the run goes on. Starting a child costs about 0.15 s of CPU, so
children are kept warm and reused; at most one per CPU parses at a time, which also bounds the
memory that parsing takes however many files are read concurrently. A child that died, timed out
or ran out of memory is never reused. Children exit when this process exits (their stdin closes),
so a killed run leaves none behind. Reuse changes nothing in what a file yields: each request
carries everything it depends on (path, kind, limits, scratch folder).
"""

from __future__ import annotations

import atexit
import heapq
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

_ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds the sbsk package
_BOOT = "import sys; sys.path.insert(0, sys.argv[2]); from sbsk.intake.sandbox import serve; serve(int(sys.argv[1]))"


# ---- the parent's side ----
class Died(Exception):
    """The child ended without answering; .stderr holds what it said on the way."""

    def __init__(self, stderr: bytes):
        super().__init__("sandboxed child died")
        self.stderr = stderr


class _Child:
    def __init__(self, memory: int):
        self.memory = memory
        self.log = tempfile.TemporaryFile(prefix="sbsk-child-")
        self.proc = subprocess.Popen([sys.executable, "-c", _BOOT, str(memory), _ROOT], stdin=subprocess.PIPE,
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


def ask(request: dict, memory: int, seconds: float, size: int = 0) -> dict:
    """One request to a warm child with this memory cap (TimeoutError, Died); `size` (the file's
    bytes) orders the waiting requests."""
    with _gate.turn(size):
        with _lock:
            child = next((c for c in _idle if c.memory == memory), None)
            if child:
                _idle.remove(child)
        child = child or _Child(memory)
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
def serve(memory: int) -> None:
    """Answer requests, one JSON line in, one out, until stdin closes."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass  # no address-space limit on this system; a crash still stays in the child
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever a library prints goes to the log, never into the answers
    for line in sys.stdin:
        answer = _handle(json.loads(line))
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
        if answer.get("error") == "MemoryError":
            return


def _handle(request: dict) -> dict:
    from dataclasses import asdict

    from sbsk.intake import safety
    from sbsk.intake.errors import FileRejected

    vars(safety).update(request["limits"])  # the run's limits, as the parent has them now
    path = Path(request["path"])
    try:
        scans = [asdict(s) for s in safety.inspect_zip(path).sheets] if request["kind"] == "xlsx" else []
    except FileRejected as exc:
        return {"rejected": exc.message}
    except MemoryError:
        return {"error": "MemoryError"}
    try:
        return {"scans": scans, **_parse(path, request["scratch"])}
    except MemoryError:
        return {"scans": scans, "error": "MemoryError"}
    except Exception as exc:  # the reader meets the same exception and reports it in its own words
        return {"scans": scans, "error": type(exc).__name__}


def text_sheet(book, name: str):
    """A sheet as every part of sbsk reads it (fastexcel): every cell as text, from Excel row 1,
    with the absolute index of each column it kept. One definition, so that the sandboxed parse is
    exactly the reader's."""
    sheet = book.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
    return sheet, [c.absolute_index for c in sheet.available_columns()]


def _parse(path: Path, scratch: str) -> dict:
    """Every sheet as text, written as Arrow IPC files into the scratch folder."""
    import fastexcel
    import pyarrow as pa

    reader = fastexcel.read_excel(str(path))
    dims, grids = {}, []
    for i, name in enumerate(reader.sheet_names):
        sheet, offsets = text_sheet(reader, name)
        dims[name] = [sheet.height, sheet.width]
        batch = sheet.to_arrow()
        target = os.path.join(scratch, f"{i}.arrow")
        with pa.OSFile(target, "wb") as sink, pa.ipc.new_file(sink, batch.schema) as out:
            out.write(batch)
        grids.append([name, target, offsets])
    return {"sheets": dims, "grids": grids}
