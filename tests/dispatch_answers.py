"""Shared by the dispatch tests (SPEC §9): hand-built months run through the dispatch's steps."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

from builders import UNITS, write_quarter
from conftest import query
from sbsk.schemas import load_returns

CODE = {name: code for code, name in UNITS.items()}
LZ, AY, TY, HX, NH = "林州市", "安阳县", "汤阴县", "滑县", "内黄县"   # county group
WF, BG, YD, LA = "文峰区", "北关区", "殷都区", "龙安区"               # district group
OLD = date(2019, 6, 1)
_n = itertools.count(1)


def inert() -> dict[str, list[dict]]:
    """One row per unit in every return, none of which earns a point at any 2020 period end:
    everything listed, signed, issued or held in 2019, nothing paid, spent or completed, no approval
    item due in 2020, every assessor score 0."""
    out: dict[str, list[dict]] = {c: [] for c in load_returns().returns}
    for name in UNITS.values():
        n = next(_n)
        out["R01"].append(dict(unit=name, project_name=f"储备{n}", reserve_level="省重大", total_investment=1000,
                               sector="其他", listed_on=OLD, implemented="否"))
        out["R02"].append(dict(unit=name, project_name=f"签约{n}", signed_on=OLD, contract_amount=100,
                               funding_origin="省内", paid_in=0, top_investor="否", landed="否"))
        out["R03"].append(dict(unit=name, event_on=OLD, project_count=1, total_investment=100, projects_over_100m=0))
        out["R04"].append(dict(unit=name, project_name=f"亿元{n}", project_code=f"2020-419900-47-03-{n:06d}",
                               total_investment=20000, nature="续建", annual_plan=100, ytd_completed=0))
        out["R05"].append(dict(unit=name, project_name=f"重点{n}", level="省重点", annual_plan=100, ytd_completed=0))
        out["R06"].append(dict(unit=name, project_name=f"中央{n}", allocated=100, paid=0))
        out["R07"].append(dict(unit=name, project_name=f"专项债{n}", bond_amount=100, spent=0))
        out["R08"].append(dict(unit=name, project_name=f"982-{n}", area="水利", annual_plan=100, ytd_completed=0))
        out["R09"].append(dict(unit=name, project_name=f"审批{n}", item_name="施工许可", due_on=date(2021, 6, 30)))
        out["R10"].append(dict(unit=name, indicator="A1", score=0))
        out["R11"].append(dict(unit=name, title=f"文件{n}", doc_number=f"安政〔2019〕{n}号", issued_on=OLD,
                               category="放管服改革", grade="良"))
    return out


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
