"""Every publish brings the warehouse's schema up to the contract (store/warehouse.py::ensure_schema), but
skips the statements that would change nothing: a stale or missing comment, or a missing contract
table, must still be put right. Expected texts are copied by hand from transforms/contract.sql, the
staging comments from schemas/returns.toml (R01) as docs/analysts.md shows them."""

from __future__ import annotations

import duckdb

from sbsk.schemas import load_returns
from sbsk.store.warehouse import ensure_schema


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
