"""Evaluate a half year's on-site review (观摩评价, SPEC §11): discover → archive → read and validate
every R12 file → one row per assessor and unit → score and publish → review workbook.

The office runs it after each review (`sbsk review YYYYHn`); the scheduled deployment does not.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from sbsk import pipeline
from sbsk.flows import run_state
from sbsk.config.periods import HalfYear
from sbsk.config.level import load_level
from sbsk.config.registry import Registry
from sbsk.config.rubric import Rubric
from sbsk.config.rubric_years import rubric_for_year
from sbsk.files import atomic_path
from sbsk.intake.discover import discover
from sbsk.intake.ingest import FileResult, ingest
from sbsk.intake.review_rules import reject_second_scores
from sbsk.text import printable
from sbsk.intake.validate import Context, context_for
from sbsk.outputs.annotate import annotate
from sbsk.outputs.review_workbook import write_review_workbook
from sbsk.schemas import load_returns
from sbsk.store.archive import archive_file
from sbsk.store.review import publish_review


def say(message: str) -> None:
    sys.stderr.write(printable(message) + "\n")
    sys.stderr.flush()


@task(cache_policy=NO_CACHE, task_run_name="review-read-{period}")
def read_files(raw: Path, out: Path, period: str, ctx: Context) -> list[FileResult]:
    defs = load_returns()
    results = []
    for source in discover(raw, period, defs):
        result = ingest(source, defs, ctx)
        result.archive_path = archive_file(out, source)
        say(f"[{period}] {source.rel}: {_verdict(result)}")
        results.append(result)
    return reject_second_scores(results, defs.half_year["R12"])


@task(cache_policy=NO_CACHE, task_run_name="review-publish-{half}")
def publish(half: HalfYear, results: list[FileResult], rubric: Rubric, registry: Registry, out: Path,
            run_id: str, started, reference_dir: Path | None = None) -> None:
    publish_review(half, results, load_returns(), rubric, registry, out, run_id, started, reference_dir)


@task(cache_policy=NO_CACHE, task_run_name="review-report-{period}")
def write_reports(period: str, out: Path, results: list[FileResult]) -> list[Path]:
    folder = out / period
    target = folder / f"review-{period}.xlsx"
    con = pipeline.open_published(out)
    try:
        with atomic_path(target) as tmp:
            write_review_workbook(con, period, tmp)
    finally:
        con.close()
    annotated = folder / "annotated"
    shutil.rmtree(annotated, ignore_errors=True)  # a re-run's copies replace the last run's
    return [target, *(p for p in (annotate(r, annotated) for r in results) if p)]


def _verdict(result: FileResult) -> str:
    if result.status == "rejected":
        return f"整表退回：{result.file_message}"
    return (f"{result.return_code} 读取{result.rows_read}行，入库{result.rows_loaded}，"
            f"退回{result.rows_rejected}，跳过{result.rows_skipped}")


@flow(name="site-review", flow_run_name="review-{period}", validate_parameters=True,
      description="四比四看：半年观摩评价（读取观摩评分表、计分、排名、评分一致性、观摩评价表）")
def review_half_year(period: str, raw_dir: str = "data/raw", out_dir: str = "data/out",
                     reference_dir: str | None = None):
    """Ends Completed, or Failed (no usable R12, a file rejected whole) with a Chinese message saying what
    to do; its data is {'period', 'status', 'exit_code', 'message', 'outputs'} (run_state.outcome_of).
    `reference_dir` is the reference set (--reference): its units, rubrics and unit column."""
    half = HalfYear.parse(period)
    p, raw, out = str(half), Path(raw_dir), Path(out_dir)
    run_state.tag_current_run(p)
    run_id, started = pipeline.new_run_id(), pipeline.now()
    reference = Path(reference_dir) if reference_dir else None
    # the rubric governing the half year's year, in the reference set
    rubric, registry = rubric_for_year(half.year, None, reference), pipeline.reference_registry(reference, out)
    level = load_level(reference)
    defs = load_returns()
    if rubric.review is None:
        message = f"评分细则 {rubric.version} 没有 [review] 部分（观摩评价的评分项目和满分），无法计算观摩评价"
        say(f"[{p}] 失败：{message}")
        return run_state.finish({"period": p, "status": "failed", "exit_code": 1, "message": message, "outputs": []},
                                f"{p}观摩评价未计算：{message}。")
    ctx = context_for(half.year, rubric, registry, level=level)
    say(f"[{p}] 观摩评价：读取 {raw / p}")
    results = read_files(raw, out, p, ctx)
    loaded = [r for r in results if r.status == "loaded" and r.return_code == "R12" and r.rows_loaded]
    whole_rejects = [r for r in results if r.status == "rejected"]
    if not loaded:
        found = f"（{len(results)}个文件均未能入库）" if results else f"（{raw / p / 'zdxmb'} 下没有文件）"
        message = f"没有可用的观摩评分：R12「观摩评分」缺报{found}"
        say(f"[{p}] 失败：{message}")
        pipeline.record_failure(out, defs, "review", p, half.year, run_id, started, message, rubric, results,
                                reference)
        return run_state.finish({"period": p, "status": "failed", "exit_code": 1, "message": message, "outputs": []},
                                f"{p}观摩评价未计算：{message}。请把各观摩组的观摩评分表放入 {raw / p / 'zdxmb'}，"
                                f"再运行 sbsk review {p}。")
    say(f"[{p}] 计分并发布 …")
    publish(half, results, rubric, registry, out, run_id, started, reference)
    outputs = write_reports(p, out, results)
    message = f"{len(whole_rejects)} 个文件被整表退回" if whole_rejects else ""
    say(f"[{p}] 完成 {message}".rstrip())
    outcome = {"period": p, "status": "done", "exit_code": 1 if whole_rejects else 0, "message": message,
               "outputs": [str(x) for x in outputs]}
    if whole_rejects:
        files = "；".join(r.file_message for r in whole_rejects[:run_state.MAX_FILES])
        return run_state.finish(outcome, f"{p}观摩评价已发布（其余文件已计分），{message}：{files}。修改后重新报送，"
                                         f"再运行 sbsk review {p}。")
    return run_state.finish(outcome, f"{p}观摩评价已发布。")
