"""The demo year (sbsk.samples.demo): layout, headers, deliberate features, planted invalid rows, determinism."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sbsk.samples.demo import generate_year
from sbsk.config.periods import Quarter, quarters_of
from sbsk.config.registry import load_registry
from sbsk.config.rubric import load_rubric
from sbsk.schemas import load_returns

YEAR = 2020
DEFS = load_returns()
REGISTRY = load_registry()
UNITS = {u.name: u.code for u in REGISTRY.for_year(YEAR)}
INDICATORS = {key: ind for ind in load_rubric().indicators for key in (ind.code, ind.name)}
MONEY = {"R02": "paid_in", "R04": "ytd_completed", "R05": "ytd_completed", "R06": "paid", "R07": "spent",
         "R08": "ytd_completed"}

# The deliberate gaps and the planted invalid rows, as the module docstring of sbsk.samples.demo states them.
NO_BONDS = UNITS["北关区"]
NO_EVENT = (2, UNITS["滑县"])
PLANTED = {
    (1, "R01", "殷都区", "reserve_level"),
    (1, "R06", "汤阴县", "paid"),
    (2, "R02", "龙安区", "contract_amount"),
    (2, "R05", "安阳市", "unit"),
    (3, "R09", "安阳县", "completed_on"),
    (3, "R11", "文峰区", "grade"),
    (4, "R03", "林州市", "projects_over_100m"),
    (4, "R07", "滑县", "spent"),
}


def _cells(path: Path) -> list[tuple]:
    return list(load_workbook(path).active.iter_rows(values_only=True))


def _value(v):
    return v.date() if isinstance(v, datetime) else v


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, list[Path]]:
    raw_dir = tmp_path_factory.mktemp("raw")
    return raw_dir, generate_year(raw_dir, YEAR, seed=2020, messy=False)


@pytest.fixture(scope="module")
def data(generated) -> dict[tuple[int, str], list[dict]]:
    """(quarter, return code) → rows read back, keyed by field; `unit_code` is the resolved unit."""
    raw_dir, _ = generated
    out = {}
    for qtr in quarters_of(YEAR):
        for code, ret in DEFS.returns.items():
            path = raw_dir / str(qtr) / ret.owner / f"{code}-{ret.table}.xlsx"
            rows = [dict(zip(ret.fields, map(_value, cells))) for cells in _cells(path)[2:]]
            for row in rows:
                row["unit_code"] = REGISTRY.resolve(row["unit"], YEAR)
            out[qtr.q, code] = rows
    return out


def _broken(ret, row: dict) -> list[str]:
    """The fields of a row that break a rule of returns.toml."""
    return [col.field for col in ret.columns if not _valid(col, row.get(col.field), row)]


def _valid(col, v, row: dict) -> bool:
    if v is None:
        return col.optional and not (col.required_if and row.get(col.required_if) == "是")
    if col.type == "unit":
        ok = REGISTRY.resolve(v, YEAR) is not None
    elif col.type == "enum":
        ok = v in col.values
    elif col.type == "bool":
        ok = v in ("是", "否")
    elif col.type == "indicator":
        ok = v in INDICATORS
    elif col.type == "text":
        ok = isinstance(v, str) and bool(v.strip()) and (not col.pattern or bool(re.fullmatch(col.pattern, v)))
    elif col.type == "date":
        ok = isinstance(v, date) and date(2004, 1, 1) <= v <= date(2026, 12, 31) and (
            col.may_be_future or v <= date.today())
    else:
        ok = (isinstance(v, (int, float)) and round(v, 2) == v and (col.type != "integer" or isinstance(v, int))
              and (col.min is None or v >= col.min) and (col.min_exclusive is None or v > col.min_exclusive))
    if ok and col.max_field and row.get(col.max_field) is not None:
        ok = v <= row[col.max_field]
    if ok and col.min_field and row.get(col.min_field) is not None:
        ok = v >= row[col.min_field]
    if ok and col.requires:
        ok = row.get(col.requires) is not None
    if ok and col.max_rubric:
        ok = v <= INDICATORS[row["indicator"]].max_points
    return ok


def test_one_file_per_return_and_quarter_in_the_owner_folder(generated):
    raw_dir, paths = generated
    expected = {raw_dir / str(q) / ret.owner / f"{code}-{ret.table}.xlsx"
                for q in quarters_of(YEAR) for code, ret in DEFS.returns.items()}
    assert len(paths) == 44
    assert set(paths) == expected == set(raw_dir.rglob("*.xlsx"))


def test_headers_are_the_column_labels_under_a_title(generated):
    raw_dir, _ = generated
    for qtr in quarters_of(YEAR):
        for code, ret in DEFS.returns.items():
            cells = _cells(raw_dir / str(qtr) / ret.owner / f"{code}-{ret.table}.xlsx")
            assert cells[0][0] == f"{qtr.chinese} {ret.title}"
            assert list(cells[1]) == [col.label for col in ret.columns]


def test_every_unit_reports_everywhere_except_the_deliberate_gaps(data):
    for (q, code), rows in data.items():
        missing = set(UNITS.values()) - {r["unit_code"] for r in rows}
        gaps = {NO_BONDS} if code == "R07" else {NO_EVENT[1]} if (q, code) == (NO_EVENT[0], "R03") else set()
        assert missing == gaps, (q, code)
    for q in range(1, 5):
        levels = {(r["unit_code"], r["level"]) for r in data[q, "R05"]}
        assert {(u, lv) for u in UNITS.values() for lv in ("省重点", "市重点")} <= levels


def test_beiguan_has_no_special_bond_project_in_any_quarter(data):
    for q in range(1, 5):
        assert data[q, "R07"] and all(r["unit_code"] != NO_BONDS for r in data[q, "R07"])


def test_huaxian_held_no_groundbreaking_event_in_q2(data):
    q, unit = NO_EVENT
    assert all(r["unit_code"] != unit for r in data[q, "R03"])
    assert all(any(r["unit_code"] == unit for r in data[other, "R03"]) for other in range(1, 5) if other != q)


def test_the_only_suspect_start_is_neihuang_in_q3(data):
    suspects = [(q, r["unit_code"]) for q in range(1, 5) for r in data[q, "R04"]
                if r["nature"] == "新开工" and r["started_on"] and r["started_on"] >= date(YEAR, 1, 1)
                and r["ytd_completed"] == 0]
    assert suspects == [(3, UNITS["内黄县"])]


def test_major_project_investment_grows_every_quarter_for_every_unit(data):
    for unit in UNITS.values():
        sums = [sum(r["ytd_completed"] for r in data[q, "R04"] if r["unit_code"] == unit) for q in range(1, 5)]
        assert sums[0] < sums[1] < sums[2] < sums[3], unit


def test_projects_persist_and_their_money_never_decreases(data):
    for code, money in MONEY.items():
        seen: dict[tuple, list] = defaultdict(list)
        for q in range(1, 5):
            valid = [r for r in data[q, code] if not _broken(DEFS.returns[code], r)]
            for r in valid:
                seen[r["unit_code"], r["project_name"]].append((q, r[money], r.get("project_code")))
        for key, history in seen.items():
            quarters = [q for q, _, _ in history]
            assert quarters == list(range(quarters[0], 5)), (code, key)  # reported until year end
            assert [m for _, m, _ in history] == sorted(m for _, m, _ in history), (code, key)
            assert len({c for _, _, c in history}) == 1, (code, key)
    for q in range(1, 5):
        codes = [r["project_code"] for r in data[q, "R04"]]
        assert len(codes) == len(set(codes))


def test_only_the_planted_rows_break_a_rule_each_one(data):
    broken = []
    for (q, code), rows in data.items():
        for row in rows:
            fields = _broken(DEFS.returns[code], row)
            if fields:
                broken.append((q, code, row["unit"], *fields))
    assert sorted(broken) == sorted(PLANTED)


def test_dates_lie_in_the_year_up_to_the_quarter_end(data):
    earlier = {("R01", "listed_on"), ("R04", "started_on")}  # listed or started in earlier years
    for (q, code), rows in data.items():
        end = Quarter(YEAR, q).end
        for row in rows:
            for col in DEFS.returns[code].columns:
                v = row.get(col.field)
                if col.type == "date" and v is not None and not col.may_be_future:
                    assert v <= end and ((code, col.field) in earlier or v.year == YEAR), (q, code, col.field, v)


def test_unit_texts_vary_but_resolve(data):
    texts = {r["unit"] for rows in data.values() for r in rows}
    assert {"林州", "湯陰縣"} & texts and any(t != t.strip() for t in texts)
    assert {t for t in texts if REGISTRY.resolve(t, YEAR) is None} == {"安阳市"}


def test_assessor_scores_one_per_unit_and_indicator(data):
    for q in range(1, 5):
        keys = [(r["unit_code"], INDICATORS[r["indicator"]].code) for r in data[q, "R10"]]
        assert sorted(keys) == sorted((u, "A1") for u in UNITS.values())
        assert all(0 <= r["score"] <= 3 and round(r["score"], 1) == r["score"] for r in data[q, "R10"])


def test_the_same_seed_gives_the_same_cells(generated, tmp_path):
    raw_dir, paths = generated
    again = generate_year(tmp_path, YEAR, seed=2020, messy=False)
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(raw_dir) for p in paths]
    for first, second in zip(paths, again):
        assert _cells(first) == _cells(second), first.name


def test_messy_demo_scores_exactly_like_the_plain_one(tmp_path):
    """The demo sends R04, R05 and R09 in departments' own layouts; a person reads the same numbers."""
    from conftest import evaluate, query

    outs = []
    for messy in (True, False):
        raw, out = tmp_path / f"raw-{messy}", tmp_path / f"out-{messy}"
        out.mkdir()
        generate_year(raw, YEAR, seed=2020, messy=messy)
        for q in range(1, 5):
            assert evaluate(raw, out, f"{YEAR}Q{q}")["status"] == "done"
        outs.append(out)
    for sql in ("select * exclude (rubric_version) from quarter_results order by all",
                "select quarter, unit_code, indicator_code, points from indicator_scores order by all",
                "select quarter, flag, count(*) from data_flags group by all order by all",
                "select quarter, column_name from rejected_rows order by all"):  # values differ: as written
        assert query(outs[0], sql) == query(outs[1], sql), sql
    messy_files = query(outs[0], "select count(*) from source_files where rows_skipped > 0")
    assert messy_files[0][0] >= 8  # the 合计/小计 and notes rows of the messy returns were skipped
