"""Due dates and lateness by the PRC working-day calendar (SPEC §2, §12), worked out by hand.

The holidays, as the State Council announced them (and as chinese-calendar holds them):
- 2020 Spring Festival: 01-24 … 02-02 (extended for the epidemic; the 02-01 Saturday make-up day lapsed).
- 2020 Qingming: 04-04 … 04-06.
- 2020 National Day + Mid-Autumn: 10-01 … 10-08; Sunday 09-27 and Saturday 10-10 are working days.
- 2021 New Year: 01-01 … 01-03.
- 2021 Spring Festival: 02-11 … 02-17; Sunday 02-07 and Saturday 02-20 are working days.
"""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from datetime import date

import pytest

from sbsk.config.deadlines import due_on, working_days_late
from sbsk.config.periods import Month, Quarter, parse_period
from sbsk.config.rubric import RUBRIC_FILE, RubricError, load_rubric, parse_rubric
from sbsk.config.workdays import CalendarError, is_workday
from sbsk.schemas import load_returns

RUBRIC = load_rubric()


def _with(**params):
    return dataclasses.replace(RUBRIC, parameters={**RUBRIC.parameters, **params})


def test_the_holidays_are_the_announced_ones():
    assert [d for d in (date(2020, 9, 27), date(2020, 10, 10), date(2021, 2, 7), date(2021, 2, 20))
            if not is_workday(d)] == []
    assert [d for d in (date(2020, 10, 1), date(2020, 10, 8), date(2020, 2, 1), date(2020, 2, 2),
                        date(2021, 2, 11), date(2021, 2, 17)) if is_workday(d)] == []


@pytest.mark.parametrize("period, due", [
    # 09-30 Wed; 10-01…08 off; 10-09 Fri (1), 10-10 Sat make-up day (2), 10-12 (3), 10-13 (4), 10-14 (5)
    ("2020Q3", date(2020, 10, 14)),
    # 12-31 Thu; 01-01…03 off; 01-04 … 01-08 are the five working days
    ("2020Q4", date(2021, 1, 8)),
    # 03-31 Tue; 04-01 (1), 04-02 (2), 04-03 (3), 04-04…06 off, 04-07 (4), 04-08 (5)
    ("2020Q1", date(2020, 4, 8)),
    # 06-30 Tue; 07-01 … 07-03 (3), weekend, 07-06 (4), 07-07 (5)
    ("2020Q2", date(2020, 7, 7)),
    # a month: the 3rd working day. 01-31 Fri is inside the Spring Festival; 02-03 (1), 02-04 (2), 02-05 (3)
    ("2020-01", date(2020, 2, 5)),
    # 09-30; 10-09 (1), 10-10 Sat make-up day (2), 10-12 Mon (3)
    ("2020-09", date(2020, 10, 12)),
    # 01-31 Sun; 02-01 Mon (1), 02-02 (2), 02-03 (3)
    ("2021-01", date(2021, 2, 3)),
])
def test_due_dates(period, due):
    assert due_on(parse_period(period), RUBRIC) == due


def test_the_working_day_counts_are_rubric_data():
    # quarter: 1st working day after 2020-09-30 is 10-09, the first day back from National Day
    assert due_on(Quarter(2020, 3), _with(due_working_day=1)) == date(2020, 10, 9)
    # month: 10th after 2021-01-31: 02-01…05 (5), Sun 02-07 make-up (6), 02-08 (7), 02-09 (8), 02-10 (9),
    # 02-11…17 Spring Festival, 02-18 (10)
    assert due_on(Month(2021, 1), _with(dispatch_due_working_day=10)) == date(2021, 2, 18)
    # each kind takes its own parameter: the month's setting does not move a quarter
    assert due_on(Quarter(2020, 3), _with(dispatch_due_working_day=10)) == date(2020, 10, 14)


@pytest.mark.parametrize("due, received, late", [
    (date(2020, 10, 14), date(2020, 10, 14), 0),    # on the due day
    (date(2020, 10, 14), date(2020, 9, 28), 0),     # early
    (date(2020, 10, 14), date(2020, 10, 15), 1),
    (date(2020, 10, 14), date(2020, 10, 16), 2),
    (date(2020, 10, 14), date(2020, 10, 18), 2),    # the weekend adds nothing
    (date(2020, 10, 14), date(2020, 10, 19), 3),
    # due 09-30 (a Wednesday), received after National Day: 10-09 (1), Sat 10-10 (2), 10-12 (3)
    (date(2020, 9, 30), date(2020, 10, 12), 3),
    # due 2021-02-03: 02-04, 02-05, Sun 02-07, 02-08, 02-09, 02-10, (holiday), 02-18, 02-19 = 8
    (date(2021, 2, 3), date(2021, 2, 19), 8),
    (date(2021, 2, 3), date(2021, 2, 20), 9),       # Saturday 02-20 is a make-up working day
    (date(2021, 2, 3), date(2021, 2, 21), 9),
    (date(2021, 2, 10), date(2021, 2, 17), 0),      # the whole holiday counts nothing
])
def test_working_days_late(due, received, late):
    assert working_days_late(due, received) == late


def test_outside_the_calendar_is_an_error_never_a_guess():
    with pytest.raises(CalendarError, match="2027-01-01 超出工作日历覆盖的年份（2004–2026年）"):
        due_on(Quarter(2026, 4), RUBRIC)
    with pytest.raises(CalendarError, match="2003-12-31 超出工作日历"):
        working_days_late(date(2003, 12, 31), date(2004, 1, 5))
    with pytest.raises(CalendarError, match="2027-01-04"):
        working_days_late(date(2026, 12, 30), date(2027, 1, 4))


def test_periods_parse_quarters_and_months():
    assert parse_period("2020Q3") == Quarter(2020, 3) and parse_period("2020-07") == Month(2020, 7)
    assert Month(2020, 2).end == date(2020, 2, 29) and Month(2021, 2).end == date(2021, 2, 28)
    assert Month(2020, 7).quarter == Quarter(2020, 3) and Month(2020, 7).chinese == "2020年7月"
    for bad in ("2020-13", "2020Q5", "2020-7", "202007", ""):
        with pytest.raises(ValueError, match="not a period"):
            parse_period(bad)


def _doc() -> dict:
    with open(RUBRIC_FILE, "rb") as fh:
        return tomllib.load(fh)


@pytest.mark.parametrize("key, value", [
    ("due_working_day", 0), ("due_working_day", "5"), ("due_working_day", True), ("due_working_day", 2.5),
    ("dispatch_due_working_day", 31), ("dispatch_due_working_day", -1),
])
def test_due_parameters_are_validated_on_load(key, value):
    doc = copy.deepcopy(_doc())
    doc["parameters"][key] = value
    with pytest.raises(RubricError, match=f"parameters.{key}: needs a whole number of working days from 1 to 30"):
        parse_rubric(doc, set(load_returns().returns))


def test_due_parameters_are_required():
    doc = _doc()
    del doc["parameters"]["dispatch_due_working_day"]
    with pytest.raises(RubricError, match="parameters: missing \\['dispatch_due_working_day'\\]"):
        parse_rubric(doc, set(load_returns().returns))
    assert (RUBRIC.parameters["due_working_day"], RUBRIC.parameters["dispatch_due_working_day"]) == (5, 3)
