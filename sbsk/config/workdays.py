"""The official PRC working-day calendar (statutory holidays and 调休 working weekends)."""

from __future__ import annotations

from datetime import date
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


def calendar_frame() -> pd.DataFrame:
    """Every day the calendar covers, with a running count of working days up to and including it."""
    lo, hi = covered_years()
    days = pd.date_range(date(lo, 1, 1), date(hi, 12, 31), freq="D")
    work = [chinese_calendar.is_workday(d.date()) for d in days]
    frame = pd.DataFrame({"day": days.date, "is_workday": work})
    frame["workday_index"] = frame["is_workday"].cumsum()
    return frame
