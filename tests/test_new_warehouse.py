"""A new warehouse is a copy of the empty one kept in sbsk's cache folder, and the contract's catalog is
read from there (sbsk/store/schema_cache.py, sbsk.store.warehouse._new_warehouse and _contract). A copy
must be the warehouse ensure_schema makes in place; a schema made from other definitions, or by
another DuckDB, must never be copied; a damaged or unwritable cache only means the work is done in
place."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from sbsk.schemas.definitions import load_returns
from sbsk.store import schema_cache, warehouse

CATALOG = [
    "select table_name, comment from duckdb_tables() where schema_name = 'main' order by 1",
    "select table_name, column_name, data_type, comment from duckdb_columns() where schema_name = 'main' "
    "order by 1, column_index",
    "select view_name, sql from duckdb_views() where schema_name = 'main' and not internal order by 1",
    "select table_name, constraint_type, constraint_text from duckdb_constraints() where schema_name = 'main' "
    "order by all",
]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of this test's own, and a process that has checked no template yet."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SBSK_CACHE_DIR", str(folder))
    monkeypatch.setattr(warehouse, "_EMPTY", {})
    warehouse._contract.cache_clear()
    yield folder
    warehouse._contract.cache_clear()


def _made(out: Path, defs) -> list:
    with warehouse.writing(out, defs):
        pass
    con = duckdb.connect(str(out / warehouse.DB_NAME), read_only=True)
    try:
        return [con.execute(sql).fetchall() for sql in CATALOG]
    finally:
        con.close()


def _in_place(tmp_path, monkeypatch, defs) -> list:
    """The warehouse ensure_schema makes with no cache at all (the folder is a file: nothing is kept)."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("SBSK_CACHE_DIR", str(blocked))
    warehouse._contract.cache_clear()
    try:
        return _made(tmp_path / "in-place", defs)
    finally:
        monkeypatch.setenv("SBSK_CACHE_DIR", str(tmp_path / "cache"))
        warehouse._contract.cache_clear()


def test_every_new_warehouse_is_the_one_made_in_place(tmp_path, monkeypatch, cache):
    defs = load_returns()
    reference = _in_place(tmp_path, monkeypatch, defs)
    assert not cache.exists()
    first = _made(tmp_path / "a", defs)          # makes the cached one
    second = _made(tmp_path / "b", defs)         # a copy
    monkeypatch.setattr(warehouse, "_EMPTY", {})  # as a new process would
    warehouse._contract.cache_clear()
    third = _made(tmp_path / "c", defs)
    assert reference[0] and reference[1] and reference[2]  # tables, columns and views were compared
    assert first == reference and second == reference and third == reference
    assert len(list(cache.glob("empty-*.duckdb"))) == 1
    assert len(list(cache.glob("contract-*.json"))) == 1
    assert not list(cache.glob(".*"))  # no temporary file left behind


def test_a_warehouse_for_other_definitions_is_never_a_copy(tmp_path, cache):
    defs = load_returns()
    _made(tmp_path / "a", defs)  # the cached empty warehouse now exists
    r01 = defs.returns["R01"]
    extra = dataclasses.replace(r01.columns[-1], field="extra_note", header="补充说明", type="text", aliases=(),
                                optional=True)
    other = dataclasses.replace(defs, returns={**defs.returns, "R01": dataclasses.replace(
        r01, columns=(*r01.columns, extra))})
    catalog = _made(tmp_path / "b", other)
    assert "extra_note" in [c for t, c, _, _ in catalog[1] if t == warehouse.stg_table(r01)]
    assert len(list(cache.glob("empty-*.duckdb"))) == 2


def test_another_duckdb_or_storage_version_names_other_entries(monkeypatch):
    here = schema_cache.digest("contract text")
    monkeypatch.setattr(duckdb, "__version__", "9.9.9")
    assert schema_cache.digest("contract text") != here
    monkeypatch.undo()
    monkeypatch.setattr(schema_cache.storage, "STORAGE_VERSION", "v9.9.9")
    assert schema_cache.digest("contract text") != here
    monkeypatch.undo()
    assert schema_cache.digest("contract text") == here
    assert schema_cache.digest("other contract") != here


def test_a_cache_that_cannot_be_written_makes_it_in_place(tmp_path, monkeypatch, cache):
    defs = load_returns()
    reference = _in_place(tmp_path, monkeypatch, defs)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(schema_cache, "_write_whole", full)
    assert _made(tmp_path / "a", defs) == reference  # the run goes on, its warehouse made in place
    assert warehouse._EMPTY == {}
    assert not list(cache.glob("*"))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_cached_warehouse_is_made_again(tmp_path, monkeypatch, cache, damage):
    defs = load_returns()
    reference = _made(tmp_path / "a", defs)
    [template] = cache.glob("empty-*.duckdb")
    whole = template.read_bytes()
    template.write_bytes({"garbage": b"not a database " * 1000, "truncated": whole[: len(whole) // 3],
                          "empty": b""}[damage])
    monkeypatch.setattr(warehouse, "_EMPTY", {})  # a later process, which checks it again
    assert _made(tmp_path / "b", defs) == reference
    assert template.read_bytes() != b"" and schema_cache._opens(template)


def test_the_contract_catalog_is_read_back_not_worked_out_again(cache, monkeypatch):
    contract = warehouse.sql_file("contract.sql")
    worked_out = warehouse._contract_from_sql(contract)
    assert worked_out[0] and worked_out[1]
    assert warehouse._contract(contract) == worked_out  # worked out, and written to the cache
    warehouse._contract.cache_clear()

    def refuse(_contract):
        raise AssertionError("the contract was run again although the cache holds its catalog")

    monkeypatch.setattr(warehouse, "_contract_from_sql", refuse)
    assert warehouse._contract(contract) == worked_out


def test_a_damaged_contract_catalog_is_worked_out_again(cache, monkeypatch):
    contract = warehouse.sql_file("contract.sql")
    worked_out = warehouse._contract(contract)
    [entry] = cache.glob("contract-*.json")
    for damage in ('{"tables": 1', '[[["units"]], []]', "[1, 2]", "\x00\x01"):
        entry.write_text(damage, encoding="utf-8")
        warehouse._contract.cache_clear()
        calls = []
        monkeypatch.setattr(warehouse, "_contract_from_sql", lambda c: calls.append(c) or worked_out)
        assert warehouse._contract(contract) == worked_out
        assert calls == [contract], damage
    warehouse._contract.cache_clear()
    monkeypatch.setattr(warehouse, "_contract_from_sql", lambda c: pytest.fail("not rewritten whole"))
    assert warehouse._contract(contract) == worked_out


def test_an_entry_cut_short_is_never_left_in_place(tmp_path, monkeypatch):
    monkeypatch.setenv("SBSK_CACHE_DIR", str(tmp_path))
    target = tmp_path / "empty-x.duckdb"

    def killed(path):
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        schema_cache._write_whole(target, killed)
    assert list(tmp_path.iterdir()) == []


def test_with_no_home_nothing_is_kept_and_nothing_made_where_the_command_runs(tmp_path, monkeypatch):
    for name in ("SBSK_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(schema_cache.Path, "home", classmethod(lambda cls: Path("~")))  # as Python 3.11 gives it
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(warehouse, "_EMPTY", {})
    warehouse._contract.cache_clear()
    try:
        assert schema_cache.folder() is None
        catalog = _made(tmp_path / "out", load_returns())
    finally:
        warehouse._contract.cache_clear()
    assert catalog[0] and catalog[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_cache_folder_is_named_by_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("SBSK_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert schema_cache.folder() == tmp_path / "xdg" / "sbsk"
    monkeypatch.setenv("SBSK_CACHE_DIR", str(tmp_path / "own"))
    assert schema_cache.folder() == tmp_path / "own"
    monkeypatch.delenv("SBSK_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert schema_cache.folder() == tmp_path / "home" / ".cache" / "sbsk"
