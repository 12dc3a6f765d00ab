"""A month's dispatch (月调度, SPEC §9): the steps of sbsk.dispatch.DISPATCH_STEPS, each a Prefect
task; discovering, archiving and reading files are the quarter's own tasks (the same cache of file
verdicts), combining, scoring and the workbook the month's."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from sbsk import dispatch
from sbsk.flows import run_state
from sbsk.flows.steps import run_step
from sbsk.flows.quarter import TASKS as QUARTER_TASKS
from sbsk.flows.quarter import say

TASKS = {
    "discover": QUARTER_TASKS["discover"],
    "archive": QUARTER_TASKS["archive"],
    "ingest": QUARTER_TASKS["ingest"],
    "combine": task(dispatch.combine_month, cache_policy=NO_CACHE, task_run_name="dispatch-combine"),
    "publish": task(dispatch.publish_month, cache_policy=NO_CACHE, task_run_name="dispatch-score-{quarter}"),
    "report": task(dispatch.write_month_reports, cache_policy=NO_CACHE, task_run_name="dispatch-report-{quarter}"),
}


def as_task(step, args: dict):
    return run_step(TASKS, step, args)


@flow(name="dispatch", flow_run_name="dispatch-{month}", validate_parameters=True,
      description="四比四看：月调度（按月末数据暂定计分、排名、预警）")
def dispatch_month(month: str, raw_dir: str = "data/raw", out_dir: str = "data/out", reference_dir: str | None = None):
    """Ends Completed, or Failed when a return is missing or a file was rejected whole (the month is
    scored and published all the same); its data is the outcome dict (run_state.outcome_of).
    `reference_dir` is the reference set (--reference), default the shipped one."""
    run_state.tag_current_run(month, "dispatch")
    state = dispatch.evaluate_dispatch(month, Path(raw_dir), Path(out_dir), call=as_task, say=say,
                                       reference_dir=Path(reference_dir) if reference_dir else None)
    outcome = dispatch.dispatch_outcome(state)
    say(f"[{outcome.month}] 月调度完成（暂定）{outcome.message}")
    data = {**asdict(outcome), "outputs": [str(p) for p in outcome.outputs]}
    return run_state.finish(data, dispatch.dispatch_message(outcome, Path(raw_dir), Path(out_dir)))
