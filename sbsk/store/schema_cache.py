"""What every run would otherwise work out again from contract.sql and the return definitions, kept
on disk between runs: the contract's catalog (its tables, columns and comments, which tell whether a
warehouse is up to date) and an empty warehouse with the whole schema, copied for a new warehouse.

Both are derived data, named by a digest of everything they are made from and of the DuckDB and
storage versions that made them, so a changed contract, return or DuckDB never meets an old entry.
Entries are written whole under a temporary name and renamed into place, so two runs at once, or a
run killed half-way, leave either no entry or a whole one. A damaged entry is made again; a cache
folder that cannot be written (full, read-only, not there) only means the work is done in place, as
without a cache. The folder: $SBSK_CACHE_DIR, else $XDG_CACHE_HOME/sbsk, else ~/.cache/sbsk
(deleting it is always safe).

Measured on a city quarter (docs/performance.md): the catalog from contract.sql costs 0.18 s, the
schema of a new warehouse 0.45 s; reading the one and copying the other, milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

import duckdb

from sbsk.store import storage


def folder() -> Path | None:
    """The cache folder; None when there is none to name (no $HOME: a service account, a bare
    container), so that nothing is kept rather than a folder named "~" made where the command runs."""
    chosen = os.environ.get("SBSK_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    if chosen:
        return Path(chosen) if os.environ.get("SBSK_CACHE_DIR") else Path(chosen) / "sbsk"
    try:
        home = Path.home()
    except RuntimeError:
        return None
    return home / ".cache" / "sbsk" if home.is_absolute() else None


def digest(*parts: str) -> str:
    """The name of an entry made from `parts` by this DuckDB, in this storage version."""
    made_by = f"duckdb {duckdb.__version__}, storage {storage.STORAGE_VERSION}"
    return hashlib.sha256(repr((made_by, *parts)).encode()).hexdigest()[:24]


Catalog = tuple[tuple, tuple]


def catalog(contract: str, work_out: Callable[[], Catalog]) -> Catalog:
    """The contract's (tables, columns) as work_out() gives them, from the cache when it has them."""
    where = folder()
    if where is None:
        return work_out()
    path = where / f"contract-{digest(contract)}.json"
    try:
        tables, columns = json.loads(path.read_text(encoding="utf-8"))
        found = (tuple(map(tuple, tables)), tuple(map(tuple, columns)))
        if all(len(t) == 2 for t in found[0]) and all(len(c) == 4 for c in found[1]):
            return found
    except (OSError, ValueError, TypeError):
        pass  # not there yet, or damaged: worked out again below
    found = work_out()
    try:
        _write_whole(path, lambda tmp: tmp.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8"))
    except OSError:
        pass
    return found


def empty_warehouse(key: str, make: Callable[[Path], None]) -> Path | None:
    """An empty warehouse for schema `key`, made by make(path) when the cache has none that opens;
    None when the cache folder cannot hold one."""
    where = folder()
    if where is None:
        return None
    path = where / f"empty-{digest(key)}.duckdb"
    if _opens(path):
        return path
    try:
        _write_whole(path, make)
    except (OSError, duckdb.IOException):
        return None
    return path


def _opens(path: Path) -> bool:
    """A whole DuckDB file in the target format (a truncated or foreign file is not)."""
    if not path.is_file():
        return False
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return False
    try:
        return storage.readable_by_target(con) and bool(con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'main'").fetchone()[0])
    except duckdb.Error:
        return False
    finally:
        con.close()


def _write_whole(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
