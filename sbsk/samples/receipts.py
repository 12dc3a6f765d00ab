"""Plausible receipt times for the demo's returns, so that its 催报单 and `sbsk status PERIOD` read
like a real quarter's: each department sends a day or a few before the due date, except that in the
third quarter the finance bureau (czj) is two working days late. A receipt time comes from a file's
modification time when that is earlier than sbsk's first sight of it (SPEC §12), so setting the
times of the files written is enough."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path

from sbsk.config.deadlines import due_on
from sbsk.config.periods import Period, parse_period
from sbsk.config.rubric import load_rubric
from sbsk.config.workdays import CalendarError, is_workday, nth_workday_after
from sbsk.intake.receipts import BEIJING

LATE_IN_Q3 = {"czj": 2}            # department → working days late in the third quarter
EARLY = {"fgw": 1, "czj": 2, "tjj": 3, "swj": 1, "zwfw": 2, "zdxmb": 0}   # working days before the due day


def received_at(period: Period, department: str, due: date) -> datetime:
    if period.kind == "quarter" and period.q == 3 and department in LATE_IN_Q3:
        day = nth_workday_after(due, LATE_IN_Q3[department])
    else:
        day, early = due, EARLY.get(department, 1)
        while early:
            day -= timedelta(days=1)
            early -= is_workday(day)
    return datetime(day.year, day.month, day.day, 16, 30, tzinfo=BEIJING)


def date_sample_files(paths: list[Path], raw_dir: Path) -> None:
    """Set each demo file's modification time to when its department 'sent' it (a month's returns by
    the month's due date, each department as early as in a quarter). A year beyond the
    working-day calendar keeps today's times."""
    rubric = load_rubric()
    for path in paths:
        parts = Path(path).relative_to(raw_dir).parts
        period, department = parse_period(parts[0]), parts[1]  # a quarter, or a dispatch's month
        try:
            moment = received_at(period, department, due_on(period, rubric)).timestamp()
        except CalendarError:
            continue
        os.utime(path, (moment, moment))
