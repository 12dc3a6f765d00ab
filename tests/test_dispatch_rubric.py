"""The dispatch's rubric data (SPEC §9): the monthly time progress t(m) and the warning thresholds,
validated on load; and progress targets kept exact as written (0.333333, 7/12)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from builders import indicator_doc, rubric_doc
from sbsk.config.periods import Month, Quarter
from sbsk.config.rubric import RubricError, parse_rubric
from sbsk.schemas import load_returns

CODES = set(load_returns().returns)
_rubric, _indicator = rubric_doc, indicator_doc


def test_monthly_time_progress_is_m_over_12_exactly():
    rubric = parse_rubric(_rubric(), CODES)
    assert rubric.monthly_time_progress == tuple(Fraction(m, 12) for m in range(1, 13))
    c6 = rubric.indicator("C6").parts[0]
    # July: 7/12 = 0.58333…, not a rounded decimal
    assert c6.target_in_month(7, rubric.monthly_time_progress) == Fraction(7, 12)
    # the quarter keeps t(q) = q/4
    assert c6.target_in(3, rubric.time_progress) == Decimal("0.75")
    # a constant target stays in a month: D3 part 1 has target 1
    d3 = rubric.indicator("D3").parts[0]
    assert d3.target_in_month(7, rubric.monthly_time_progress) == 1
    # a part with no target method has none
    assert rubric.indicator("A2").parts[0].target_in_month(7, rubric.monthly_time_progress) is None


def test_warning_thresholds_are_rubric_data():
    w = parse_rubric(_rubric(), CODES).warnings
    assert (w.amber_ratio, w.relative_red, w.relative_amber) == (Decimal("0.9"), Decimal("0.5"), Decimal("0.8"))


def test_a_part_may_have_its_own_monthly_time_progress():
    doc = _rubric()
    own = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1]
    _indicator(doc, "C7")["parts"][0]["monthly_time_progress"] = own
    rubric = parse_rubric(doc, CODES)
    part = rubric.indicator("C7").parts[0]
    assert part.target_in_month(7, rubric.monthly_time_progress) == Decimal("0.6")
    assert rubric.indicator("C6").parts[0].target_in_month(7, rubric.monthly_time_progress) == Fraction(7, 12)


@pytest.mark.parametrize("breakage, message", [
    (lambda d: d.pop("monthly_time_progress"), "monthly_time_progress: needs twelve values in (0, 1], one per month"),
    (lambda d: d.update(monthly_time_progress=d["monthly_time_progress"][:11]),
     "monthly_time_progress: needs twelve values in (0, 1], one per month"),
    (lambda d: d["monthly_time_progress"].__setitem__(6, "7/0"),
     "monthly_time_progress[6]: '7/0' is neither a number nor a fraction"),
    (lambda d: d["monthly_time_progress"].__setitem__(6, "七/十二"),
     "monthly_time_progress[6]: '七/十二' is neither a number nor a fraction"),
    (lambda d: d["monthly_time_progress"].__setitem__(11, "13/12"),
     "monthly_time_progress: needs twelve values in (0, 1], one per month"),
    (lambda d: d["monthly_time_progress"].__setitem__(0, 0),
     "monthly_time_progress: needs twelve values in (0, 1], one per month"),
    (lambda d: d.pop("dispatch"), "[dispatch]: missing; it holds amber_ratio, relative_red, relative_amber"),
    (lambda d: d["dispatch"].pop("relative_amber"), "dispatch.relative_amber: missing"),
    (lambda d: d["dispatch"].update(amber_ratio=1.1), "dispatch.amber_ratio: needs a ratio in (0, 1], got 1.1"),
    (lambda d: d["dispatch"].update(relative_red=0), "dispatch.relative_red: needs a ratio in (0, 1], got 0"),
    (lambda d: d["dispatch"].update(relative_red="0.5"), "dispatch.relative_red: '0.5' is not a number"),
    (lambda d: d["dispatch"].update(relative_red=0.9),
     "dispatch: relative_red (0.9) must not exceed relative_amber (0.8)"),
    (lambda d: d["dispatch"].update(red_ratio=0.5), "[dispatch]: unknown key(s) ['red_ratio']"),
    (lambda d: _indicator(d, "D3")["parts"][0].update(monthly_time_progress=[1] * 12),
     "indicator D3 part 1: monthly_time_progress belongs to a progress part without a constant target"),
    (lambda d: _indicator(d, "C6")["parts"][0].update(monthly_time_progress=[0.5] * 4),
     "indicator C6 part 1.monthly_time_progress: needs twelve values in (0, 1], one per month"),
])
def test_broken_dispatch_rubric_is_refused(breakage, message):
    doc = _rubric()
    breakage(doc)
    with pytest.raises(RubricError) as err:
        parse_rubric(doc, CODES)
    assert message in str(err.value)


def test_months_and_their_windows():
    july, jan = Month.parse("2020-07"), Month.parse("2021-01")
    assert (july.start, july.end, july.year_start) == (july.start.replace(day=1), july.end, july.start.replace(month=1))
    assert str(july.end) == "2020-07-31" and str(Month(2020, 2).end) == "2020-02-29"   # 2020 is a leap year
    # C1's "in quarter" for August: the quarter holding it starts on 07-01
    assert Month(2020, 8).quarter == Quarter(2020, 3) and str(Month(2020, 8).quarter.start) == "2020-07-01"
    assert july.previous_in_year == Month(2020, 6) and jan.previous_in_year is None
    assert jan.previous == Month(2020, 12)
    # the quarters of the year closed by the month end: Q3 closes on 09-30, not by July
    assert july.quarters_closed == [Quarter(2020, 1), Quarter(2020, 2)]
    assert Month(2020, 9).quarters_closed == [Quarter(2020, 1), Quarter(2020, 2), Quarter(2020, 3)]
    for bad in ("2020Q3", "2020-7", "2020-13", "2020-00", "20-07"):
        with pytest.raises(ValueError):
            Month.parse(bad)
    with pytest.raises(ValueError):
        Quarter.parse("2020-07")
