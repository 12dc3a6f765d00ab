"""The published database is written in a storage format DuckDB 1.x reads (sbsk/store/storage.py).

The file header holds the storage version number after the checksum and the magic bytes DUCK
(DuckDB's storage documentation): 64 is what every DuckDB from v0.10 to v1.5 reads; DuckDB 2.0
writes 69 by default, which no 1.x reader opens. tests/test_old_clients.py opens the same file with
the real 1.x clients.
"""

from __future__ import annotations

import struct
from pathlib import Path

import duckdb

from builders import baseline, write_quarter
from conftest import evaluate, query
from sbsk.schemas import load_returns
from sbsk.store.warehouse import ensure_schema

HEADER = struct.Struct("<8x4sQ")  # checksum, b"DUCK", storage version number


def header_version(path: Path) -> int:
    with open(path, "rb") as fh:
        magic, version = HEADER.unpack(fh.read(HEADER.size))
    assert magic == b"DUCK", path
    return version


def tag(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select tags['storage_version'] from duckdb_databases() "
                           "where database_name = current_database()").fetchone()[0]
    finally:
        con.close()


def test_a_new_warehouse_is_written_for_duckdb_1_0(dirs):
    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline())
    assert evaluate(raw, out, "2020Q3")["status"] == "done"
    db = out / "sbsk.duckdb"
    assert header_version(db) == 64
    assert tag(db) == "v1.0.0+"
    # a second run reopens the copy: the format stays
    assert evaluate(raw, out, "2020Q3")["status"] == "done"
    assert header_version(db) == 64


def test_a_warehouse_an_older_sbsk_wrote_in_the_2_0_format_is_converted(dirs):
    raw, out = dirs
    db = out / "sbsk.duckdb"
    con = duckdb.connect(str(db))  # DuckDB 2.0's default format, as sbsk wrote it before
    ensure_schema(con, load_returns())
    primary_keys = "select table_name from duckdb_constraints() where constraint_type = 'PRIMARY KEY' order by 1"
    keys_before = con.execute(primary_keys).fetchall()
    assert ("quarter_results",) in keys_before and ("indicator_scores",) in keys_before
    con.execute("insert into pipeline_runs (run_id, kind, quarter, year, status, started_at, finished_at, "
                "rubric_version, message) values ('old-run', 'annual', null, 2019, 'done', "
                "timestamp '2020-01-10 02:00:00', null, '2020.1', '旧记录')")
    # a table the current schema does not re-create: its comments can only come from the old file
    con.execute("create table legacy_notes (note varchar not null)")
    con.execute("insert into legacy_notes values ('旧数据')")
    con.execute("comment on table legacy_notes is '旧注释'")
    con.execute("comment on column legacy_notes.note is '旧列注释'")
    con.close()
    assert tag(db) == "v2.0.0+"

    write_quarter(raw, "2020Q3", baseline())
    assert evaluate(raw, out, "2020Q3")["status"] == "done"
    assert header_version(db) == 64 and tag(db) == "v1.0.0+"
    # everything already stored survives the conversion: rows, constraints and comments
    assert query(out, "select run_id, message from pipeline_runs where year = 2019") == [("old-run", "旧记录")]
    assert query(out, "select count(*) from quarter_results where quarter = '2020Q3'") == [(9,)]
    # every primary key of the old file is still there (the schema's own list, so a new table needs no edit here)
    assert query(out, primary_keys) == keys_before
    assert query(out, "select note from legacy_notes") == [("旧数据",)]
    assert query(out, "select comment from duckdb_tables() where table_name = 'legacy_notes'") == [("旧注释",)]
    assert query(out, "select comment from duckdb_columns() where table_name = 'legacy_notes'") == [("旧列注释",)]
    assert query(out, "select count(*) from duckdb_constraints() where table_name = 'legacy_notes' "
                      "and constraint_type = 'NOT NULL'") == [(1,)]
    assert not list(out.glob(".sbsk.duckdb.*")), "the conversion left a file behind"
