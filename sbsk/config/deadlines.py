"""When a period's returns are due, and how late a receipt is (SPEC §12), by the PRC working-day calendar.

A quarter's returns are due by the rubric's `due_working_day`-th working day after the quarter end, a
month's by its `dispatch_due_working_day`-th. A day the calendar does not know raises CalendarError:
a due date is never guessed.
"""

from __future__ import annotations

from datetime import date

from sbsk.config.periods import Period
from sbsk.config.rubric import Rubric
from sbsk.config.workdays import nth_workday_after, workdays_after

DUE_PARAMETER = {"quarter": "due_working_day", "month": "dispatch_due_working_day"}


def due_working_day(period: Period, rubric: Rubric) -> int:
    return int(rubric.parameters[DUE_PARAMETER[period.kind]])


def due_on(period: Period, rubric: Rubric) -> date:
    return nth_workday_after(period.end, due_working_day(period, rubric))


def working_days_late(due: date, day: date) -> int:
    """Working days after `due` up to and including `day`: a receipt on the due day (or before) is 0."""
    return workdays_after(due, day)
