"""The sandboxed child's side of the trial parse (run by sbsk.intake.sandbox, asked by guard.trial):
the zip looked into under the run's limits, then every sheet parsed as the reader parses it and
written as Arrow IPC files into the scratch folder the parent made. Whatever a crafted file does
here (panic, abort, exhaust memory, hang) it does to this process, not to the run."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path

from sbsk.intake.errors import FileRejected
from sbsk.intake.guard.limits import Limits
from sbsk.intake.guard.zips import inspect_zip
from sbsk.intake.sheets import text_sheet


def handle(request: dict) -> dict:
    """One request: {path, kind, limits, scratch} → {scans, sheets, grids} | {rejected} | {error, detail}.
    Everything the answer depends on comes in the request, so a warm child is reused safely."""
    limits = Limits(**request["limits"])
    path = Path(request["path"])
    try:
        scans = [asdict(s) for s in inspect_zip(path, limits).sheets] if request["kind"] == "xlsx" else []
    except FileRejected as exc:
        return {"rejected": exc.message}
    except MemoryError:
        return {"error": "MemoryError"}
    try:
        return {"scans": scans, **_parse(path, request["scratch"])}
    except MemoryError:
        return {"scans": scans, "error": "MemoryError"}
    except Exception as exc:  # the parent says what it means (guard.refusals.parse_failure)
        return {"scans": scans, "error": type(exc).__name__, "detail": str(exc)[:1000]}


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
