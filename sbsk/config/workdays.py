"""The official PRC working-day calendar (statutory holidays and 调休 working weekends)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import chinese_calendar
import pandas as pd


class CalendarError(ValueError):
    pass


@cache
def covered_years() -> tuple[int, int]:
    """First and last year the installed calendar data knows."""
    years = [y for y in range(1990, 2101) if _known(y)]
    if not years:
        raise CalendarError("the chinese-calendar package holds no year at all")
    return years[0], years[-1]


def _known(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


@cache
def _covered_days() -> tuple[list[date], list[bool], dict[date, int]]:
    """Every covered day, whether it is a working day, and the running count of working days up to and
    including it: asked once per process (about 8,400 days), since a run asks about many days (a
    return received years after its due date is thousands of days late)."""
    lo, hi = covered_years()
    days = [d.date() for d in pd.date_range(date(lo, 1, 1), date(hi, 12, 31), freq="D")]
    # chinese_calendar.is_workday's own rule over its tables: a 调休 working day, or a weekday that is
    # no holiday (its per-call range check costs 40 µs, 0.3 s over the covered days)
    extra, off = chinese_calendar.workdays, chinese_calendar.holidays
    work = [d in extra or (d.weekday() <= 4 and d not in off) for d in days]
    index, count = {}, 0
    for day, is_work in zip(days, work):
        count += is_work
        index[day] = count
    return days, work, index


def calendar_frame() -> pd.DataFrame:
    """Every day the calendar covers, with a running count of working days up to and including it."""
    days, work, index = _covered_days()
    return pd.DataFrame({"day": days, "is_workday": work, "workday_index": [index[d] for d in days]})


def _check_covered(day: date) -> None:
    lo, hi = covered_years()
    if not lo <= day.year <= hi:
        raise CalendarError(f"{day.isoformat()} 超出工作日历覆盖的年份（{lo}–{hi}年），无法计算工作日；"
                            f"请升级 chinese-calendar 以取得{day.year}年的法定节假日安排")


def is_workday(day: date) -> bool:
    """A working day by the official calendar (调休 weekends count; statutory holidays do not)."""
    _check_covered(day)
    return chinese_calendar.is_workday(day)


def nth_workday_after(day: date, n: int) -> date:
    """The n-th working day after `day` (n ≥ 1; `day` itself never counts)."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    found = day
    while n:
        found += timedelta(days=1)
        if is_workday(found):
            n -= 1
    return found


def workdays_after(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; 0 when `end` is not after `start`."""
    _check_covered(start)
    _check_covered(end)
    if end <= start:
        return 0
    index = _covered_days()[2]
    return index[end] - index[start]
