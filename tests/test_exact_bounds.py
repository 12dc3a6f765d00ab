"""Exactness at the edges (issue 14): a progress target is used exactly as written in the rubric
(SPEC §5), and every amount the validation accepts, up to ±1e9 万元, is scored without overflow
(SPEC §3); beyond the bound a row is rejected (数值过大)."""

from __future__ import annotations

from decimal import Decimal

from builders import UNITS, baseline, write_quarter
from conftest import evaluate, query
from sbsk.config.rubric import RUBRIC_FILE

CODE = {name: code for code, name in UNITS.items()}


def _rubric_with(tmp_path, old: str, new: str):
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "rubric-test.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_progress_target_is_used_exactly_as_written(tmp_path, monkeypatch, dirs):
    monkeypatch.setenv("SBSK_RUBRIC", str(_rubric_with(
        tmp_path, 'metric = "central_budget_progress" }', 'metric = "central_budget_progress", target = 0.333333 }')))
    raw, out = dirs
    data = baseline()
    data["R06"] = [dict(r, allocated=100000, paid=19965.32) if r["unit"] == "林州市" else r for r in data["R06"]]
    write_quarter(raw, "2020Q3", data)
    assert evaluate(raw, out, "2020Q3")["status"] == "done"
    c6 = dict(query(out, "select unit_code, points from indicator_scores where quarter = '2020Q3' "
                         "and indicator_code = 'C6'"))
    # 林州: r = 19965.32 / 100000 = 0.1996532; 5 × r / 0.333333 = 0.998266 / 0.333333 = 2.99480… → 2.99
    # (with the target cut to 0.3333: 0.998266 / 0.3333 = 2.99509… → 3.00, the defect)
    assert c6[CODE["林州市"]] == Decimal("2.99")
    # everyone else paid 50 of 100: 0.5 / 0.333333 ≥ 1 → the full 5
    assert {p for u, p in c6.items() if u != CODE["林州市"]} == {Decimal("5.00")}
    basis = query(out, "select distinct basis_1 from indicator_scores where quarter = '2020Q3' and indicator_code = 'C6'")
    assert basis == [(0.333333,)]
