"""The DuckDB warehouse: schema, staging loads, the SQL layers, and safe publishing.

Publishing: a run copies the published database to a private file next to it, does all its work
there in one transaction, closes it and atomically renames it over `sbsk.duckdb`. An analyst who
holds the old file open keeps reading the old, whole results; nobody ever sees half a quarter, and a
crash leaves the published file untouched. One writer at a time is enforced with a lock file.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd
import pyarrow as pa

from sbsk.schemas.definitions import Definitions, ReturnDef
from sbsk.schemas.types import COLUMN_TYPES
from sbsk import TRANSFORMS_DIR
from sbsk.faults import checkpoint
from sbsk.store import schema_cache, storage
from sbsk.store.views import create_views

DB_NAME = "sbsk.duckdb"
LINEAGE = {"source_file": "varchar", "sha256": "varchar", "sheet": "varchar", "row_number": "integer"}
CONTRACT_TABLES = ("units", "rubric_indicators", "indicator_scores", "category_scores", "quarter_results",
                   "annual_category_scores", "annual_results", "dispatch_scores", "dispatch_results",
                   "dispatch_warnings", "forecast_results", "forecast_scores", "rejected_rows", "data_flags", "source_files", "pipeline_runs",
                   "review_scores", "review_results", "review_assessors",
                   "submissions", "submission_files", "submission_quality", "quarter_versions",
                   "quarter_results_draft", "indicator_scores_draft", "category_scores_draft",
                   "quarter_results_history", "indicator_scores_history", "category_scores_history")
COPIES = ("_draft", "_history")   # a table named <table><suffix> holds every column of <table> (contract.sql)


class Busy(RuntimeError):
    """Another run holds the warehouse."""


def sql_file(*parts: str) -> str:
    return (TRANSFORMS_DIR.joinpath(*parts)).read_text(encoding="utf-8")


def literal(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def stg_table(ret: ReturnDef) -> str:
    return f"stg_{ret.table}"


def _field_name(ret: ReturnDef, field: str) -> str:
    return "unit_code" if field == "unit" else field


def apply_contract(con: duckdb.DuckDBPyConnection) -> None:
    """The contract tables, the columns added since an older warehouse was made, and the comments
    of the columns the draft and history tables copy."""
    _add_new_columns(con)  # first: contract.sql comments on the new columns
    contract = sql_file("contract.sql")
    if not _contract_in_place(con, contract):  # its 280 statements cost half a second on every publish
        con.execute(contract)
    _backfill_category_scores(con)
    _copy_comments(con)


def ensure_schema(con: duckdb.DuckDBPyConnection, defs: Definitions) -> None:
    apply_contract(con)
    _backfill_drafts(con)
    # a comment is set only where it differs: each statement costs milliseconds, every publish runs this
    tables = dict(con.execute("select table_name, comment from duckdb_tables() where schema_name = 'main'").fetchall())
    columns = {(t, c): m for t, c, m in con.execute(
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'main'").fetchall()}
    for ret in (*defs.returns.values(), *defs.peer.values()):  # R13 is staged, never scored (SPEC §10)
        table = stg_table(ret)
        cols = [("quarter", "varchar")] + [(_field_name(ret, c.field), COLUMN_TYPES[c.type].sql) for c in ret.columns]
        cols += list(LINEAGE.items())
        ddl = ",\n    ".join(f"{n} {t}" for n, t in cols)
        con.execute(f"create table if not exists {table} (\n    {ddl}\n)")
        about = f"Staged rows of {ret.code} {ret.title} ({ret.owner}), one per loaded return row, with lineage."
        if tables.get(table) != about:
            con.execute(f"comment on table {table} is {literal(about)}")
        wanted = [(_field_name(ret, c.field), f"{c.label} ({c.type})") for c in ret.columns]
        wanted += [("quarter", "Quarter the return was sent for."),
                   ("source_file", "File the row came from, relative to the raw folder."),
                   ("sha256", "SHA-256 of that file."), ("sheet", "Sheet name."),
                   ("row_number", "Excel row number in that sheet.")]
        for name, what in wanted:
            if columns.get((table, name)) != what:
                con.execute(f"comment on column {table}.{name} is {literal(what)}")
    create_views(con, defs)  # the analyst views over the tables above (transforms/views/)


def _contract_in_place(con: duckdb.DuckDBPyConnection, contract: str) -> bool:
    """Whether running contract.sql would change nothing: every table it creates is there, and every
    table and column comment it sets is already the one it says (it holds nothing else: create table if
    not exists and comments)."""
    tables = dict(con.execute("select table_name, comment from duckdb_tables() where schema_name = 'main'").fetchall())
    columns = {(t, c): m for t, c, m in con.execute(
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'main'").fetchall()}
    # a column it leaves uncommented may carry any comment (_copy_comments gives the copies theirs)
    return (all(t in tables and (m is None or tables[t] == m) for t, m in _contract_tables(contract))
            and all((t, c) in columns and (m is None or columns[(t, c)] == m)
                    for t, c, _, m in _contract_columns(contract)))


def _contract_tables(contract: str) -> tuple[tuple[str, str | None], ...]:
    return _contract(contract)[0]


def _contract_columns(contract: str) -> tuple[tuple[str, str, str, str | None], ...]:
    return _contract(contract)[1]


@cache
def _contract(contract: str) -> tuple[tuple, tuple]:
    """(table, comment) of every contract table and (table, column, type, comment) of every contract
    column: once per process and contract text, from the cache folder once a run has worked it out
    (sbsk/store/schema_cache.py)."""
    return schema_cache.catalog(contract, lambda: _contract_from_sql(contract))


def _contract_from_sql(contract: str) -> tuple[tuple, tuple]:
    """What contract.sql makes, read off an empty in-memory database it ran on."""
    ref = duckdb.connect()
    try:
        ref.execute(contract)
        tables = ref.execute("select table_name, comment from duckdb_tables() where schema_name = 'main' "
                             "order by table_name").fetchall()
        columns = ref.execute("select table_name, column_name, data_type, comment from duckdb_columns() "
                              "where schema_name = 'main' order by table_name, column_index").fetchall()
        return tuple(tables), tuple(columns)
    finally:
        ref.close()


def _add_new_columns(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse made by an older version gets the contract columns added since (never dropped)."""
    want = _contract_columns(sql_file("contract.sql"))
    have = {(t, c) for t, c in con.execute(
        "select table_name, column_name from duckdb_columns() where schema_name = 'main'").fetchall()}
    tables = {t for t, _ in have}
    for table, column, dtype, comment in want:
        if table in tables and (table, column) not in have:  # a missing table is made whole by contract.sql
            con.execute(f"alter table {table} add column {column} {dtype}")
            if comment:
                con.execute(f"comment on column {table}.{column} is {literal(comment)}")


def _backfill_category_scores(con: duckdb.DuckDBPyConnection) -> None:
    """Quarters and years published before the long category tables existed get their rows from the
    wide score_a … columns (the only categories a rubric could score then)."""
    for long, wide, key in (("category_scores", "quarter_results", "quarter"),
                            ("annual_category_scores", "annual_results", "year")):
        con.execute(f"""
            insert into main.{long}
            select {key}, unit_code, upper(substr(category, 7)) as category_code, score
            from (unpivot (select {key}, unit_code, columns('^score_[a-z]$') from main.{wide}
                           where {key} not in (select {key} from main.{long}))
                  on columns('^score_[a-z]$') into name category value score)
        """)


def _copy_comments(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("select table_name, column_name, comment from duckdb_columns() where schema_name = 'main'"
                       ).fetchall()
    comments = {(t, c): m for t, c, m in rows}
    for table, column, comment in rows:
        for suffix in COPIES:
            base = comments.get((table.removesuffix(suffix), column)) if table.endswith(suffix) else None
            if base and not comment:
                con.execute(f"comment on column {table}.{column} is {literal(base)}")


def _backfill_drafts(con: duckdb.DuckDBPyConnection) -> None:
    """A quarter scored before versions existed has its shown results as its draft, from its last run."""
    for table in ("quarter_results", "indicator_scores", "category_scores"):
        con.execute(f"""
            insert into main.{table}_draft by name
            select coalesce((select run_id from main.pipeline_runs r where r.quarter = t.quarter and r.status <> 'failed'
                             order by started_at desc limit 1), 'unknown') as run_id, t.*
            from main.{table} t
            where t.quarter not in (select quarter from main.{table}_draft)
              and t.quarter not in (select quarter from main.quarter_versions)
        """)


def render_staging(ret: ReturnDef, quarter: str, load_table: str) -> str:
    columns = ",\n    ".join(
        f"cast({c.field} as {COLUMN_TYPES[c.type].sql}) as {c.field}" for c in ret.columns if c.field != "unit")
    return sql_file("staging", "stg_return.sql").format(quarter=quarter, columns=columns, load_table=load_table)


def load_staging(con: duckdb.DuckDBPyConnection, ret: ReturnDef, quarter: str, frame: pa.Table | None) -> int:
    """Replace the quarter's staged rows of one return with `frame` (typed fields + lineage columns)."""
    con.execute(f"delete from {stg_table(ret)} where quarter = ?", [quarter])
    if frame is None or not frame.num_rows:
        return 0
    name = f"load_{ret.table}"
    con.register(name, frame)
    try:
        con.execute(f"insert into {stg_table(ret)} by name {render_staging(ret, quarter, name)}")
    finally:
        con.unregister(name)
    return frame.num_rows


@contextmanager
def build_schema(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Models materialise into schema `build`, searched before `main`, so a model may share its
    name with the contract table it feeds (build.quarter_results → main.quarter_results).
    The schema never outlives the run."""
    con.execute("create schema if not exists build")
    con.execute("set search_path = 'build,main'")
    try:
        yield
    finally:
        try:
            con.execute("set search_path = 'main'")
            con.execute("drop schema if exists build cascade")
        except duckdb.Error:
            pass  # an aborted transaction: the private copy is discarded anyway


def run_models(con: duckdb.DuckDBPyConnection, layer: str, names: list[str] | None = None) -> list[str]:
    """Materialise each model of a layer as build.<file name>."""
    folder = TRANSFORMS_DIR / layer
    files = sorted(folder.glob("*.sql")) if names is None else [folder / f"{n}.sql" for n in names]
    built = []
    for path in files:
        con.execute(f"create or replace table build.{path.stem} as {path.read_text(encoding='utf-8')}")
        built.append(path.stem)
    return built


def union_models(con: duckdb.DuckDBPyConnection, name: str, models: list[str], columns: str) -> None:
    body = "\nunion all by name\n".join(f"select {columns} from build.{m}" for m in models)
    con.execute(f"create or replace table build.{name} as {body}")


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    for path in sorted((TRANSFORMS_DIR / "macros").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, key: str, value) -> None:
    """Replace the rows of one quarter (or year) of a contract table with the model of that name."""
    con.execute(f"delete from main.{table} where {key} = ?", [value])
    con.execute(f"insert into main.{table} by name select * from build.{table}")


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("_frame", frame)
    try:
        con.execute(f"insert into main.{table} by name select * from _frame")
    finally:
        con.unregister("_frame")


@contextmanager
def lock(out_dir: Path, wait_seconds: float = 600.0) -> Iterator[None]:
    """One writer at a time. A second run waits for the first, then refuses with Busy."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".sbsk.lock", "w") as fh:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Busy(f"另一个运行正在写入 {out_dir / DB_NAME}，已等待{wait_seconds:.0f}秒，请稍后重试") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def writing(out_dir: Path, defs: Definitions) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a private copy of the warehouse, published atomically on success."""
    published = out_dir / DB_NAME
    work = out_dir / f".{DB_NAME}.{os.getpid()}.building"
    with lock(out_dir):
        for leftover in out_dir.glob(f".{DB_NAME}.*.building*"):
            leftover.unlink()  # a killed run's private copy: we hold the lock, so nobody else owns it
        con = None
        try:  # a copy cut short by a full disk, or a damaged database that will not open, leaves nothing behind
            if published.exists():
                shutil.copyfile(published, work)
            else:
                _new_warehouse(work, defs)
            con = storage.open_for_writing(work)  # a format analysts' 1.x clients read (store/storage.py)
            ensure_schema(con, defs)
            yield con
            con.execute("checkpoint")
            con.close()
            with open(work, "rb") as fh:
                os.fsync(fh.fileno())
            checkpoint("before-replace")
            os.replace(work, published)
            _fsync_dir(out_dir)
        except BaseException:
            if con is not None:
                con.close()
            work.unlink(missing_ok=True)
            Path(str(work) + ".wal").unlink(missing_ok=True)
            raise


# by what a schema was made from (_schema_key): the cached empty warehouse this process found whole
_EMPTY: dict[str, Path] = {}


def _new_warehouse(work: Path, defs: Definitions) -> None:
    """A new warehouse is a copy of the empty one with the schema in the cache folder
    (sbsk/store/schema_cache.py), made there by the first run that needed it and checked once per
    process: the contract's 280 statements and the staging tables cost 0.45 s on a fresh database,
    ensure_schema on the copy 0.1 s. ensure_schema still runs on the copy, so the views and the
    rubric's labels in them are the current ones. With no cache folder to use, ensure_schema makes
    it in place, as on the copy."""
    key = _schema_key(defs)
    template = _EMPTY.get(key)
    if template is None or not template.is_file():
        template = schema_cache.empty_warehouse(key, lambda path: _make_empty(path, defs))
        if template is None:
            return
        _EMPTY[key] = template
    try:
        shutil.copyfile(template, work)
    except OSError:  # a full disk: made in place instead (writing() removes a partial copy first)
        work.unlink(missing_ok=True)


def _make_empty(path: Path, defs: Definitions) -> None:
    con = storage.open_for_writing(path)
    try:
        ensure_schema(con, defs)
        con.execute("checkpoint")
    finally:
        con.close()


def _schema_key(defs: Definitions) -> str:
    """What ensure_schema's tables depend on: the contract and each staged return's columns."""
    staged = [(stg_table(r), r.code, r.title, r.owner, [(c.field, c.type, c.label) for c in r.columns])
              for r in (*defs.returns.values(), *defs.peer.values())]
    return hashlib.sha256(repr((sql_file("contract.sql"), staged)).encode()).hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_only(out_dir: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(out_dir / DB_NAME), read_only=True)
