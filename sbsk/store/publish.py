"""Publishing a quarter or a year: load the staged rows, run the SQL layers and replace the
contract tables' rows in one transaction on a private copy of the warehouse (sbsk.store.warehouse
.writing); a failed run only adds a line to pipeline_runs and what the departments sent
(sbsk.store.submissions), which every run of a quarter records. A quarter's results are its draft,
and what the public tables show until the quarter is first published (sbsk.store.versions)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from sbsk.config.periods import Quarter
from sbsk.config.registry import Registry
from sbsk.config.rubric import Rubric
from sbsk.faults import checkpoint
from sbsk.intake.ingest import FileResult
from sbsk.intake.receipts import beijing_now, observe
from sbsk.intake.submissions import guess_return
from sbsk.schemas.definitions import Definitions
from sbsk.store.models import prepare_quarter, prepare_year, publish_reference, score_quarter, score_year
from sbsk.store.movement import update_annual_movement, update_quarter_movement
from sbsk.store.runs import record_run
from sbsk.store.submissions import record_submissions
from sbsk.store.versions import VERSIONED, keep_draft, pending_draft
from sbsk.store.warehouse import (DB_NAME, apply_contract, build_schema, insert_frame, load_staging, read_only,
                                  replace_rows, writing)


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _frames(results: list[FileResult], code: str) -> pa.Table | None:
    """One return's typed rows from every file, with their lineage, as one Arrow table (no copy of
    the rows: the lineage columns are dictionary-encoded constants)."""
    parts = []
    for res in results:
        if res.return_code == code and res.status == "loaded" and res.loaded is not None and len(res.loaded):
            table = pa.Table.from_pandas(res.loaded, preserve_index=False)
            for name, value in (("_source_file", res.source.rel), ("_sha256", res.source.sha256),
                                ("_sheet", res.sheet)):
                table = table.append_column(name, pa.DictionaryArray.from_arrays(
                    pa.nulls(table.num_rows, pa.int32()).fill_null(0), pa.array([value], pa.string())))
            parts.append(table)
    return pa.concat_tables(parts, promote_options="permissive") if parts else None


def report_frames(quarter: str, results: list[FileResult],
                  defs: Definitions) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """source_files, rejected_rows and the Python-side data flags (total_mismatch) of a run. A file
    not recognised as a return keeps return_code null (it is no verdict) and gets the return it
    probably is as guessed_return_code, the guess the submissions table counts it under, so the view
    department_submissions says 整表退回 where the table does."""
    sources = pd.DataFrame([{**r.source_row(quarter), "guessed_return_code": None if r.return_code else
                             guess_return(r.source.rel, r.source.department, defs)} for r in results])
    rejected = pd.DataFrame([
        {"quarter": quarter, "department": r.source.department, "return_code": r.return_code,
         "source_file": r.source.rel, "sha256": r.source.sha256, "sheet": r.sheet, **rej}
        for r in results for rej in r.rejections
    ], columns=["quarter", "department", "return_code", "source_file", "sha256", "sheet", "row_number",
                "column_name", "cell", "value", "message", "row_key"])
    flags = pd.DataFrame([{"quarter": quarter, **f} for r in results for f in r.flags],
                         columns=["quarter", "unit_code", "return_code", "flag", "detail", "source_file", "sheet",
                                  "row_number"])
    for frame, col in ((rejected, "row_number"), (flags, "row_number")):
        frame[col] = frame[col].astype("Int64")
    return sources, rejected, flags


def load_returns(con: duckdb.DuckDBPyConnection, defs: Definitions, period: str, results: list[FileResult]) -> None:
    """Every return's staging table for the period (a quarter or a dispatch month), empty where none came;
    R13 peer_metrics too, stored for sbsk forecast."""
    for ret in (*defs.returns.values(), *defs.peer.values()):
        load_staging(con, ret, period, _frames(results, ret.code))


def store_lineage(con: duckdb.DuckDBPyConnection, period: str, sources: pd.DataFrame, rejected: pd.DataFrame,
                  py_flags: pd.DataFrame) -> None:
    """Replace the period's source_files, rejected_rows and data_flags (those the SQL models raised in
    build.int_data_flags and those of the Python checks): the lineage a quarter and a month both keep."""
    con.execute("delete from main.source_files where quarter = ?", [period])
    insert_frame(con, "source_files", sources)
    con.execute("delete from main.rejected_rows where quarter = ?", [period])
    insert_frame(con, "rejected_rows", rejected)
    con.execute("delete from main.data_flags where quarter = ?", [period])
    con.execute("insert into main.data_flags by name select ? as quarter, * from build.int_data_flags", [period])
    insert_frame(con, "data_flags", py_flags)


def publish_quarter(quarter: Quarter, results: list[FileResult], missing: list[str], defs: Definitions,
                    rubric: Rubric, registry: Registry, out_dir: Path, run_id: str, started: datetime,
                    reference_dir: Path | None = None) -> str:
    """Load, score and store one quarter in one transaction; returns its status. The results are
    the quarter's draft; until the quarter is first published they are also what the public tables
    show."""
    q = str(quarter)
    status = "provisional" if missing else "done"
    sources, rejected, py_flags = report_frames(q, results, defs)
    with writing(out_dir, defs) as con, build_schema(con):
        con.execute("begin")
        load_returns(con, defs, q, results)
        prepare_quarter(con, quarter, rubric, registry, set(missing))
        score_quarter(con, rubric)
        checkpoint("in-transaction")
        publish_reference(con, rubric, registry)
        if keep_draft(con, q, run_id) is None:  # never published: the draft is what is shown
            for table in VERSIONED:
                replace_rows(con, table, "quarter", q)
            update_quarter_movement(con)
            # the annual result no longer reflects this quarter until it is recomputed
            con.execute("update main.annual_results set status = 'stale' where year = ?", [quarter.year])
        store_lineage(con, q, sources, rejected, py_flags)
        _scoring_flags(con, q, missing, defs, rubric)
        insert_frame(con, "run_inputs", _inputs_frame(run_id, q, results))
        _submissions(con, quarter, results, rubric, defs, out_dir, run_id)
        record_run(con, run_id, "quarter", q, quarter.year, status, started, now(), rubric,
                   f"缺报：{'、'.join(missing)}" if missing else None, reference_dir)
        con.execute("commit")
    return status


def _inputs_frame(run_id: str, quarter: str | None, results: list[FileResult]) -> pd.DataFrame:
    return pd.DataFrame([{"run_id": run_id, "quarter": quarter, "path": r.source.rel, "sha256": r.source.sha256,
                          "department": r.source.department, "archive_path": r.archive_path}
                         for r in results if r.archive_path])


def _scoring_flags(con: duckdb.DuckDBPyConnection, q: str, missing: list[str], defs: Definitions,
                   rubric: Rubric) -> None:
    for code in missing:
        con.execute("insert into main.data_flags (quarter, return_code, flag, detail) values (?, ?, 'missing_return', ?)",
                    [q, code, f"{code}「{defs.returns[code].title}」本季度缺报，相关指标计0分，结果为暂定"])
    con.execute("""
        insert into main.data_flags (quarter, unit_code, return_code, flag, detail)
        select s.quarter, s.unit_code, null, f.flag,
               format('指标{}：{}', s.indicator_code,
                      case f.flag when 'no_base' then '无考核基数（分母为0），计0分'
                                  when 'missing_assessment' then '专班未评分，计0分'
                                  else '所需报表缺报，计0分' end)
        from build.indicator_scores s, unnest(string_split(s.flags, ',')) f(flag)
        where s.flags is not null and f.flag <> 'missing_return'
    """)
    # a whole group tied on the total and on every tie-break category gets no amount: say so (SPEC §6)
    con.execute("""
        insert into main.data_flags (quarter, unit_code, flag, detail)
        select quarter, unit_code, 'tie',
               case when whole then format('全组并列，奖惩由专班决定：同组{}个单位总分均为{}，{}类得分也全部相同，均未计奖惩',
                                           n, total, $1)
                    else format('总分{}与同组其他单位并列，按{}类得分仍无法区分，奖惩由专班办公室研究确定', total, $1)
               end
        from (select r.*, count(*) over g as n,
                     min({'t': r.total, 'k': t.tb_key}) over g = max({'t': r.total, 'k': t.tb_key}) over g as whole
              from build.quarter_results r join build.quarter_totals t using (unit_code)
              window g as (partition by r.unit_group))
        where tie
    """, ["、".join(rubric.rewards["tie_break"])])


def record_failure(out_dir: Path, defs: Definitions, kind: str, quarter: str | None, year: int, run_id: str,
                   started: datetime, message: str, rubric: Rubric | str | None,
                   results: list[FileResult] = (), reference_dir: Path | None = None) -> None:
    """A failed run changes no results; it adds a line to pipeline_runs and lists what it read, and
    (for a quarter whose rubric was chosen) records what each department sent: a failed quarter is
    when that matters most. `rubric` is the rubric the run had chosen, its version alone, or None."""
    with writing(out_dir, defs) as con:
        record_run(con, run_id, kind, quarter, year, "failed", started, now(), rubric, message, reference_dir)
        insert_frame(con, "run_inputs", _inputs_frame(run_id, quarter, results))
        if isinstance(rubric, Rubric) and kind == "quarter":
            _submissions(con, Quarter.parse(quarter), list(results), rubric, defs, out_dir, run_id)


def _submissions(con: duckdb.DuckDBPyConnection, period, results: list[FileResult], rubric: Rubric,
                 defs: Definitions, out_dir: Path, run_id: str) -> None:
    receipts = observe(out_dir, str(period), [r.source for r in results], "run")
    record_submissions(con, period, results, receipts, rubric, defs, run_id, beijing_now().date())


def scratch_report_db(quarter: str, results: list[FileResult], defs: Definitions) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding one run's file verdicts, for a validation report of a run
    that was not published."""
    con = duckdb.connect()
    apply_contract(con)
    sources, rejected, flags = report_frames(quarter, results, defs)
    for table, frame in (("source_files", sources), ("rejected_rows", rejected), ("data_flags", flags)):
        insert_frame(con, table, frame)
    return con


def publish_year(year: int, defs: Definitions, rubric: Rubric, registry: Registry, out_dir: Path, run_id: str,
                 started: datetime, reference_dir: Path | None = None) -> tuple[str, int]:
    """Compute and publish the annual result from the stored quarters; returns (status, quarters found)."""
    with writing(out_dir, defs) as con, build_schema(con):
        con.execute("begin")
        found = con.execute("select count(distinct quarter) from main.quarter_results where quarter like ?",
                            [f"{year}Q%"]).fetchone()[0]
        if not found:
            con.execute("rollback")
            return "failed", 0
        prepare_year(con, year, rubric, registry)
        score_year(con)
        publish_reference(con, rubric, registry)
        replace_rows(con, "annual_category_scores", "year", year)
        replace_rows(con, "annual_results", "year", year)
        update_annual_movement(con)
        provisional = con.execute("select bool_or(status <> 'final') from build.annual_results").fetchone()[0]
        status = "provisional" if provisional else "done"
        record_run(con, run_id, "annual", None, year, status, started, now(), rubric, f"{found}个季度", reference_dir)
        con.execute("commit")
    return status, found


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def open_published(out_dir: Path) -> duckdb.DuckDBPyConnection:
    return read_only(out_dir)


def draft_note(out_dir: Path, quarter: str) -> list[str] | None:
    """What a run of a published quarter would change if published (None: not published before)."""
    con = read_only(out_dir)
    try:
        return pending_draft(con, quarter)
    finally:
        con.close()


def scored_quarters(out_dir: Path, year: int) -> int:
    """How many quarters of the year the warehouse shows results for."""
    if not (Path(out_dir) / DB_NAME).exists():
        return 0
    con = read_only(out_dir)
    try:
        return con.execute("select count(distinct quarter) from quarter_results where quarter like ?",
                           [f"{year}Q%"]).fetchone()[0]
    finally:
        con.close()


def annual_drafts(out_dir: Path, year: int) -> list[str]:
    """The quarters the year's composite took as drafts (never published)."""
    con = read_only(out_dir)
    try:
        row = con.execute("select any_value(draft_quarters) from annual_results where year = ?", [year]).fetchone()
    finally:
        con.close()
    return row[0].split(",") if row and row[0] else []
