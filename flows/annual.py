"""The annual composite from the stored quarters: the steps of sbsk.pipeline.YEAR_STEPS (publish →
report), each run as a Prefect task."""

from __future__ import annotations

import sys
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from sbsk import pipeline
from sbsk.flows import run_state
from sbsk.flows.steps import run_step

# One task per step of sbsk.pipeline.YEAR_STEPS, same function, same parameters.
TASKS = {
    "publish": task(pipeline.publish_annual, cache_policy=NO_CACHE, task_run_name="annual-composite-{year}"),
    "report": task(pipeline.write_annual_reports, cache_policy=NO_CACHE, task_run_name="annual-bulletin-{year}"),
}


def say(message: str) -> None:
    print(message, file=sys.stderr)


def as_task(step: pipeline.Step, args: dict):
    return run_step(TASKS, step, args)


@flow(name="annual-composite", flow_run_name="annual-{year}", validate_parameters=True,
      description="四比四看：由已计分的季度计算年度结果和年度通报")
def annual_composite(year: int, out_dir: str = "data/out", rubric_file: str | None = None,
                     reference_dir: str | None = None):
    """Ends Completed, or Failed when no quarter of the year is scored; data: the outcome dict.
    `rubric_file` overrides the rubric governing the year (--rubric); `reference_dir` is the
    reference set (--reference)."""
    run_state.tag_current_run(str(year))
    state = pipeline.evaluate_year(year, Path(out_dir), call=as_task, say=say, rubric_file=rubric_file,
                                 reference_dir=Path(reference_dir) if reference_dir else None)
    if state["status"] == "failed":
        message = pipeline.year_missing_message(year)
        return run_state.finish({"year": year, "status": "failed", "exit_code": 1, "message": message, "outputs": []},
                                f"{year}年度结果未计算：{message}。")
    note = "" if state["status"] == "done" else f"（暂定：{state['found']}个季度或含暂定季度）"
    if state["drafts"]:  # SPEC §12: a quarter never published enters as its draft, and is said
        note += f"（{'、'.join(state['drafts'])}尚未发布，按草稿计入）"
    say(f"[{year}] 年度结果完成{note}")
    return run_state.finish({"year": year, "status": state["status"], "exit_code": 0, "message": note,
                             "outputs": [str(p) for p in state["reports"]]}, f"{year}年度结果已发布{note}。")
