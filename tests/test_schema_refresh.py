"""Every publish brings the warehouse's schema up to the contract (store/warehouse.py::ensure_schema), but
skips the statements that would change nothing: a stale or missing comment, or a missing contract
table, must still be put right. Expected texts are copied by hand from transforms/contract.sql, the
staging comments from schemas/returns.toml (R01) as docs/analysts.md shows them. A warehouse made before a
contract column existed gets it added (warehouse.py::_add_new_columns) and still publishes."""

from __future__ import annotations

import duckdb

from builders import baseline, write_quarter
from conftest import evaluate
from sbsk.schemas import load_returns
from sbsk.store.warehouse import DB_NAME, ensure_schema


def _comment(con, table: str, column: str | None = None):
    if column is None:
        return con.execute("select comment from duckdb_tables() where table_name = ?", [table]).fetchone()[0]
    return con.execute("select comment from duckdb_columns() where table_name = ? and column_name = ?",
                       [table, column]).fetchone()[0]


def test_stale_comments_then_a_dropped_table_are_put_right(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        defs = load_returns()
        ensure_schema(con, defs)
        assert _comment(con, "units", "unit_code") == "National division code (e.g. 410581)."
        # an older sbsk's texts, and a contract table it did not have
        con.execute("comment on column units.unit_code is 'old text'")
        con.execute("comment on table units is 'old table text'")
        con.execute("comment on column stg_project_reserve.project_name is 'old'")
        con.execute("comment on table stg_project_reserve is 'old'")
        ensure_schema(con, defs)
        assert _comment(con, "units", "unit_code") == "National division code (e.g. 410581)."
        assert _comment(con, "units").startswith("考评单位 registry: every county")
        assert _comment(con, "stg_project_reserve", "project_name") == "项目名称 (text)"
        assert _comment(con, "stg_project_reserve") == \
            "Staged rows of R01 项目谋划储备 (fgw), one per loaded return row, with lineage."
        con.execute("drop table quarter_versions")  # every comment right, one table missing
        ensure_schema(con, defs)
        assert con.execute("select count(*) from duckdb_tables() where table_name = 'quarter_versions'").fetchone() == (1,)
    finally:
        con.close()


def test_a_warehouse_from_before_guessed_return_code_is_brought_up_and_publishes(dirs):
    """source_files.guessed_return_code came after warehouses were in use: one made without it gets the
    column (with its comment), keeps its rows (null guess: they were stored without one), and the next
    publish fills the column and the view counts the unreadable file under its return."""
    raw, out = dirs
    data = baseline()
    write_quarter(raw, "2020Q1", data)
    assert evaluate(raw, out, "2020Q1")["status"] == "done"
    con = duckdb.connect(str(out / DB_NAME))
    try:  # what an older sbsk made: no such column, and a view that does not read it
        con.execute("drop view department_submissions")
        con.execute("alter table source_files drop column guessed_return_code")
        assert _comment(con, "source_files") is not None
    finally:
        con.close()

    del data["R04"]
    write_quarter(raw, "2020Q2", data)
    owner = load_returns().returns["R04"].owner
    (raw / "2020Q2" / owner).mkdir(exist_ok=True)
    (raw / "2020Q2" / owner / "R04-坏文件.xlsx").write_text("not a workbook", encoding="utf-8")
    assert evaluate(raw, out, "2020Q2", continue_on_missing=True)["status"] == "provisional"
    con = duckdb.connect(str(out / DB_NAME), read_only=True)
    try:
        assert _comment(con, "source_files", "guessed_return_code").startswith(
            "For a file not recognised as a return (return_code null): the return it probably is")
        # 2020Q1's eleven files were all recognised: kept, with no guess
        assert con.execute("select count(*), count(guessed_return_code) from source_files where quarter = '2020Q1'"
                           ).fetchone() == (11, 0)
        assert con.execute("select return_code, guessed_return_code from source_files "
                           "where quarter = '2020Q2' and path like '%坏文件%'").fetchone() == (None, "R04")
        assert con.execute("select state from department_submissions where quarter = '2020Q2' and department = ? "
                           "and return_code = 'R04'", [owner]).fetchall() == [("整表退回",)]
    finally:
        con.close()
