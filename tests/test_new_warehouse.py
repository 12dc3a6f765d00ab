"""A process that makes many warehouses copies an empty one with the schema from its second on
(sbsk.store.warehouse._new_warehouse); the copy must be the warehouse ensure_schema would have made,
and a schema made from other definitions must never be copied."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb

from sbsk.schemas.definitions import load_returns
from sbsk.store import warehouse

CATALOG = [
    "select table_name, comment from duckdb_tables() where schema_name = 'main' order by 1",
    "select table_name, column_name, data_type, comment from duckdb_columns() where schema_name = 'main' "
    "order by 1, column_index",
    "select view_name, sql from duckdb_views() where schema_name = 'main' and not internal order by 1",
    "select table_name, constraint_type, constraint_text from duckdb_constraints() where schema_name = 'main' "
    "order by all",
]


def _made(out: Path, defs) -> list:
    with warehouse.writing(out, defs):
        pass
    con = duckdb.connect(str(out / warehouse.DB_NAME), read_only=True)
    try:
        return [con.execute(sql).fetchall() for sql in CATALOG]
    finally:
        con.close()


def test_every_new_warehouse_has_the_schema_ensure_schema_makes(tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse, "_EMPTY", {})
    defs = load_returns()
    first, second, third = (_made(tmp_path / name, defs) for name in ("a", "b", "c"))
    assert [p.name for p in warehouse._EMPTY.values()] == [warehouse.DB_NAME]  # the second and third were copies
    assert first[0] and first[1] and first[2]  # tables, columns and views were compared
    assert second == first and third == first


def test_a_warehouse_for_other_definitions_is_never_a_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse, "_EMPTY", {})
    defs = load_returns()
    _made(tmp_path / "a", defs)
    _made(tmp_path / "b", defs)  # the template now exists
    r01 = defs.returns["R01"]
    extra = dataclasses.replace(r01.columns[-1], field="extra_note", header="补充说明", type="text", aliases=(),
                                optional=True)
    other = dataclasses.replace(defs, returns={**defs.returns, "R01": dataclasses.replace(
        r01, columns=(*r01.columns, extra))})
    catalog = _made(tmp_path / "c", other)
    columns = [c for t, c, _, _ in catalog[1] if t == warehouse.stg_table(r01)]
    assert "extra_note" in columns


def test_a_temporary_folder_that_cannot_be_written_makes_it_in_place(tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse, "_EMPTY", {})
    defs = load_returns()
    first = _made(tmp_path / "a", defs)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(warehouse.tempfile, "mkdtemp", full)
    assert _made(tmp_path / "b", defs) == first  # the run goes on, its warehouse made as the first was
    assert list(warehouse._EMPTY.values()) == [None]  # no empty warehouse was kept
