"""Evaluate one quarter: discover → archive → read → check the sender → validate → stage → score →
publish → report.

Reading and validating a file are cached by the file's content hash (plus a fingerprint of the code
and reference data), so a re-run after one department's correction re-reads only that file.
Transient I/O errors are retried; bad data never is.
"""

from __future__ import annotations

import shutil
import sys
from datetime import timedelta
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from sbsk.schemas import load_returns
from sbsk.flows.serializer import VerdictSerializer
from sbsk import pipeline
from sbsk.flows import run_state
from sbsk.outputs.annotate import annotate
from sbsk.store.archive import archive_file
from sbsk.outputs.bulletin import write_quarter_bulletin
from sbsk.intake.discover import SourceFile, discover
from sbsk.faults import checkpoint
from sbsk.files import atomic_path
from sbsk.fingerprint import code_fingerprint
from sbsk.intake.ingest import FileResult, check_owner, read_file, validate_file
from sbsk.outputs.parquet_export import export_quarter
from sbsk.config.periods import Quarter
from sbsk.text import printable
from sbsk.config.registry import Registry, load_registry
from sbsk.config.rubric import Rubric, load_rubric
from sbsk.intake.validate import Context, context_for
from sbsk.outputs.validation_report import write_validation_report

CACHE_DAYS = 120  # a quarter's files are re-checked at least once a season


def say(message: str) -> None:
    # one write per line: files are read on several threads; file names may hold terminal escapes
    sys.stderr.write(printable(message) + "\n")
    sys.stderr.flush()


def transient_io(task, task_run, state) -> bool:
    """Retry only what may pass by itself: I/O errors. A bad file is a verdict, not an error."""
    try:
        state.result()
    except OSError:
        return True
    except BaseException:
        return False
    return False


def _ingest_key(context, parameters) -> str:
    source, ctx = parameters["source"], parameters["ctx"]
    return (f"ingest-{source.sha256}-{source.rel}-{source.department}-{ctx.today}-{ctx.calendar}-"
            f"{len(ctx.units)}-{ctx.total_tolerance}-{code_fingerprint()}")


# ---- extract ----
@task(cache_policy=NO_CACHE, task_run_name="discover-{quarter}", retries=2, retry_delay_seconds=2,
      retry_condition_fn=transient_io)
def discover_files(raw_dir: Path, quarter: str) -> list[SourceFile]:
    return discover(raw_dir, quarter, load_returns())


@task(cache_policy=NO_CACHE, task_run_name="archive-{quarter}", retries=2, retry_delay_seconds=2,
      retry_condition_fn=transient_io)
def archive_inputs(sources: list[SourceFile], out_dir: Path, quarter: str) -> dict[str, str]:
    """Keep every file before anything else happens to it: sha256 → archive path."""
    return {s.sha256: archive_file(out_dir, s) for s in sources}


@task(cache_key_fn=_ingest_key, cache_expiration=timedelta(days=CACHE_DAYS), persist_result=True,
      result_serializer=VerdictSerializer(), task_run_name="ingest-{source.rel}", retries=2,
      retry_delay_seconds=2, retry_condition_fn=transient_io)
def ingest_return(source: SourceFile, ctx: Context) -> FileResult:
    """Read, check the sender, validate: one verdict per file content, cached and persisted without
    the raw text grid (only the verdict and its typed rows are kept). One task, not three nested ones:
    each task run costs a few API calls, and at quarter end a province sends hundreds of files."""
    say(f"  读取 {source.rel}")
    defs = load_returns()
    result, table = read_file(source, defs)
    return validate_file(check_owner(result, defs), table, defs, ctx)


# ---- transform and load ----
@task(cache_policy=NO_CACHE)
def combine_files(results: list[FileResult]) -> list[FileResult]:
    return pipeline.reject_unit_overlaps(results, load_returns())


@task(cache_policy=NO_CACHE, task_run_name="publish-{quarter}")
def publish(quarter: Quarter, results: list[FileResult], missing: list[str], rubric: Rubric, registry: Registry,
            out_dir: Path, run_id: str, started) -> str:
    return pipeline.publish_quarter(quarter, results, missing, load_returns(), rubric, registry, out_dir, run_id,
                                    started)


# ---- report ----
@task(cache_policy=NO_CACHE, task_run_name="report-{quarter}")
def write_reports(quarter: str, out_dir: Path, results: list[FileResult], published: bool) -> list[Path]:
    folder = out_dir / quarter
    written = []
    con = pipeline.open_published(out_dir) if published else pipeline.scratch_report_db(quarter, results)
    try:
        target = folder / f"validation-{quarter}.xlsx"
        with atomic_path(target) as tmp:
            write_validation_report(con, quarter, tmp)
        written.append(target)
        if published:
            target = folder / f"bulletin-{quarter}.xlsx"
            with atomic_path(target) as tmp:
                write_quarter_bulletin(con, quarter, tmp)
            written.append(target)
    finally:
        con.close()
    annotated = folder / "annotated"
    shutil.rmtree(annotated, ignore_errors=True)  # a re-run's copies replace the last run's
    written += [p for p in (annotate(r, annotated) for r in results) if p]
    return written


@task(cache_policy=NO_CACHE, task_run_name="parquet-{quarter}")
def export_parquet(out_dir: Path, quarter: str) -> list[Path]:
    return export_quarter(out_dir, quarter)


@flow(name="score-quarter", flow_run_name="score-{quarter}", validate_parameters=True,
      description="四比四看：一个季度的考评（读取、校验、计分、发布、报告）")
def score_quarter(quarter: str, raw_dir: str = "data/raw", out_dir: str = "data/out",
                  continue_on_missing: bool = False):
    """Ends Completed, or Failed (a return missing, a file rejected whole) with a Chinese message saying
    what to do; its data is {'quarter', 'status', 'exit_code', 'missing', 'message', 'outputs'}
    (run_state.outcome_of)."""
    q = Quarter.parse(quarter)
    run_state.tag_current_run(str(q))
    raw, out = Path(raw_dir), Path(out_dir)
    run_id, started = pipeline.new_run_id(), pipeline.now()
    rubric, registry = load_rubric(), load_registry()
    ctx = context_for(q.year, rubric, registry)

    sources = discover_files(raw, str(q))
    say(f"[{q}] 发现 {len(sources)} 个文件（{raw / str(q)}）")
    archived = archive_inputs(sources, out, str(q))
    checkpoint("after-archive")
    # files are independent: read and validated concurrently (the parses run in warm child processes,
    # one per CPU); the biggest are submitted first so that none is left to parse alone at the end
    futures = {s.rel: ingest_return.submit(s, ctx)
               for s in sorted(sources, key=_size, reverse=True)}
    results = []
    for i, source in enumerate(sources, start=1):
        result = futures[source.rel].result()
        result.source = source  # a cached verdict may come from a run whose raw folder was elsewhere
        result.archive_path = archived[source.sha256]
        say(f"[{q}] {_bar(i, len(sources))} {source.rel}: {_verdict(result)}")
        results.append(result)
    results = combine_files(results)
    missing = pipeline.missing_returns(results, load_returns())
    whole_rejects = [r for r in results if r.status == "rejected"]
    checkpoint("after-validate")

    if missing and not continue_on_missing:
        message = f"缺少报表：{'、'.join(missing)}（可用 --continue-on-missing 按暂定结果计分）"
        say(f"[{q}] 失败：{message}")
        pipeline.record_failure(out, load_returns(), "quarter", str(q), q.year, run_id, started, message,
                                rubric.version, results)
        outputs = write_reports(str(q), out, results, published=False)
        outcome = _outcome(q, "failed", 1, missing, message, outputs)
        return run_state.finish(outcome, run_state.quarter_message(outcome, results, raw, out))

    say(f"[{q}] 计分并发布 …")
    status = publish(q, results, missing, rubric, registry, out, run_id, started)
    checkpoint("after-publish")
    outputs = write_reports(str(q), out, results, published=True)
    export_parquet(out, str(q))
    exit_code = 1 if (missing or whole_rejects) else 0
    message = "；".join(filter(None, [
        f"缺报 {'、'.join(missing)}，结果为暂定" if missing else "",
        f"{len(whole_rejects)} 个文件被整表退回" if whole_rejects else "",
    ]))
    say(f"[{q}] 完成（{status}）{message}")
    outcome = _outcome(q, status, exit_code, missing, message, outputs)
    return run_state.finish(outcome, run_state.quarter_message(outcome, results, raw, out))


def _size(source: SourceFile) -> int:
    try:
        return source.path.lstat().st_size  # lstat: a refused link is never followed
    except OSError:
        return 0


def _bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def _verdict(result: FileResult) -> str:
    if result.status == "rejected":
        return f"整表退回：{result.file_message}"
    return (f"{result.return_code} 读取{result.rows_read}行，入库{result.rows_loaded}，"
            f"退回{result.rows_rejected}，跳过{result.rows_skipped}")


def _outcome(q: Quarter, status: str, exit_code: int, missing: list[str], message: str, outputs) -> dict:
    return {"quarter": str(q), "status": status, "exit_code": exit_code, "missing": missing, "message": message,
            "outputs": [str(p) for p in outputs]}
