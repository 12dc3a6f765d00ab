"""Parquet export: one partition per quarter, re-exporting one quarter leaves the others alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from builders import baseline, write_quarter
from conftest import evaluate
from sbsk.outputs.parquet_export import export_quarter, export_year

TABLES = ["indicator_scores", "category_scores", "quarter_results", "data_flags", "rejected_rows", "source_files"]


def _quarter(raw: Path, quarter: str, bad_row: bool) -> None:
    q = int(quarter[-1])
    data = baseline(day=date(2020, 3 * q - 1, 10))
    if bad_row:  # paid above allocated: one rejected row
        data["R06"][0] = dict(unit="林州市", project_name="超付项目", allocated=1000, paid=1500)
    write_quarter(raw, quarter, data)


def _db_rows(out: Path, table: str, key: str, value) -> list[tuple]:
    con = duckdb.connect(str(out / "sbsk.duckdb"), read_only=True)
    try:
        return con.execute(f"select * from {table} where {key} = ? order by all", [value]).fetchall()
    finally:
        con.close()


def _file_rows(path: Path) -> list[tuple]:
    return duckdb.connect().execute("select * from read_parquet(?) order by all", [str(path)]).fetchall()


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture()
def two_quarters(dirs):
    raw, out = dirs
    _quarter(raw, "2020Q2", bad_row=False)
    _quarter(raw, "2020Q3", bad_row=True)
    for q in ("2020Q2", "2020Q3"):
        assert evaluate(raw, out, q)["status"] == "done"
    return raw, out


def test_partitions_hold_the_database_rows(two_quarters):
    raw, out = two_quarters
    written = export_quarter(out, "2020Q2") + export_quarter(out, "2020Q3")
    expected = [out / "parquet" / t / f"quarter={q}" / "data.parquet" for q in ("2020Q2", "2020Q3") for t in TABLES]
    assert written == expected
    for path in expected:
        table, quarter = path.parts[-3], path.parts[-2].split("=")[1]
        assert _file_rows(path) == _db_rows(out, table, "quarter", quarter), path
    # 9 units × 20 indicators per quarter; the one bad row of 2020Q3
    assert len(_file_rows(expected[0])) == 180
    assert len(_file_rows(out / "parquet/rejected_rows/quarter=2020Q3/data.parquet")) == 1
    assert len(_file_rows(out / "parquet/rejected_rows/quarter=2020Q2/data.parquet")) == 0
    both = duckdb.connect().execute(
        "select quarter, count(*) from read_parquet(?, hive_partitioning = true) group by quarter order by quarter",
        [str(out / "parquet/quarter_results/*/*.parquet")]).fetchall()
    assert both == [("2020Q2", 9), ("2020Q3", 9)]


def test_reexport_replaces_one_quarter_only(two_quarters):
    raw, out = two_quarters
    export_quarter(out, "2020Q2")
    export_quarter(out, "2020Q3")
    q2_before = _snapshot(out / "parquet")
    q2_before = {k: v for k, v in q2_before.items() if "quarter=2020Q2" in k}
    assert len(q2_before) == len(TABLES)

    _quarter(raw, "2020Q3", bad_row=False)  # the department corrects its return
    assert evaluate(raw, out, "2020Q3")["status"] == "done"
    export_quarter(out, "2020Q3")

    after = _snapshot(out / "parquet")
    assert {k: v for k, v in after.items() if "quarter=2020Q2" in k} == q2_before
    # the corrected quarter: the stale rejected row is gone (an empty partition replaced it)
    assert _file_rows(out / "parquet/rejected_rows/quarter=2020Q3/data.parquet") == []
    assert _file_rows(out / "parquet/source_files/quarter=2020Q3/data.parquet") == \
        _db_rows(out, "source_files", "quarter", "2020Q3")
    assert sorted(after) == sorted(f"{t}/quarter={q}/data.parquet" for t in TABLES for q in ("2020Q2", "2020Q3"))


def test_export_year_with_annual(two_quarters):
    from sbsk.schemas import load_returns
    from sbsk import pipeline
    from sbsk.config.registry import load_registry
    from sbsk.config.rubric import load_rubric

    raw, out = two_quarters
    pipeline.publish_year(2020, load_returns(), load_rubric(), load_registry(), out, pipeline.new_run_id(),
                          pipeline.now())
    written = export_year(out, 2020)
    assert len(written) == 2 * len(TABLES) + 2  # two scored quarters, then the year's two tables
    annual = out / "parquet" / "annual_results" / "year=2020" / "data.parquet"
    assert written[-1] == annual
    assert len(_file_rows(annual)) == 9
    assert _file_rows(annual) == _db_rows(out, "annual_results", "year", 2020)
    categories = out / "parquet" / "annual_category_scores" / "year=2020" / "data.parquet"
    assert written[-2] == categories and len(_file_rows(categories)) == 9 * 4


def test_nothing_to_export(two_quarters):
    raw, out = two_quarters
    with pytest.raises(LookupError):
        export_quarter(out, "2020Q4")
    with pytest.raises(LookupError):
        export_year(out, 2019)
    assert not (out / "parquet" / "indicator_scores" / "quarter=2020Q4").exists()
