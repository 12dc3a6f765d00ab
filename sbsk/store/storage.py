"""Which DuckDB storage format the warehouse is written in, so that analysts' 1.x clients open it.

DuckDB 2.0 writes new files in storage version 69 by default, and no 1.x reader opens that: the
newest DuckDB CLI (1.5.x), the 1.4 LTS Python package, the Node client and DBeaver's bundled driver
all refuse it ("version number 69, but we can only read versions between 64 and 68"). So every file
a run writes, and with it the published sbsk.duckdb, targets STORAGE_VERSION instead.

Why v1.0.0: it is the oldest target DuckDB 2.0 writes (asking for v0.9 or v0.10 gives the same
file, tagged "v1.0.0+", header version 64), so every DuckDB from 1.0 on can read the database,
and it keeps everything the warehouse uses: tables with primary keys and NOT NULL, DECIMAL, DATE and
TIMESTAMP columns, views, and COMMENTs on tables, views and columns (tests/test_storage_version.py
and tests/test_old_clients.py check each with the real 1.x clients). What the newer formats add —
newer compression (v1.2+), encryption (v1.4+), the types of v1.5 and 2.0 — the warehouse does
not use; a few dozen MB of results do not need the better compression. Raise it only together
with the clients named in tests/test_old_clients.py.

A file keeps the format it was created with: DuckDB never lowers it when the file is reopened
(and refuses to be told to), so a warehouse written by an older sbsk in the 2.0 format is copied
once, table by table with its comments and constraints, into a file of the target format.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

STORAGE_VERSION = "v1.0.0"


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to `path`; a new file is created in STORAGE_VERSION."""
    return duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})


def written_for(con: duckdb.DuckDBPyConnection, database: str | None = None) -> str:
    """The oldest DuckDB that reads the database, as DuckDB tags it: 'v1.0.0+', 'v2.0.0+' …"""
    row = con.execute("select tags['storage_version'] from duckdb_databases() where database_name = "
                      "coalesce(?, current_database())", [database]).fetchone()
    return row[0] if row else ""


def readable_by_target(con: duckdb.DuckDBPyConnection, database: str | None = None) -> bool:
    return written_for(con, database) == f"{STORAGE_VERSION}+"


def open_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    """Connect to `path` (a run's private copy), converting it first if its format is newer."""
    con = connect(path)
    if readable_by_target(con):
        return con
    con.close()
    convert(path)
    return connect(path)


def convert(path: Path) -> None:
    """Rewrite the database at `path` in STORAGE_VERSION (tables, views, comments, constraints)."""
    tmp = path.with_name(path.name + ".convert")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute("attach ? as src (read_only)", [str(path)])
        con.execute(f"attach ? as dst (storage_version '{STORAGE_VERSION}')", [str(tmp)])
        con.execute("copy from database src to dst")
        con.execute("detach dst")
        con.execute("detach src")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, path)
