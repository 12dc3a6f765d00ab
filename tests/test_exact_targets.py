"""A progress target is exact as written (SPEC §5: 0.333333 is 0.333333, not 0.3333): the generic
model takes it as the fraction target_n / target_d."""

from __future__ import annotations

from decimal import Decimal

from builders import CODE, baseline, write_quarter
from conftest import evaluate, query
from sbsk.config.rubric import RUBRIC_FILE


def test_a_six_decimal_target_is_not_cut_to_four(tmp_path, monkeypatch, dirs):
    text = RUBRIC_FILE.read_text(encoding="utf-8").replace(
        'metric = "central_budget_progress" }', 'metric = "central_budget_progress", target = 0.333333 }')
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SBSK_RUBRIC", str(rubric))
    raw, out = dirs
    rows = baseline()
    # 林州市 has paid 3329.8 of 10000 allocated: r = 0.33298
    rows["R06"][0] = dict(unit="林州市", project_name="中央1", allocated=10000, paid=3329.8)
    write_quarter(raw, "2020Q3", rows)
    evaluate(raw, out, "2020Q3")
    (points, points_1, basis_1), = query(
        out, "select points, points_1, basis_1 from indicator_scores where indicator_code = 'C6' and unit_code = ?",
        [CODE["林州市"]])
    # 5 × 0.33298 / 0.333333 = 4.994705… → 4.99. Against a target cut to 0.3333 it would be
    # 5 × 0.33298 / 0.3333 = 4.99520… → 5.00.
    assert points == Decimal("4.99")
    assert abs(points_1 - 5 * 0.33298 / 0.333333) < 1e-12
    assert basis_1 == 0.333333
