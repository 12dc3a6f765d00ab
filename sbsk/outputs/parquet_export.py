"""Parquet copies of the published results, one Hive-style partition per quarter (or year):

    <out_dir>/parquet/<table>/quarter=<YYYYQn>/data.parquet
    <out_dir>/parquet/annual_results/year=<YYYY>/data.parquet (and annual_category_scores)

Each partition is written to a temporary file in its own folder and renamed over data.parquet, so
re-exporting one quarter never touches the others and a reader never sees half a file. The
partition column is kept inside the file too, so a single file still says which quarter it holds.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from sbsk.config.periods import Quarter
from sbsk.store.warehouse import literal, read_only

QUARTER_TABLES = ("indicator_scores", "category_scores", "quarter_results", "data_flags", "rejected_rows",
                  "source_files")
ANNUAL_TABLE = "annual_results"
ANNUAL_TABLES = ("annual_category_scores", ANNUAL_TABLE)
PARQUET_DIR = "parquet"
FILE_NAME = "data.parquet"


def partition_path(out_dir: Path, table: str, key: str, value: str | int) -> Path:
    return Path(out_dir) / PARQUET_DIR / table / f"{key}={value}" / FILE_NAME


def _write_partition(con: duckdb.DuckDBPyConnection, out_dir: Path, table: str, key: str,
                     value: str | int) -> Path:
    """Every row of `table` with key = value (also none: an empty partition replaces a stale one)."""
    target = partition_path(out_dir, table, key, value)
    target.parent.mkdir(parents=True, exist_ok=True)
    # not *.parquet, so that a reader globbing the folder never picks up a half-written file
    tmp = target.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
    where = f"{key} = {literal(value) if isinstance(value, str) else int(value)}"
    try:
        con.execute(f"copy (select * from main.{table} where {where} order by all) "
                    f"to {literal(str(tmp))} (format parquet, compression zstd)")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _has_rows(con: duckdb.DuckDBPyConnection, table: str, key: str, value: str | int) -> bool:
    return con.execute(f"select count(*) from main.{table} where {key} = ?", [value]).fetchone()[0] > 0


def _export_quarter(con: duckdb.DuckDBPyConnection, out_dir: Path, quarter: str) -> list[Path]:
    return [_write_partition(con, out_dir, table, "quarter", quarter) for table in QUARTER_TABLES]


def export_quarter(out_dir: Path, quarter: str) -> list[Path]:
    """The quarter's rows of every per-quarter table; the other quarters' files are left as they are."""
    q = str(Quarter.parse(quarter))
    con = read_only(Path(out_dir))
    try:
        if not _has_rows(con, "quarter_results", "quarter", q):
            raise LookupError(f"{q}：数据库中没有本季度的考评结果，无法导出 Parquet")
        return _export_quarter(con, Path(out_dir), q)
    finally:
        con.close()


def export_year(out_dir: Path, year: int) -> list[Path]:
    """Every scored quarter of the year, and the year's annual_results when it has been computed."""
    year = int(year)
    con = read_only(Path(out_dir))
    try:
        quarters = [str(q) for q in (Quarter(year, n) for n in range(1, 5))
                    if _has_rows(con, "quarter_results", "quarter", str(q))]
        annual = _has_rows(con, ANNUAL_TABLE, "year", year)
        if not quarters and not annual:
            raise LookupError(f"{year}年：数据库中没有考评结果，无法导出 Parquet")
        written = [p for q in quarters for p in _export_quarter(con, Path(out_dir), q)]
        if annual:
            written += [_write_partition(con, Path(out_dir), table, "year", year) for table in ANNUAL_TABLES]
        return written
    finally:
        con.close()
