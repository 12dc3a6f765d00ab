"""Build plain-layout returns for tests: a dict of return code → rows, written where a run looks."""

from __future__ import annotations

import itertools
import tomllib
from datetime import date
from pathlib import Path

from sbsk.config.rubric import RUBRIC_FILE
from sbsk.schemas import load_returns
from sbsk.outputs.return_writer import write_plain

UNITS = {
    "410581": "林州市", "410522": "安阳县", "410523": "汤阴县", "410526": "滑县", "410527": "内黄县",
    "410502": "文峰区", "410503": "北关区", "410505": "殷都区", "410506": "龙安区",
}


def write_quarter(raw_dir: Path, quarter: str, returns: dict[str, list[dict]], defs=None) -> list[Path]:
    """Write each return's rows under raw_dir/<quarter>/<owner>/<code>.xlsx (even with no rows);
    `defs` are the definitions of another level (a province's unit column 省辖市), else the city's."""
    defs = defs or load_returns()
    paths = []
    for code, rows in returns.items():
        ret = defs.all_returns[code]
        path = raw_dir / quarter / ret.owner / f"{code}-{ret.table}.xlsx"
        paths.append(write_plain(path, ret, rows, title=f"{quarter} {ret.title}"))
    return paths


def reference_set(folder: Path, units: str, groups: str, *, level: str | None = None,
                  rubric: dict[str, str] | None = None, departments: str | None = None) -> Path:
    """A reference set (SPEC §10) in `folder`: these units.csv and unit_groups.csv, the shipped city
    rubric with each `rubric` text replaced (each must be there once), `level` as level.toml (none: the
    city level) and `departments` as departments.csv (none: the shipped contacts)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(units, encoding="utf-8")
    (folder / "unit_groups.csv").write_text(groups, encoding="utf-8")
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    for old, new in (rubric or {}).items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (folder / RUBRIC_FILE.name).write_text(text, encoding="utf-8")
    for name, content in (("level.toml", level), ("departments.csv", departments)):
        if content is not None:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


def baseline(units: dict[str, str] = UNITS, day: date = date(2020, 8, 1)) -> dict[str, list[dict]]:
    """One unremarkable row per unit in every return: every unit scores something everywhere."""
    out: dict[str, list[dict]] = {c: [] for c in load_returns().returns}
    for i, name in enumerate(units.values(), start=1):
        code = f"2020-4105{i:02d}-47-03-{i:06d}"
        out["R01"].append(dict(unit=name, project_name=f"储备{i}", reserve_level="省重大", total_investment=1000 * i,
                               sector="其他", listed_on=day, implemented="否"))
        out["R02"].append(dict(unit=name, project_name=f"签约{i}", signed_on=day, contract_amount=100 * i,
                               funding_origin="省外", paid_in=10 * i, top_investor="否", landed="否"))
        out["R03"].append(dict(unit=name, event_on=day, project_count=2, total_investment=500 * i,
                               projects_over_100m=1))
        out["R04"].append(dict(unit=name, project_name=f"亿元{i}", project_code=code, total_investment=20000,
                               nature="续建", started_on=date(2019, 5, 1), annual_plan=1000, ytd_completed=500))
        out["R05"].append(dict(unit=name, project_name=f"重点{i}", level="省重点", annual_plan=100, ytd_completed=50))
        out["R06"].append(dict(unit=name, project_name=f"中央{i}", allocated=100, paid=50))
        out["R07"].append(dict(unit=name, project_name=f"专项债{i}", bond_amount=100, spent=50))
        out["R08"].append(dict(unit=name, project_name=f"982-{i}", area="水利", annual_plan=100, ytd_completed=50))
        out["R09"].append(dict(unit=name, project_name=f"审批{i}", item_name="施工许可", due_on=day,
                               accepted_on=date(2020, 7, 1), completed_on=date(2020, 7, 20)))
        out["R10"].append(dict(unit=name, indicator="A1", score=2))
        out["R11"].append(dict(unit=name, title=f"文件{i}", doc_number=f"安政〔2020〕{i}号", issued_on=day,
                               category="放管服改革", grade="良"))
    return out


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


def rubric_doc() -> dict:
    """The default rubric file as parsed TOML, for a test to change before parse_rubric."""
    with open(RUBRIC_FILE, "rb") as fh:
        return tomllib.load(fh)


def indicator_doc(doc: dict, code: str) -> dict:
    return next(i for i in doc["indicators"] if i["code"] == code)
