"""What a bench child process measures, each in a fresh interpreter so that its peak RSS is its own:
the quarter's steps as plain calls (timed stage by stage), a plain fastexcel read, pandas + openpyxl."""

from __future__ import annotations

import resource
import time
from pathlib import Path

from settings import MONTH, QUARTER
from stages import Stopwatch, instrument

def child_pipeline(raw: Path, out: Path, profile: Path | None) -> dict:
    """The quarter's steps as plain calls: sbsk.pipeline.evaluate, the walk the flow and the tests
    use, with every step and the product functions inside it timed as their stages."""
    started = time.perf_counter()
    from sbsk import pipeline
    from sbsk.config.rubric import load_rubric
    import_seconds = time.perf_counter() - started

    sw = Stopwatch()
    instrument(sw)
    load_rubric()  # reads the contract's categories once, outside the timed run

    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    begin = time.perf_counter()
    state = pipeline.evaluate(QUARTER, raw, out, call=sw.step)
    total = time.perf_counter() - begin
    if profiler:
        profiler.stop()
        profile.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
        profile.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")

    results, status, missing = state["results"], state["status"], state["missing"]
    return {
        "import_seconds": import_seconds,
        "total_seconds": total,
        "stages": sw.seconds,
        "not_instrumented": sw.skipped,
        "status": status,
        "missing": missing,
        "files": len(results),
        "rows_read": sum(r.rows_read for r in results),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_rejected": sum(r.rows_rejected for r in results),
        "rows_skipped": sum(r.rows_skipped for r in results),
        "files_rejected": [r.file_message for r in results if r.status == "rejected"],
        "peak_rss": peak_rss_self(),
    }


def child_dispatch(raw: Path, out: Path) -> dict:
    """A month's dispatch as plain calls (sbsk.dispatch.evaluate_dispatch) on the quarter's own files,
    seen as September's (measure.month_view), timed with the same stages as the quarter."""
    started = time.perf_counter()
    from sbsk import dispatch
    from sbsk.config.rubric import load_rubric
    import_seconds = time.perf_counter() - started

    sw = Stopwatch()
    instrument(sw)
    load_rubric()
    begin = time.perf_counter()
    state = dispatch.evaluate_dispatch(MONTH, raw, out, call=sw.step)
    total = time.perf_counter() - begin
    results = state["results"]
    return {"import_seconds": import_seconds, "total_seconds": total, "stages": sw.seconds,
            "not_instrumented": sw.skipped, "status": state["status"], "missing": state["missing"],
            "files": len(results), "rows_loaded": sum(r.rows_loaded for r in results),
            "rows_rejected": sum(r.rows_rejected for r in results), "peak_rss": peak_rss_self()}


def child_fastexcel(raw: Path) -> dict:
    """A plain read of every sheet, every cell as text: the floor the pipeline is measured against."""
    import fastexcel

    paths = sorted((raw / QUARTER).rglob("*.xlsx"))
    out = {}
    for target in ("arrow", "pandas"):
        rows = 0
        started = time.perf_counter()
        for path in paths:
            reader = fastexcel.read_excel(str(path))
            for name in reader.sheet_names:
                sheet = reader.load_sheet(name, header_row=None, dtypes="string")
                frame = sheet.to_arrow() if target == "arrow" else sheet.to_pandas()
                rows += len(frame)
                del frame
        out[f"{target}_seconds"] = time.perf_counter() - started
        out["rows"] = rows
    out["peak_rss"] = peak_rss_self()
    return out


def child_pandas(raw: Path) -> dict:
    import pandas as pd

    rows = 0
    started = time.perf_counter()
    for path in sorted((raw / QUARTER).rglob("*.xlsx")):
        for frame in pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine="openpyxl").values():
            rows += len(frame)
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_rss": peak_rss_self()}


def peak_rss_self() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
