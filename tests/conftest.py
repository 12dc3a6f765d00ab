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


@pytest.hookimpl(trylast=True)
def pytest_configure(config) -> None:
    """A Prefect home (its SQLite database, profiles, settings) for this test process alone.

    `make test` runs the suite in parallel (pytest-xdist): two temporary servers started by two workers
    would otherwise migrate and write one ~/.prefect/prefect.db at once. The base temp folder is the
    worker's own; set before any test module imports Prefect, and kept by the child processes tests
    start (their environment keeps PREFECT_HOME when it drops the other PREFECT_ settings).

    sbsk's own cache folder (the contract's catalog, the empty warehouse: sbsk/store/schema_cache.py)
    is the worker's too: a test never reads what an engineer's runs or another checkout left in
    ~/.cache/sbsk."""
    base = config._tmp_path_factory.getbasetemp()
    os.environ["PREFECT_HOME"] = str(base / "prefect-home")
    os.environ["SBSK_CACHE_DIR"] = str(base / "sbsk-cache")


def evaluate(raw_dir: Path, out_dir: Path, quarter: str, continue_on_missing: bool = False,
             up_to: str = "publish") -> dict:
    """The quarter flow's steps (sbsk.pipeline.QUARTER_STEPS) as plain calls, up to publishing by
    default (the workbooks have tests of their own), for fast known-answer tests."""
    from sbsk import pipeline

    state = pipeline.evaluate(quarter, raw_dir, out_dir, continue_on_missing=continue_on_missing, up_to=up_to)
    return {"status": state["status"], "missing": state["missing"], "results": state["results"]}


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
