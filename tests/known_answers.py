"""Shared by the known-answer tests: run one hand-built quarter and read its points back."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from builders import UNITS, baseline, write_quarter
from conftest import evaluate, query

CODE = {name: code for code, name in UNITS.items()}


def run(dirs: tuple[Path, Path], quarter: str, **returns: list[dict]) -> Path:
    """baseline() with the given returns replaced; every row must load (no rejection)."""
    raw, out = dirs
    data = baseline()
    data.update(returns)
    write_quarter(raw, quarter, data)
    res = evaluate(raw, out, quarter)
    assert res["status"] != "failed", res["missing"]
    rejected = [r["message"] for f in res["results"] for r in f.rejections]
    assert not rejected, rejected
    return out


def points(out: Path, quarter: str, indicator: str) -> dict[str, Decimal]:
    rows = query(out, "select unit_code, points from indicator_scores where quarter = ? and indicator_code = ?",
                 [quarter, indicator])
    return {UNITS[code]: p for code, p in rows}


def flags(out: Path, quarter: str, indicator: str, unit: str) -> set[str]:
    (f,), = query(out, "select flags from indicator_scores where quarter = ? and indicator_code = ? and unit_code = ?",
                  [quarter, indicator, CODE[unit]])
    return set((f or "").split(",")) - {""}
