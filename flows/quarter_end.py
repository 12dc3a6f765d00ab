"""The scheduled run: evaluate the quarter that has just ended, then the year after its Q4."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import Completed, Failed

from sbsk import pipeline
from sbsk.flows import run_state
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


def _run_name() -> str:
    """quarter-end-2020Q3: the quarter asked for, or the one that ended before the scheduled day."""
    quarter = (flow_run.parameters or {}).get("quarter")
    return f"quarter-end-{quarter or last_ended_quarter(_scheduled_day())}"


@flow(name="quarter-end", flow_run_name=_run_name, validate_parameters=True,
      description="四比四看：季度结束后评价刚结束的季度，第四季度后计算年度结果")
def quarter_end(quarter: str | None = None, raw_dir: str = "data/raw", out_dir: str = "data/out",
                continue_on_missing: bool = False):
    """Without `quarter`, the one that ended before the scheduled day (Asia/Shanghai)."""
    q = Quarter.parse(quarter) if quarter else last_ended_quarter(_scheduled_day())
    run_state.tag_current_run(str(q))
    # returns left in month folders (2020-09/ for 2020Q3): refused as `sbsk run` refuses them, before
    # anything runs, so the schedule records no failed quarter with every return "missing"
    problem = pipeline.quarter_folder_problem(Path(raw_dir), q)
    if problem:
        refused = pipeline.QuarterOutcome(str(q), "failed", 2, message=problem)
        return Failed(message=problem, data={**asdict(refused), "outputs": []})
    state = score_quarter(str(q), raw_dir, out_dir, continue_on_missing, return_state=True)
    outcome = run_state.outcome_of(state)
    if q.q == 4 and outcome["status"] != "failed":
        run_state.outcome_of(annual_composite(q.year, out_dir, return_state=True))
    # the scheduler must notice: a missing return or a rejected file fails the run, with the quarter's message
    return (Failed if outcome["exit_code"] else Completed)(message=state.message, data=outcome)
