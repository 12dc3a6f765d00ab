"""Evaluate one quarter: the steps of sbsk.pipeline.QUARTER_STEPS (discover → archive → ingest →
combine → publish → report → export), each run as a Prefect task.

Reading and validating a file are cached by the file's content hash (plus a fingerprint of the code
and reference data), so a re-run after one department's correction re-reads only that file.
Transient I/O errors are retried; bad data never is.
"""

from __future__ import annotations

import errno
import sys
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from sbsk import pipeline
from sbsk.config.periods import Quarter
from sbsk.fingerprint import code_fingerprint
from sbsk.flows import run_state
from sbsk.flows.steps import run_step, unwalked
from sbsk.flows.serializer import VerdictSerializer
from sbsk.intake.discover import SourceFile
from sbsk.intake.ingest import FileResult, ingest
from sbsk.text import printable
from sbsk.intake.validate import Context
from sbsk.schemas import load_returns
from sbsk.schemas.definitions import Definitions

CACHE_DAYS = 120  # a quarter's files are re-checked at least once a season


def say(message: str) -> None:
    # one write per line: files are read on several threads; file names may hold terminal escapes
    sys.stderr.write(printable(message) + "\n")
    sys.stderr.flush()


def transient_io(task, task_run, state) -> bool:
    """Retry only what may pass by itself: I/O errors. A bad file is a verdict, not an error; a full
    disk or a read-only folder does not pass in two seconds (the run says so, sbsk.failures)."""
    try:
        state.result()
    except OSError as exc:
        return exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)
    except BaseException:
        return False
    return False


def _ingest_key(context, parameters) -> str:
    source, ctx = parameters["source"], parameters["ctx"]
    return (f"ingest-{source.sha256}-{source.rel}-{source.department}-{ctx.today}-{ctx.calendar}-"
            f"{len(ctx.units)}-{ctx.total_tolerance}-{code_fingerprint()}")


@task(cache_key_fn=_ingest_key, cache_expiration=timedelta(days=CACHE_DAYS), persist_result=True,
      result_serializer=VerdictSerializer(), task_run_name="ingest-{source.rel}", retries=2,
      retry_delay_seconds=2, retry_condition_fn=transient_io)
def ingest_return(source: SourceFile, ctx: Context) -> FileResult:
    """Read, check the sender, validate: one verdict per file content, cached and persisted without
    the raw text grid (only the verdict and its typed rows are kept). One task, not three nested ones:
    each task run costs a few API calls, and at quarter end a province sends hundreds of files."""
    say(f"  读取 {source.rel}")
    return ingest(source, load_returns(), ctx)


def ingest_concurrently(quarter: Quarter, sources: list[SourceFile], archived: dict[str, str], defs: Definitions,
                        ctx: Context, say: pipeline.Say) -> list[FileResult]:
    """The ingest step as the flow runs it: files are independent, so they are read and validated
    concurrently (the parses run in warm child processes, one per CPU); the biggest are submitted
    first so that none is left to parse alone at the end."""
    futures = {s.rel: ingest_return.submit(unwalked(s), unwalked(ctx)) for s in sorted(sources, key=_size, reverse=True)}
    results = (_trusted(s, futures[s.rel].result(), ctx, say) for s in sources)
    return pipeline.collect(quarter, sources, results, archived, say)


def _trusted(source: SourceFile, result, ctx: Context, say: pipeline.Say) -> FileResult:
    """A cached verdict is used only if it is one, for these very bytes. An entry Prefect cannot
    read is a cache miss already; one that decodes to another file's verdict (a damaged or swapped
    entry) would load that file's rows in this one's place: the file is read afresh instead."""
    if isinstance(result, FileResult) and result.source.sha256 == source.sha256:
        return result
    say(f"  缓存中 {source.rel} 的结果与文件不符（缓存已损坏），已重新读取（删除 --out-dir 下的 .cache 目录可清空缓存）")
    return ingest(source, load_returns(), ctx)


def _size(source: SourceFile) -> int:
    try:
        return source.path.lstat().st_size  # lstat: a refused link is never followed
    except OSError:
        return 0


_RETRY_IO = {"retries": 2, "retry_delay_seconds": 2, "retry_condition_fn": transient_io}
# One task per step of sbsk.pipeline.QUARTER_STEPS, same function, same parameters.
TASKS = {
    "discover": task(pipeline.discover_files, cache_policy=NO_CACHE, task_run_name="discover-{quarter}", **_RETRY_IO),
    "archive": task(pipeline.archive_inputs, cache_policy=NO_CACHE, task_run_name="archive-{quarter}", **_RETRY_IO),
    "ingest": ingest_concurrently,
    "combine": task(pipeline.combine_files, cache_policy=NO_CACHE),
    "publish": task(pipeline.publish, cache_policy=NO_CACHE, task_run_name="publish-{quarter}"),
    "report": task(pipeline.write_reports, cache_policy=NO_CACHE, task_run_name="report-{quarter}"),
    "export": task(pipeline.export_parquet, cache_policy=NO_CACHE, task_run_name="parquet-{quarter}"),
}


def as_task(step: pipeline.Step, args: dict):
    return run_step(TASKS, step, args)


@flow(name="score-quarter", flow_run_name="score-{quarter}", validate_parameters=True,
      description="四比四看：一个季度的考评（读取、校验、计分、发布、报告）")
def score_quarter(quarter: str, raw_dir: str = "data/raw", out_dir: str = "data/out",
                  continue_on_missing: bool = False, rubric_file: str | None = None,
                  reference_dir: str | None = None):
    """Ends Completed, or Failed (a return missing, a file rejected whole) with a Chinese message saying
    what to do; its data is {'quarter', 'status', 'exit_code', 'missing', 'message', 'outputs', 'draft'}
    (run_state.outcome_of): `draft` says what publishing this run would change, for a quarter published
    before. `rubric_file` overrides the rubric governing the quarter's year (--rubric); `reference_dir`
    is the reference set (--reference: units, groups, rubrics, level), default the shipped one."""
    run_state.tag_current_run(str(Quarter.parse(quarter)))
    state = pipeline.evaluate(quarter, Path(raw_dir), Path(out_dir), continue_on_missing=continue_on_missing,
                              call=as_task, say=say, rubric_file=rubric_file,
                              reference_dir=Path(reference_dir) if reference_dir else None)
    outcome = pipeline.quarter_outcome(state)
    if outcome.status != "failed":
        say(f"[{outcome.quarter}] 完成（{outcome.status}）{outcome.message}")
    data = {**asdict(outcome), "outputs": [str(p) for p in outcome.outputs]}
    return run_state.finish(data, run_state.quarter_message(data, state["results"], state["raw_dir"],
                                                            state["out_dir"]))
