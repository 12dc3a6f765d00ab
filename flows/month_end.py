"""The scheduled dispatch: on the 5th of every month, the dispatch (月调度) of the month just ended."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import Completed, Failed

from sbsk.config.periods import Month
from sbsk.dispatch import month_folder_problem
from sbsk.flows import run_state
from sbsk.flows.dispatch import dispatch_month
from sbsk.flows.quarter_end import CITY_TZ


def last_ended_month(day: date) -> Month:
    """The month before `day`'s (on 2020-08-05 that is 2020-07; on 2021-01-05, 2020-12)."""
    return Month(day.year, day.month - 1) if day.month > 1 else Month(day.year - 1, 12)


def _scheduled_day() -> date:
    when = flow_run.scheduled_start_time or datetime.now(CITY_TZ)
    return when.astimezone(CITY_TZ).date()


def _run_name() -> str:
    """month-end-2020-07: the month asked for, or the one that ended before the scheduled day."""
    month = (flow_run.parameters or {}).get("month")
    return f"month-end-{month or last_ended_month(_scheduled_day())}"


@flow(name="month-end", flow_run_name=_run_name, validate_parameters=True,
      description="四比四看：每月5日对上月进行月调度")
def month_end(month: str | None = None, raw_dir: str = "data/raw", out_dir: str = "data/out"):
    """Without `month`, the one that ended before the scheduled day (Asia/Shanghai). A month with no
    folder of returns at all fails without storing anything."""
    m = Month.parse(month) if month else last_ended_month(_scheduled_day())
    run_state.tag_current_run(str(m), "dispatch")
    problem = month_folder_problem(Path(raw_dir), m)
    if problem:
        return Failed(message=problem, data={"month": str(m), "status": "failed", "exit_code": 2, "missing": [],
                                             "message": problem, "outputs": []})
    state = dispatch_month(str(m), raw_dir, out_dir, return_state=True)
    outcome = run_state.outcome_of(state)
    # a missing return or a file rejected whole: the dispatch is published, and the run says so
    return (Failed if outcome["exit_code"] else Completed)(message=state.message, data=outcome)
