"""The steps of a month's dispatch (月调度, SPEC §9), walked like a quarter's (sbsk.pipeline.walk):
discover → archive → ingest → combine → publish → report. The first three are the quarter's own
steps (the month's folder, the same reading, rules and row accounting); combining never fails on a
missing return, publishing scores the month (sbsk.store.dispatch), the report is the meeting's
workbook and the validation report. flows/dispatch.py runs each step as a Prefect task.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sbsk import pipeline
from sbsk.config.level import load_level
from sbsk.config.periods import Month
from sbsk.config.registry import Registry
from sbsk.config.rubric import Rubric
from sbsk.config.rubric_years import rubric_for_year
from sbsk.faults import checkpoint
from sbsk.files import atomic_path
from sbsk.intake.ingest import FileResult
from sbsk.intake.validate import context_for
from sbsk.outputs.annotate import annotate
from sbsk.outputs.dispatch_workbook import ForecastSection, write_dispatch_workbook
from sbsk.outputs.forecast import refresh_forecast, section
from sbsk.outputs.validation_report import write_validation_report
from sbsk.schemas import load_returns
from sbsk.schemas.definitions import Definitions
from sbsk.store.dispatch import dispatch_missing, publish_dispatch
from sbsk.store.publish import new_run_id, now, open_published


def dispatch_setting(month: str | Month, raw_dir: Path, out_dir: Path, say: pipeline.Say = pipeline.quiet,
                     reference_dir: Path | None = None) -> dict[str, Any]:
    """What every step may ask for. The quarter's steps name their period `quarter`: here it is the month."""
    m = Month.parse(str(month))
    # the rubric governing the month's year in the reference set, as for a quarter (SPEC §5, §10)
    rubric, registry = rubric_for_year(m.year, None, reference_dir), pipeline.reference_registry(reference_dir, out_dir)
    level = load_level(reference_dir)
    defs = level.returns()
    return {"quarter": m, "raw_dir": Path(raw_dir), "out_dir": Path(out_dir), "say": say, "defs": defs,
            "rubric": rubric, "registry": registry, "ctx": context_for(m.year, rubric, registry, level=level),
            "run_id": new_run_id(), "started": now(), "reference_dir": reference_dir}


def combine_month(results: list[FileResult], defs: Definitions, rubric: Rubric,
                  registry: Registry) -> tuple[list[FileResult], list[str]]:
    """As a quarter's, but what is missing is only reported: a dispatch is never refused for it."""
    results = pipeline.reject_unit_overlaps(results, defs, registry)
    loaded = {r.return_code for r in results if r.status == "loaded"}
    checkpoint("after-validate")
    return results, dispatch_missing(loaded, rubric)


def publish_month(quarter: Month, results: list[FileResult], missing: list[str], defs: Definitions, rubric: Rubric,
                  registry: Registry, out_dir: Path, run_id: str, started, say: pipeline.Say,
                  reference_dir: Path | None) -> str:
    if missing:
        say(f"[{quarter}] 缺报 {'、'.join(missing)}：相关指标计0分，月调度照常进行")
    say(f"[{quarter}] 月调度计分 …")
    status = publish_dispatch(quarter, results, missing, defs, rubric, registry, out_dir, run_id, started,
                              reference_dir)
    checkpoint("after-publish")
    return status


def dispatch_forecast(out_dir: Path, month: Month, reference_dir: Path | None = None) -> ForecastSection | None:
    """The 全省排名预判 section of the month's workbook (SPEC §10), or None while its inputs are not
    there (no R13 全省对标数据 stored for the month). Made from the warehouse just published, and stored
    (forecast_results, forecast_scores) like `sbsk forecast`; without it, the month's stored forecast
    goes too (the month's run replaces the month)."""
    result = refresh_forecast(out_dir, month, reference_dir)
    return section(result) if result else None


def write_month_reports(quarter: Month, out_dir: Path, results: list[FileResult],
                        reference_dir: Path | None) -> list[Path]:
    """The dispatch workbook (with the forecast when R13 is there), the validation report and the
    annotated copies to send back."""
    m = str(quarter)
    folder = out_dir / m
    written = []
    forecast = dispatch_forecast(out_dir, quarter, reference_dir)  # stores it: before the reading connection
    con = open_published(out_dir)
    try:
        for target, write in ((folder / f"dispatch-{m}.xlsx",
                               lambda tmp: write_dispatch_workbook(con, m, tmp, forecast)),
                              (folder / f"validation-{m}.xlsx", lambda tmp: write_validation_report(con, m, tmp))):
            with atomic_path(target) as tmp:
                write(tmp)
            written.append(target)
    finally:
        con.close()
    annotated = folder / "annotated"
    shutil.rmtree(annotated, ignore_errors=True)
    written += [p for p in (annotate(r, annotated) for r in results) if p]
    return written


DISPATCH_STEPS = (
    pipeline.Step("discover", pipeline.discover_files, ("sources",)),
    pipeline.Step("archive", pipeline.archive_inputs, ("archived",)),
    pipeline.Step("ingest", pipeline.ingest_files, ("results",)),
    pipeline.Step("combine", combine_month, ("results", "missing")),
    pipeline.Step("publish", publish_month, ("status",)),
    pipeline.Step("report", write_month_reports, ("reports",)),
)


def evaluate_dispatch(month: str | Month, raw_dir: Path, out_dir: Path, *, up_to: str = "report",
                      call: pipeline.Call = pipeline.call_directly, say: pipeline.Say = pipeline.quiet,
                      reference_dir: Path | None = None) -> dict[str, Any]:
    """Walk the dispatch's steps up to and including `up_to`; returns the setting and all they gave."""
    return pipeline.walk(DISPATCH_STEPS, dispatch_setting(month, raw_dir, out_dir, say, reference_dir), up_to, call)


@dataclass
class DispatchOutcome:
    month: str
    status: str                      # provisional: a dispatch is never final and never fails on a return
    exit_code: int                   # 1 when a return is missing or a file was rejected whole (SPEC §8)
    missing: list[str] = field(default_factory=list)
    message: str = ""
    outputs: list[Path] = field(default_factory=list)


def dispatch_outcome(state: dict[str, Any]) -> DispatchOutcome:
    missing, rejected = state["missing"], [r for r in state["results"] if r.status == "rejected"]
    message = "；".join(filter(None, [f"缺报 {'、'.join(missing)}（相关指标计0分）" if missing else "",
                                      f"{len(rejected)} 个文件被整表退回" if rejected else ""]))
    return DispatchOutcome(str(state["quarter"]), state["status"], 1 if (missing or rejected) else 0, missing,
                           message, state.get("reports", []))


def dispatch_message(outcome: DispatchOutcome, raw_dir: Path, out_dir: Path) -> str:
    """The operator's summary of a dispatch, in Chinese (the Prefect state's message)."""
    m = Month.parse(outcome.month)
    defs = load_returns()
    again = " ".join([f"sbsk dispatch {m}", *(f"--{name} {path}" for name, path, default in (
        ("raw-dir", raw_dir, "data/raw"), ("out-dir", out_dir, "data/out")) if Path(path) != Path(default))])
    parts = [f"{m.chinese}月调度已按月末数据暂定计分并发布（{Path(out_dir) / str(m) / f'dispatch-{m}.xlsx'}）"]
    if outcome.missing:
        who = "；".join(f"{c}「{defs.returns[c].title}」（{defs.departments[defs.returns[c].owner].name}）"
                       for c in outcome.missing)
        parts.append(f"缺报 {who}，相关指标计0分；补报后重新运行 {again}")
    if "整表退回" in outcome.message:
        parts.append(f"有文件被整表退回，见校验报告 {Path(out_dir) / str(m) / f'validation-{m}.xlsx'}")
    return "。".join(parts) + "。"


def month_folder_problem(raw_dir: Path, month: Month) -> str | None:
    """Why the month cannot be dispatched at all (no folder of its returns), in Chinese; else None.
    A folder with some returns missing is no problem: those indicators score 0."""
    folder = Path(raw_dir) / str(month)
    if folder.is_dir():
        return None
    quarter = Path(raw_dir) / str(month.quarter)
    hint = (f"{quarter} 是季度的文件夹，月调度的报表请放在 {folder}/<部门>/ 下" if quarter.is_dir()
            else f"月调度的报表请放在 {folder}/<部门>/ 下，如 {folder}/fgw/")
    return f"未找到{month.chinese}的报表文件夹 {folder}（{hint}）；数据库未作任何改动"
