"""Ranking and annual rules the default data cannot tell apart from their mutations (SPEC §6): the
annual mean's weights, a year of three quarters, a group of one unit, the order A before B in the
tie-break, and D as its last step. Tested against quarter_results / annual_results only, so that they
hold however the SQL computes them. The data come from test_ranking's inert quarter (nobody earns a
point) with a few indicators steered; every expected value is worked out by hand beside it.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from builders import UNITS
from conftest import query
from sbsk.config import registry as registry_module
from sbsk.config.rubric import RUBRIC_FILE, load_rubric
from test_ranking import AY, HX, LZ, NH, TY, annual, dec, publish_year, quarter_data, results, run

CODE = {name: code for code, name in UNITS.items()}


def rubric_with(tmp_path: Path, monkeypatch, **replace: str) -> None:
    """The shipped rubric with some lines replaced, in force through SBSK_RUBRIC."""
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SBSK_RUBRIC", str(path))


def test_the_shipped_tie_break_is_c_a_b_d():
    assert load_rubric().rewards["tie_break"] == ["C", "A", "B", "D"]


def test_annual_means_are_weighted(dirs, tmp_path, monkeypatch):
    """Weights 1, 1, 1, 3: 林州's A1 of 1, 1, 1, 3 has the mean (1 + 1 + 1 + 9) / 6 = 2.00, not 6 / 4 = 1.50."""
    _, out = dirs
    rubric_with(tmp_path, monkeypatch, **{"annual_weights = [1, 1, 1, 1]": "annual_weights = [1, 1, 1, 3]"})
    for q, score in enumerate([1, 1, 1, 3], start=1):
        run(dirs, f"2020Q{q}", quarter_data(a1={LZ: score, AY: 1}))
    assert publish_year(out, 2020) == ("done", 4)
    a = annual(out, 2020)
    assert a[LZ][:5] == dec("2.00", "0.00", "0.00", "0.00", "2.00")
    assert a[AY][:5] == dec("1.00", "0.00", "0.00", "0.00", "1.00")   # (1 + 1 + 1 + 3) / 6
    assert a[LZ][5:7] == (1, 500000)


def test_a_year_of_three_quarters_is_the_mean_of_three(dirs, tmp_path, monkeypatch):
    """汤阴 A1 2.5, 3, 3 over Q1–Q3: (2.5 + 3 + 3) / 3 = 2.8333 → 2.83 (over four it would be 2.13).
    With weights 1, 2, 3, 4 the mean is over the weights present: (2.5 + 6 + 9) / 6 = 2.9167 → 2.92."""
    _, out = dirs
    for q, score in enumerate([2.5, 3, 3], start=1):
        run(dirs, f"2020Q{q}", quarter_data(a1={TY: score}))
    assert publish_year(out, 2020) == ("provisional", 3)
    assert annual(out, 2020)[TY][:5] == dec("2.83", "0.00", "0.00", "0.00", "2.83")
    rubric_with(tmp_path, monkeypatch, **{"annual_weights = [1, 1, 1, 1]": "annual_weights = [1, 2, 3, 4]"})
    assert publish_year(out, 2020) == ("provisional", 3)
    assert annual(out, 2020)[TY][:5] == dec("2.92", "0.00", "0.00", "0.00", "2.92")


def test_a_group_of_one_unit_gets_no_reward(dirs, tmp_path, monkeypatch):
    """安阳高新区 alone in its group for 2020: first and last of it at once, yet rewarded neither. The
    amounts are made unequal (first +300000, last −200000) so that neither can hide the other."""
    units = registry_module.UNITS_FILE.read_text(encoding="utf-8") + "410571,安阳高新区,zone,2020,,高新区\n"
    groups = registry_module.GROUPS_FILE.read_text(encoding="utf-8") + "zone,功能区组,3\n"
    (tmp_path / "units.csv").write_text(units, encoding="utf-8")
    (tmp_path / "unit_groups.csv").write_text(groups, encoding="utf-8")
    original = registry_module.load_registry
    with_zone = lambda *a, **k: original(tmp_path / "units.csv", tmp_path / "unit_groups.csv")  # noqa: E731
    for module in list(sys.modules.values()):  # every module that took load_registry by name (sbsk.pipeline …)
        if getattr(module, "load_registry", None) is original:
            monkeypatch.setattr(module, "load_registry", with_zone)
    rubric_with(tmp_path, monkeypatch, **{"quarter_first_yuan = 200000": "quarter_first_yuan = 300000"})
    _, out = dirs
    data = quarter_data(a1={LZ: 3, HX: 1})
    data["R10"].append(dict(unit="安阳高新区", indicator="A1", score=2))
    run(dirs, "2020Q4", data)
    (zone,) = query(out, "select unit_group, total, group_rank, reward_yuan, tie from quarter_results "
                         "where quarter = '2020Q4' and unit_code = '410571'")
    assert zone == ("zone", Decimal("2.00"), 1, 0, False)
    county = dict(query(out, "select unit_code, (group_rank, reward_yuan, tie) from quarter_results "
                             "where quarter = '2020Q4' and unit_group = 'county'"))
    assert county[CODE[LZ]] == (1, 300000, False)
    # 安阳, 汤阴 and 内黄 all 0 in everything: tied for last, each −200000 with the tie flag
    assert [county[CODE[u]] for u in (AY, TY, NH)] == [(3, -200000, True)] * 3


def test_a_before_b_in_the_tie_break(dirs):
    """林州 (A 2, B 0) and 安阳 (A 1, B 1) tie at 2.00 for last, C level at 0: A decides, the lower is
    last: 安阳. With B before A it would be 林州. B1 = 3 × paid_in / the county maximum (汤阴's 3000)."""
    _, out = dirs
    run(dirs, "2020Q4", quarter_data(a1={LZ: 2, AY: 1, TY: 3, HX: 2.5, NH: 2.4}, paid_in={AY: 1000, TY: 3000}))
    r = results(out, "2020Q4")
    assert r[LZ][:5] == dec("2.00", "0.00", "0.00", "0.00", "2.00")
    assert r[AY][:5] == dec("1.00", "1.00", "0.00", "0.00", "2.00")
    assert r[TY][:5] == dec("3.00", "3.00", "0.00", "0.00", "6.00")
    assert r[TY][5:] == (1, 200000, False)
    assert r[AY][5:] == (4, -200000, False)
    assert r[LZ][5:] == (4, 0, False)


def _r09(unit: str, due: int, completed: int, start: int) -> list[dict]:
    """`due` items due 2020-06-30, `completed` of them done 2020-11-02, accepted 2020-01-02: far over 50
    working days, so none counts as fast."""
    rows = []
    for i in range(due):
        row = dict(unit=unit, project_name=f"审批{start + i}", item_name="施工许可", due_on=date(2020, 6, 30))
        if i < completed:
            row.update(accepted_on=date(2020, 1, 2), completed_on=date(2020, 11, 2))
        rows.append(row)
    return rows


def test_d_is_the_last_step_of_the_annual_tie_break(dirs):
    """Only Q4 scores. 林州: D3 = 7 × 1/9 (9 items due, 1 done, slowly) = 0.7778 → 0.78, so its annual D is
    0.78 / 4 = 0.195 → 0.20 and its total 0.20. 安阳: A1 0.01, D1 0.3 (一般) + D3 7 × 1/15 = 0.4667 → 0.47:
    D 0.77 / 4 = 0.1925 → 0.19, A 0.01 / 4 = 0.0025 → 0.00, total 0.78 / 4 → 0.20. Level on total, C, A
    and B: the higher D (林州) is first. Without D both would share it, with the tie flag."""
    _, out = dirs
    for q in (1, 2, 3):
        run(dirs, f"2020Q{q}", quarter_data())
    q4 = quarter_data(a1={AY: 0.01}, d1={AY: ["一般"]})
    q4["R09"] = [r for r in q4["R09"] if r["unit"] not in (LZ, AY)] + _r09(LZ, 9, 1, 1000) + _r09(AY, 15, 1, 2000)
    run(dirs, "2020Q4", q4)
    d = dict(query(out, "select unit_code, score_d from quarter_results where quarter = '2020Q4'"))
    assert (d[CODE[LZ]], d[CODE[AY]]) == (Decimal("0.78"), Decimal("0.77"))
    assert publish_year(out, 2020) == ("done", 4)
    a = annual(out, 2020)
    assert a[LZ][:5] == dec("0.00", "0.00", "0.00", "0.20", "0.20")
    assert a[AY][:5] == dec("0.00", "0.00", "0.00", "0.19", "0.20")
    assert a[LZ][5:8] == (1, 500000, False)
    assert a[AY][5:8] == (1, 0, False)
