"""The trial parse: the file looked into and parsed once, in a sandboxed child that may die without
taking the run with it (sbsk.intake.sandbox runs guard.child.handle), under the run's limits."""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from sbsk.intake import sandbox
from sbsk.intake.guard import child
from sbsk.intake.guard.cells import check_area, check_book
from sbsk.intake.guard.findings import Inspection, SheetScan
from sbsk.intake.guard.limits import MB, Limits, size_text
from sbsk.intake.guard.refusals import BROKEN, parse_failure, reject


def trial_parse(path: Path, found: Inspection, limits: Limits) -> None:
    """Look into the file and parse it in a child with bounded memory and time, exactly as the
    reader would, and keep what it read (found.sheets, found.grids): the file is decompressed and
    parsed once, never in this process, and a zip is looked into under the same caps as it is parsed.

    A parser exception refuses the file with what it means to a clerk (guard.refusals.parse_failure),
    and the file is never parsed again; a child that panics, aborts, runs out of memory or time is a
    file that would have done the same to the run.
    """
    size = path.stat().st_size
    with tempfile.TemporaryDirectory(prefix="sbsk-parse-", dir=_scratch_root(size)) as scratch:
        request = {"path": str(path), "kind": found.kind, "limits": asdict(limits), "scratch": scratch}
        stderr = b""
        try:
            verdict = sandbox.ask(child.handle, request, limits.parse_memory, limits.parse_seconds, size)
        except TimeoutError:
            reject(f"读取超过{limits.parse_seconds}秒仍未完成，文件结构异常（疑似恶意文件），已拒绝读取")
        except sandbox.Died as died:
            verdict, stderr = None, died.stderr
        if b"memory allocation" in stderr or b"MemoryError" in stderr or (verdict or {}).get("error") == "MemoryError":
            reject(f"读取该文件需要超过{size_text(limits.parse_memory)}内存，文件结构异常（疑似恶意文件），已拒绝读取")
        if verdict is None:
            reject(BROKEN)
        if "rejected" in verdict:
            reject(str(verdict["rejected"]))
        if verdict.get("error"):  # the parser refused the file: said once, in words a clerk can act on
            reject(parse_failure(str(verdict.get("detail", "")), found.kind, found.biff))
        found.sheets = [SheetScan(**scan) for scan in verdict.get("scans", [])]
        # the area the parser really used: for .xls the only count there is, for big sheets the exact one
        for name, (rows, columns) in verdict.get("sheets", {}).items():
            check_area(name, rows, columns, limits)
        check_book([rows * columns for rows, columns in verdict.get("sheets", {}).values()], limits)
        if "grids" in verdict:
            found.grids = {name: (_read_arrow(Path(file), scratch), offsets)
                           for name, file, offsets in verdict["grids"]}


def _scratch_root(file_bytes: int) -> str | None:
    """Memory-backed /dev/shm when it has room (a container's may have only 64 MB): the grids then go
    from child to parent without touching a disk. Text grids take up to ~16× the .xlsx."""
    try:
        room = os.statvfs("/dev/shm")
        if room.f_bavail * room.f_frsize > 16 * file_bytes + 256 * MB and os.access("/dev/shm", os.W_OK):
            return "/dev/shm"
    except OSError:
        pass
    return None


def _read_arrow(file: Path, scratch: str):
    import pyarrow as pa

    if file.parent != Path(scratch):  # the child names its own files; take nothing from elsewhere
        reject(BROKEN)
    with pa.memory_map(str(file)) as source:
        return pa.ipc.open_file(source).read_all()
