"""docs/analysts.md: generated from the database comments, complete, and its examples run."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from builders import baseline, write_quarter
from conftest import evaluate
from review_builders import run_review, scores, write_review
from sbsk.outputs.analysts_doc import generate
from sbsk.store.warehouse import ensure_schema
from sbsk.schemas import load_returns

DOC = Path(__file__).resolve().parents[1] / "docs" / "analysts.md"
# SPEC §7, written out here so that a table dropped from the code is noticed
CONTRACT = ["units", "rubric_indicators", "indicator_scores", "category_scores", "quarter_results",
            "annual_category_scores", "annual_results",
            "rejected_rows", "data_flags", "source_files", "pipeline_runs",
            "review_scores", "review_results", "review_assessors",
            "submissions", "submission_files", "submission_quality"]
STAGING = ["stg_project_reserve", "stg_investment_attraction", "stg_groundbreaking_events", "stg_major_projects",
           "stg_key_project_investment", "stg_central_budget", "stg_special_bonds", "stg_program_982",
           "stg_joint_approvals", "stg_assessor_scores", "stg_policy_documents"]


@pytest.fixture()
def schema():
    con = duckdb.connect()
    ensure_schema(con, load_returns())
    yield con
    con.close()


def test_doc_is_generated_from_the_schema(schema):
    expected = generate(schema)
    assert DOC.read_text(encoding="utf-8") == expected, \
        "docs/analysts.md is out of date: run `python -m sbsk.outputs.analysts_doc`"


def test_every_contract_table_and_column_has_a_comment(schema):
    tables = dict(schema.execute("select table_name, comment from duckdb_tables() where schema_name = 'main'")
                  .fetchall())
    for table in CONTRACT + STAGING:
        assert (tables.get(table) or "").strip(), f"table {table} has no comment"
        cols = schema.execute("select column_name, comment from duckdb_columns() "
                              "where schema_name = 'main' and table_name = ?", [table]).fetchall()
        assert cols, table
        bare = [name for name, comment in cols if not (comment or "").strip()]
        assert bare == [], f"{table}: columns without a comment: {bare}"


def test_doc_lists_every_table_and_column(schema):
    text = DOC.read_text(encoding="utf-8")
    for table in CONTRACT + STAGING:
        assert f"### `{table}`" in text
    for table in ("indicator_scores", "quarter_results"):
        section = text.split(f"### `{table}`")[1].split("\n### ")[0]
        for (name,) in schema.execute("select column_name from duckdb_columns() where table_name = ?",
                                      [table]).fetchall():
            assert f"| `{name}` |" in section, (table, name)


def _examples() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("analysts")
    raw, out = root / "raw", root / "out"
    data = baseline()
    # 内黄县: one new start with money spent (counted by C2) and one 开而未动 (not counted)
    data["R04"] += [
        dict(unit="内黄县", project_name="新开工1", project_code="2020-410527-47-03-900001", total_investment=30000,
             nature="新开工", started_on=date(2020, 6, 1), annual_plan=1000, ytd_completed=200),
        dict(unit="内黄县", project_name="未动1", project_code="2020-410527-47-03-900002", total_investment=40000,
             nature="新开工", started_on=date(2020, 7, 10), annual_plan=1000, ytd_completed=0),
    ]
    write_quarter(raw, "2020Q3", data)
    assert evaluate(raw, out, "2020Q3")["status"] == "done"
    write_review(raw, "2020H1", [scores("内黄县", "甲", 20)])   # the review example (SPEC §11)
    run_review((raw, out), "2020H1")
    return out / "sbsk.duckdb"


def test_every_example_query_runs_and_returns_rows(published):
    examples = _examples()
    assert len(examples) >= 6
    con = duckdb.connect(str(published), read_only=True)
    try:
        for sql in examples:
            assert con.execute(sql).fetchall(), f"no rows:\n{sql}"
    finally:
        con.close()


def test_lineage_example_finds_the_counted_project(published):
    lineage = next(sql for sql in _examples() if "m.source_file, m.sheet, m.row_number" in sql)
    con = duckdb.connect(str(published), read_only=True)
    try:
        rows = con.execute(lineage).fetchall()
        check = next(sql for sql in _examples() if "staged_rows" in sql)
        scored, staged = con.execute(check).fetchone()
    finally:
        con.close()
    # baseline R04 rows fill Excel rows 3–11 (nine units); 新开工1 is row 12, 未动1 (ytd 0) row 13
    assert [(r[0], r[5], r[7]) for r in rows] == [("新开工1", "2020Q3/tjj/R04-major_projects.xlsx", 12)]
    assert (scored, staged) == (1, 1)


def test_python_example_runs_as_written(published, tmp_path, monkeypatch):
    """The ```python block, from a folder laid out as the repository (data/out/sbsk.duckdb)."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    (tmp_path / "data" / "out").mkdir(parents=True)
    (tmp_path / "data" / "out" / "sbsk.duckdb").symlink_to(published)
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(compile(blocks[0], "docs/analysts.md", "exec"), names)
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert (names["total"], names["rank"]) == con.execute(
            "select total, group_rank from quarter_results where quarter = '2020Q3' and unit_code = '410527'"
        ).fetchone()
    finally:
        con.close()
    assert len(names["ranking"]) == 5                      # the county group's five units
    assert names["wide"].shape == (9, 20)                  # 9 units × 20 indicators
    assert len(names["first"]) == 1
