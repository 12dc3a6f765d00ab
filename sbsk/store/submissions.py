"""The submissions tables (SPEC §12), written in the transaction of every run of a period, failed or
not: `submissions` (department × return), `submission_files` (each file, its receipt and verdict)
and `submission_quality` (each department's year)."""

from __future__ import annotations

import sys
from datetime import date, datetime

import duckdb
import pandas as pd

from sbsk.config.deadlines import due_on
from sbsk.config.periods import Period
from sbsk.config.rubric import Rubric
from sbsk.config.workdays import CalendarError
from sbsk.intake.ingest import FileResult
from sbsk.intake.receipts import BEIJING, Receipt
from sbsk.intake.submissions import FileView, Submission, attributed, build_submissions, returns_owed
from sbsk.schemas.definitions import Definitions
from sbsk.store.warehouse import insert_frame


def period_due(period: Period, rubric: Rubric) -> date | None:
    """The due date, or None with a warning when the calendar does not reach it: a run still scores."""
    try:
        return due_on(period, rubric)
    except CalendarError as exc:
        sys.stderr.write(f"sbsk: {period} 的报送截止日无法确定：{exc}\n")
        return None


def file_views(results: list[FileResult], receipts: dict[str, Receipt], defs: Definitions) -> list[FileView]:
    return [attributed(FileView(r.source.rel, r.source.sha256, r.source.department, r.return_code, r.status,
                                r.rows_rejected, receipts[r.source.sha256].received_at), defs) for r in results]


def _local(moment: datetime | None) -> datetime | None:
    """Stored as Beijing wall-clock time (TIMESTAMP without zone), as the office reads it."""
    return None if moment is None else moment.astimezone(BEIJING).replace(tzinfo=None)


def store_submissions(con: duckdb.DuckDBPyConnection, period: Period, subs: list[Submission],
                      views: list[FileView], run_id: str) -> None:
    p = str(period)
    con.execute("delete from main.submissions where period = ?", [p])
    insert_frame(con, "submissions", pd.DataFrame([{
        "period": p, "department": s.department, "return_code": s.return_code, "state": s.state,
        "received_at": _local(s.received_at), "due_on": s.due_on, "working_days_late": s.working_days_late,
        "rows_rejected": s.rows_rejected, "files": len(s.files), "run_id": run_id} for s in subs]))
    con.execute("delete from main.submission_files where period = ?", [p])
    insert_frame(con, "submission_files", pd.DataFrame([{
        "period": p, "path": f.rel, "sha256": f.sha256, "department": f.department, "return_code": None if f.guessed else f.return_code,
        "status": f.status, "rows_rejected": f.rows_rejected, "received_at": _local(f.received_at),
        "run_id": run_id} for f in views]))
    _quality(con, period.year)


def _quality(con: duckdb.DuckDBPyConnection, year: int) -> None:
    con.execute("delete from main.submission_quality where year = ?", [year])
    con.execute("""
        insert into main.submission_quality
        select ?::integer as year, department,
               count(*) as returns_due,
               count(*) filter (where state <> '未报') as received,
               count(*) filter (where state <> '未报' and working_days_late = 0) as on_time,
               count(*) filter (where state <> '未报' and working_days_late > 0) as late,
               count(*) filter (where state = '未报') as not_received,
               count(*) filter (where state = '整表退回') as rejected_whole,
               coalesce(sum(rows_rejected), 0) as rows_rejected
        from main.submissions
        where regexp_full_match(period, '\\d{4}Q[1-4]') and period like ? || 'Q%'
        group by department
    """, [year, str(year)])


def record_submissions(con: duckdb.DuckDBPyConnection, period: Period, results: list[FileResult],
                       receipts: dict[str, Receipt], rubric: Rubric, defs: Definitions, run_id: str,
                       today: date) -> list[Submission]:
    """Derive and store a run's submissions; returns them."""
    views = file_views(results, receipts, defs)
    subs = build_submissions(period, returns_owed(period, defs, rubric), views, period_due(period, rubric), today)
    store_submissions(con, period, subs, views, run_id)
    return subs
