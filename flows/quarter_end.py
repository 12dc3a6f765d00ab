"""The scheduled run: evaluate the quarter that has just ended, then the year after its Q4."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import Failed

from sbsk.flows.annual import annual_composite
from sbsk.flows.quarter import score_quarter
from sbsk.config.periods import Quarter

CITY_TZ = ZoneInfo("Asia/Shanghai")


def last_ended_quarter(day: date) -> Quarter:
    """The latest quarter that ended before `day` (on 2020-10-10 that is 2020Q3)."""
    q = (day.month - 1) // 3  # quarters fully behind us this year
    return Quarter(day.year, q) if q else Quarter(day.year - 1, 4)


def _scheduled_day() -> date:
    when = flow_run.scheduled_start_time or datetime.now(CITY_TZ)
    return when.astimezone(CITY_TZ).date()


@flow(name="quarter-end", validate_parameters=True)
def quarter_end(quarter: str | None = None, raw_dir: str = "data/raw", out_dir: str = "data/out",
                continue_on_missing: bool = False):
    """Without `quarter`, the one that ended before the scheduled day (Asia/Shanghai)."""
    q = Quarter.parse(quarter) if quarter else last_ended_quarter(_scheduled_day())
    outcome = score_quarter(str(q), raw_dir, out_dir, continue_on_missing)
    if q.q == 4 and outcome["status"] != "failed":
        annual_composite(q.year, out_dir)
    if outcome["exit_code"]:
        # the scheduler must notice: a missing return or a rejected file fails the run
        return Failed(message=f"{q}: {outcome['message'] or outcome['status']}", data=outcome)
    return outcome
