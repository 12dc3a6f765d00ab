"""Shared fixtures. Most tests run the pipeline's plain functions (no Prefect server); the real
flows run in a few session-scoped tests (tests/test_flows.py)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")
# The hostile fixtures stay small because the suite runs at a city's tight limits (SECURITY.md).
for _name, _value in {"MAX_FILE_BYTES": 20 << 20, "MAX_PART_BYTES": 50 << 20, "MAX_TOTAL_BYTES": 200 << 20,
                      "MAX_CELLS": 1_000_000, "MAX_BOOK_CELLS": 2_000_000, "MAX_SHARED_STRINGS": 1_000_000,
                      "PARSE_SECONDS": 30, "PARSE_MEMORY": 1 << 30}.items():
    os.environ.setdefault(f"SBSK_{_name}", str(_value))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def evaluate(raw_dir: Path, out_dir: Path, quarter: str, continue_on_missing: bool = False) -> dict:
    """The quarter flow's steps as plain calls, for fast known-answer tests."""
    from sbsk.schemas import load_returns
    from sbsk import pipeline
    from sbsk.intake.discover import discover
    from sbsk.intake.ingest import ingest
    from sbsk.intake.validate import context_for
    from sbsk.config.periods import Quarter
    from sbsk.config.registry import load_registry
    from sbsk.config.rubric import load_rubric

    q = Quarter.parse(quarter)
    defs, rubric, registry = load_returns(), load_rubric(), load_registry()
    ctx = context_for(q.year, rubric, registry)
    from sbsk.store.archive import archive_file

    results = []
    for source in discover(raw_dir, quarter, defs):
        result = ingest(source, defs, ctx)
        result.archive_path = archive_file(out_dir, source)
        results.append(result)
    results = pipeline.reject_unit_overlaps(results, defs)
    missing = pipeline.missing_returns(results, defs)
    if missing and not continue_on_missing:
        return {"status": "failed", "missing": missing, "results": results}
    status = pipeline.publish_quarter(q, results, missing, defs, rubric, registry, out_dir, pipeline.new_run_id(),
                                      pipeline.now())
    return {"status": status, "missing": missing, "results": results}


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    out.mkdir()
    return raw, out


def query(out_dir: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(out_dir / "sbsk.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
