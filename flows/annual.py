"""The annual composite from the stored quarters."""

from __future__ import annotations

import sys
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from sbsk.schemas import load_returns
from sbsk import pipeline
from sbsk.flows import run_state
from sbsk.outputs.bulletin import write_annual_bulletin
from sbsk.files import atomic_path
from sbsk.outputs.parquet_export import export_year
from sbsk.config.registry import load_registry
from sbsk.config.rubric import load_rubric


@task(cache_policy=NO_CACHE, task_run_name="annual-composite-{year}")
def compute_year(year: int, out_dir: Path, run_id: str, started) -> tuple[str, int]:
    return pipeline.publish_year(year, load_returns(), load_rubric(), load_registry(), out_dir, run_id, started)


@task(cache_policy=NO_CACHE, task_run_name="annual-bulletin-{year}")
def write_bulletin(year: int, out_dir: Path) -> Path:
    folder = out_dir / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    con = pipeline.open_published(out_dir)
    target = folder / f"bulletin-{year}.xlsx"
    try:
        with atomic_path(target) as tmp:
            write_annual_bulletin(con, year, tmp)
    finally:
        con.close()
    export_year(out_dir, year)
    return target


@flow(name="annual-composite", flow_run_name="annual-{year}", validate_parameters=True,
      description="四比四看：由已计分的季度计算年度结果和年度通报")
def annual_composite(year: int, out_dir: str = "data/out"):
    """Ends Completed, or Failed when no quarter of the year is scored; data: the outcome dict."""
    out = Path(out_dir)
    run_state.tag_current_run(str(year))
    run_id, started = pipeline.new_run_id(), pipeline.now()
    status, found = compute_year(year, out, run_id, started)
    if status == "failed":
        message = f"{year}年没有已计分的季度，请先运行 sbsk run {year}Q1 …"
        pipeline.record_failure(out, load_returns(), "annual", None, year, run_id, started, message,
                                load_rubric().version)
        print(f"[{year}] 失败：{message}", file=sys.stderr)
        return run_state.finish({"year": year, "status": "failed", "exit_code": 1, "message": message, "outputs": []},
                                f"{year}年度结果未计算：{message}。")
    path = write_bulletin(year, out)
    note = "" if status == "done" else f"（暂定：{found}个季度或含暂定季度）"
    print(f"[{year}] 年度结果完成{note}", file=sys.stderr)
    return run_state.finish({"year": year, "status": status, "exit_code": 0, "message": note, "outputs": [str(path)]},
                            f"{year}年度结果已发布{note}。")
