"""Shared by the dispatch tests (SPEC §9): hand-built months run through the dispatch's steps."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from builders import (AY, BG, CODE, HX, LA, LZ, NH, OLD, TY, UNITS, WF, YD, _n, inert,  # noqa: F401
                      write_quarter)
from conftest import query

def r03(unit: str, day: date, total: float) -> dict:
    return dict(unit=unit, event_on=day, project_count=1, total_investment=total, projects_over_100m=0)


def r02(unit: str, paid_in: float) -> dict:
    return dict(unit=unit, project_name=f"签约{next(_n)}", signed_on=OLD, contract_amount=100,
                funding_origin="省外", paid_in=paid_in, top_investor="否", landed="否")


def r06(unit: str, allocated: float, paid: float, name: str | None = None) -> dict:
    return dict(unit=unit, project_name=name or f"中央{next(_n)}", allocated=allocated, paid=paid)


def run_dispatch(dirs: tuple[Path, Path], month: str, data: dict[str, list[dict]], drop: tuple[str, ...] = (),
                 up_to: str = "publish") -> dict:
    """Write `data` (less the returns in `drop`) under raw/<month>/ and walk the dispatch's steps."""
    from sbsk.dispatch import evaluate_dispatch

    raw, out = dirs
    write_quarter(raw, month, {code: rows for code, rows in data.items() if code not in drop})
    state = evaluate_dispatch(month, raw, out, up_to=up_to)
    rejected = [r["message"] for f in state["results"] for r in f.rejections]
    assert not rejected, rejected
    return state


def run_quarter(dirs: tuple[Path, Path], quarter: str, data: dict[str, list[dict]]) -> None:
    from conftest import evaluate

    raw, out = dirs
    write_quarter(raw, quarter, data)
    assert evaluate(raw, out, quarter)["status"] == "done"


def scores(out: Path, month: str, indicator: str) -> dict[str, tuple]:
    """unit name → (points, flags) of one indicator in a dispatch."""
    rows = query(out, "select unit_code, points, flags from dispatch_scores where month = ? and indicator_code = ?",
                 [month, indicator])
    return {UNITS[code]: (p, set((f or "").split(",")) - {""}) for code, p, f in rows}


def warnings(out: Path, month: str, indicator: str, part: int = 1) -> dict[str, tuple]:
    """unit name → (level, ratio, gap) of one indicator part's warning rows in a dispatch."""
    rows = query(out, "select unit_code, level, ratio, gap from dispatch_warnings "
                      "where month = ? and indicator_code = ? and part = ?", [month, indicator, part])
    return {UNITS[code]: (level, ratio, gap) for code, level, ratio, gap in rows}
