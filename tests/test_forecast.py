"""The forecast of the home city's provincial rank (SPEC §10): the arithmetic on four made-up
cities, worked out by hand, and the home city's metrics aggregated from its units' stored quarter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction as F

from builders import baseline, write_quarter
from conftest import evaluate

from sbsk import REFERENCE_DIR
from sbsk.config.periods import Month, Quarter
from sbsk.config.rubric_years import rubric_for_year
from sbsk.store.forecast import home_values, forecast_points
from sbsk.store.warehouse import read_only

PROVINCE = rubric_for_year(2020, None, REFERENCE_DIR / "province")
CITIES = {"410500": "安阳市", "410100": "郑州市", "410200": "开封市", "410300": "洛阳市"}
H, P, Q, R = CITIES

# A2-1 relative 5: leader 8 → H 4/8·5 = 2.5, P 5, Q 2/8·5 = 1.25, R 5
# A2-2 relative 5: R has no value → left out for every city
# C1-1 threshold 3 (≥ 1): H 3, P 0, Q 3, R 3; C1-2 nobody sent → left out
# C6-1 progress 5 at t(Q3) = 0.75: H 0.6 → 4, P 0.9 → 5 (capped), Q 0.3 → 2, R 0.75 → 5
# D1-1 graded 2: H 1.6, P 0.6, Q 2.4 → 2 (capped), R 0
# totals: H 11.1, P 10.6, Q 8.25, R 13; covered 5 + 3 + 5 + 2 = 15
VALUES = {
    ("A2", 1): {H: F(4), P: F(8), Q: F(2), R: F(8)},
    ("A2", 2): {H: F(100), P: F(50), Q: F(200)},
    ("C1", 1): {H: F(1), P: F(0), Q: F(2), R: F(1)},
    ("C6", 1): {H: F(6, 10), P: F(9, 10), Q: F(3, 10), R: F(75, 100)},
    ("D1", 1): {H: F(16, 10), P: F(6, 10), Q: F(24, 10), R: F(0)},
}


def test_the_totals_the_parts_left_out_and_the_rank():
    result = forecast_points(PROVINCE, Quarter(2020, 3), CITIES, H, VALUES, Decimal(3))
    totals = {c.unit_code: (c.total, c.rank) for c in result.cities}
    assert totals == {H: (Decimal("11.1"), 2), P: (Decimal("10.6"), 3), Q: (Decimal("8.25"), 4), R: (Decimal(13), 1)}
    assert result.parts_forecast == [("A2", 1), ("C1", 1), ("C6", 1), ("D1", 1)]
    assert result.parts_left_out[("A2", 2)] == ["洛阳市"]          # the one city without a value
    assert ("A1", 1) not in result.parts_left_out                # an assessor part is never forecast
    assert result.covered_points == Decimal(15)
    # band 3: every other total 3 lower (P 7.6, Q 5.25, R 10) → 1st; 3 higher (13.6, 11.25, 16) → 4th
    assert (result.best_rank, result.worst_rank) == (1, 4)
    assert result.headline == "预计全省第2名（第1至第4名，覆盖15分）"


def test_a_city_exactly_level_at_the_edge_of_the_band_shares_the_rank():
    # band 0.5: P + 0.5 = 11.1 is level with H (shares, not above) and R − 0.5 = 12.5 stays above
    result = forecast_points(PROVINCE, Quarter(2020, 3), CITIES, H, VALUES, Decimal("0.5"))
    assert (result.best_rank, result.worst_rank) == (2, 2)


def test_a_month_takes_the_monthly_time_progress():
    # July: t = 7/12; C6-1: H 0.6 / (7/12) > 1 → 5, Q 0.3 · 12/7 · 5 = 2.5714… → C6 2.57
    result = forecast_points(PROVINCE, Month(2020, 7), CITIES, H, VALUES, Decimal(3))
    c6 = {u: pts for u, ind, part, _, pts in result.scores if ind == "C6"}
    assert c6[H] == 5 and c6[Q] == F(3, 10) * F(12, 7) * 5
    assert {c.unit_code: c.total for c in result.cities}[Q] == Decimal("1.25") + 3 + Decimal("2.57") + 2


def test_the_home_city_sums_numerators_and_denominators_never_a_mean_of_ratios(dirs):
    """B4 is a share (landed Σ contract_amount / Σ contract_amount): 林州市 lands 100 of 100 (1.0),
    安阳县 100 of 400 (0.25), everyone else 0 of 100·i. Σ/Σ over the nine units = 200 / (100 + 400 +
    100·(3+…+9)) = 200 / 4700; the mean of the ratios would be 1.25 / 9. B2-1 is a count: 10 rows."""
    raw, out = dirs
    returns = baseline()
    day = date(2020, 8, 1)
    returns["R02"][0]["landed"] = "是"
    returns["R02"][1]["contract_amount"] = 300
    returns["R02"].append(dict(unit="安阳县", project_name="签约x", signed_on=day, contract_amount=100,
                               funding_origin="省内", paid_in=0, top_investor="否", landed="是"))
    write_quarter(raw, "2020Q3", returns)
    evaluate(raw, out, "2020Q3")
    city = rubric_for_year(2020)
    with read_only(out) as con:
        home = home_values(con, Quarter(2020, 3), PROVINCE, city)
    assert home[("B4", 1)] == F(200, 4700)
    assert home[("B2", 1)] == 10
    assert home[("B2", 2)] == 100 + 400 + sum(100 * i for i in range(3, 10))
    assert ("A1", 1) not in home  # assessor: no home value


def test_a_month_sums_its_units_stored_dispatch_the_same_way(dirs):
    """The same returns as a dispatch of August (dispatch_scores, not indicator_scores): Σ/Σ = 200 / 4700,
    and C6-1, paid / allocated (R06: 50 of 100 for each of the nine units), 450 / 900."""
    from sbsk.dispatch import evaluate_dispatch

    raw, out = dirs
    returns = baseline()
    returns["R02"][0]["landed"] = "是"
    returns["R02"][1]["contract_amount"] = 300
    returns["R02"].append(dict(unit="安阳县", project_name="签约x", signed_on=date(2020, 8, 1), contract_amount=100,
                               funding_origin="省内", paid_in=0, top_investor="否", landed="是"))
    write_quarter(raw, "2020-08", returns)
    assert evaluate_dispatch("2020-08", raw, out)["status"] == "provisional"
    with read_only(out) as con:
        home = home_values(con, Month(2020, 8), PROVINCE, rubric_for_year(2020))
    assert home[("B4", 1)] == F(200, 4700) and home[("C6", 1)] == F(1, 2) and home[("B2", 1)] == 10


def test_a_share_with_no_denominator_anywhere_is_0_for_the_home_city(dirs):
    """No unit was allocated central budget money (R06 sent with no rows): Σ denominators = 0 → 0."""
    raw, out = dirs
    returns = baseline()
    returns["R06"] = []
    write_quarter(raw, "2020Q3", returns)
    state = evaluate(raw, out, "2020Q3")
    r06 = next(r for r in state["results"] if r.return_code == "R06")
    assert (r06.status, r06.rows_loaded) == ("loaded", 0) and "R06" not in state["missing"]
    with read_only(out) as con:
        home = home_values(con, Quarter(2020, 3), PROVINCE, rubric_for_year(2020))
    assert home[("C6", 1)] == 0


def test_a_relative_part_is_against_the_maximum_over_all_cities_the_home_city_included():
    # A2-1 relative 5, the home city leads with 10: H 5, P 5/10·5 = 2.5, Q 2, R 0; H first on 5 covered points
    result = forecast_points(PROVINCE, Quarter(2020, 3), CITIES, H, {("A2", 1): {H: F(10), P: F(5), Q: F(4), R: F(0)}})
    assert [(c.unit_code, c.total, c.rank) for c in result.cities] == [
        (H, Decimal(5), 1), (P, Decimal("2.5"), 2), (Q, Decimal(2), 3), (R, Decimal(0), 4)]
    # band 3 (the default): the others 3 higher are 5.5, 5, 3 → 2nd (P above, Q level and shares)
    assert (result.best_rank, result.worst_rank, result.covered_points) == (1, 2, Decimal(5))


def test_the_note_names_the_parts_left_out_as_the_rubric_names_them():
    """26 parts that are not the assessor's A1-1, 4 forecast: 22 left out. A2-2 lacks 洛阳市 alone;
    the other 21 (C1-2 among them) were sent by no other city."""
    from sbsk.outputs.forecast import left_out_note

    result = forecast_points(PROVINCE, Quarter(2020, 3), CITIES, H, VALUES, Decimal(3))
    assert left_out_note(result) == (
        "未预判22个分项（某个省辖市缺数据的分项，所有省辖市都不计）：A2纳入省重大项目储备库项目情况第2分项（缺洛阳市）；"
        "另有21个分项各省辖市均未报对标数据。专班评分的分项没有本市汇总值，不预判。")
    # the home city without a value of its own (its units' period lacks the part): said so, not "缺安阳市"
    values = {k: v for k, v in VALUES.items() if k != ("A2", 2)} | {("A2", 2): {P: F(1), Q: F(1), R: F(1)}}
    note = left_out_note(forecast_points(PROVINCE, Quarter(2020, 3), CITIES, H, values, Decimal(3)))
    assert "A2纳入省重大项目储备库项目情况第2分项（本市无汇总数据）" in note


def test_the_workbook_sheet_gives_each_note_the_lines_it_wraps_to(tmp_path):
    """The sheet is three columns of 16 (48 units, about 25 CJK glyphs a line at 1.9 units each): a
    note of 60 glyphs takes 3 lines, 3·15 + 6 = 51 points; a fixed two lines cut the third on paper."""
    from openpyxl import Workbook

    from sbsk.outputs.dispatch_workbook import ForecastSection, forecast_sheet

    ws = Workbook().active
    forecast_sheet(ws, Month(2020, 8), ForecastSection("预计全省第2名（第1至第4名，覆盖15分）", ["a", "b", "c"],
                                                        [[1, "x", "1.00"]], ["注" * 60, "短"], 0))
    notes = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value in ("注" * 60, "短")]
    assert [ws.row_dimensions[r].height for r in notes] == [51, 22]
