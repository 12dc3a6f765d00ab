"""Analysts' DuckDB 1.x clients open the published database and the Parquet partitions read-only,
and every example query of docs/analysts.md gives them the same answer as Python duckdb 2.0.

The clients (tests/old_clients.py) are the DuckDB CLI 1.5, Python duckdb 1.4 and the Node client
@duckdb/node-api 1.5; each is installed once into a cache. DBeaver bundles a 1.x driver too (its
Maven registry is not reachable from here): these three stand for it. If the warehouse were written
in DuckDB 2.0's default storage format, every client here would refuse the file.
"""

from __future__ import annotations

import hashlib
import re
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import old_clients
from builders import baseline, write_quarter
from conftest import evaluate
from review_builders import run_review, scores, write_review
from sbsk import pipeline
from sbsk.config.registry import load_registry
from sbsk.config.rubric import load_rubric
from sbsk.outputs.parquet_export import ANNUAL_TABLE, QUARTER_TABLES, export_year
from sbsk.schemas import load_returns

DOC = Path(__file__).resolve().parents[1] / "docs" / "analysts.md"
DB = "data/out/sbsk.duckdb"  # as the doc writes it, relative to the folder the clients run in
NUMERIC = re.compile(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|DECIMAL|DOUBLE|FLOAT)\b")


def doc_queries() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    blocks = [b.strip() for b in re.findall(r"```sql\n(.*?)```", text, re.S)]
    inline = re.findall(r"`(select \* from read_parquet\([^`]*\))`", text)  # the Parquet example in the prose
    assert len(blocks) >= 10 and len(inline) == 1
    return blocks + inline


def parquet_queries() -> list[str]:
    tables = list(QUARTER_TABLES) + [ANNUAL_TABLE]
    return [f"select * from read_parquet('data/out/parquet/{t}/*/*.parquet', hive_partitioning = true) order by all"
            for t in tables]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """Two quarters and the year, laid out as in the repository: <root>/data/out."""
    root = tmp_path_factory.mktemp("analyst")
    raw, out = root / "data" / "raw", root / "data" / "out"
    write_quarter(raw, "2020Q2", baseline(day=date(2020, 5, 10)))
    q3 = baseline()
    q3["R04"] += [  # 内黄县: a new start with money spent (counted by C2) and one with none (开而未动)
        dict(unit="内黄县", project_name="新开工1", project_code="2020-410527-47-03-900001", total_investment=30000,
             nature="新开工", started_on=date(2020, 6, 1), annual_plan=1000, ytd_completed=200),
        dict(unit="内黄县", project_name="未动1", project_code="2020-410527-47-03-900002", total_investment=40000,
             nature="新开工", started_on=date(2020, 7, 10), annual_plan=1000, ytd_completed=0),
    ]
    q3["R06"][0] = dict(unit="林州市", project_name="超付项目", allocated=1000, paid=1500)  # one rejected row
    write_quarter(raw, "2020Q3", q3)
    for q in ("2020Q2", "2020Q3"):
        assert evaluate(raw, out, q)["status"] == "done"
    write_review(raw, "2020H1", [scores("内黄县", "甲", 20)])   # docs/analysts.md's review example (SPEC §11)
    run_review((raw, out), "2020H1")
    pipeline.publish_year(2020, load_returns(), load_rubric(), load_registry(), out, pipeline.new_run_id(),
                          pipeline.now())
    export_year(out, 2020)
    return root


@pytest.fixture(scope="module")
def reference(sample) -> dict:
    """The answers of Python duckdb 2.0 (this environment's), through the same runner."""
    got = old_clients.run_python(sys.executable, DB, doc_queries() + parquet_queries(), sample)
    assert got["version"].startswith("2."), got["version"]
    for sql, res in zip(doc_queries() + parquet_queries(), got["results"]):
        assert "error" not in res, (sql, res)
        assert res["rows"], f"no rows, so nothing would be compared:\n{sql}"
    return got


def _same(a, b, dtype: str) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if NUMERIC.match(dtype):
        x, y = Decimal(str(a)), Decimal(str(b))
        if dtype.startswith(("DOUBLE", "FLOAT")):
            return abs(x - y) <= Decimal("1e-9") * max(Decimal(1), abs(x))
        return x == y
    if dtype == "BOOLEAN":
        return bool(a) == bool(b)
    return str(a) == str(b)


def compare(reference: dict, got: dict, queries: list[str]) -> list[str]:
    problems = []
    for sql, want, have in zip(queries, reference["results"], got["results"]):
        head = sql.splitlines()[0][:80]
        if "error" in have:
            problems.append(f"{head}: {have['error'][:300]}")
            continue
        if have["columns"] != want["columns"]:
            problems.append(f"{head}: columns {have['columns']} != {want['columns']}")
            continue
        if len(have["rows"]) != len(want["rows"]):
            problems.append(f"{head}: {len(have['rows'])} rows, not {len(want['rows'])}")
            continue
        for i, (hrow, wrow) in enumerate(zip(have["rows"], want["rows"])):
            bad = [(c, h, w) for c, h, w, t in zip(want["columns"], hrow, wrow, want["types"]) if not _same(h, w, t)]
            if bad:
                problems.append(f"{head}: row {i}: {bad[:3]}")
                break
    return problems


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


CLIENTS = {
    "duckdb-cli-1.5": (lambda q, cwd: old_clients.run_cli(DB, q, cwd), "v1.5."),
    "python-duckdb-1.4": (lambda q, cwd: old_clients.run_python(old_clients.python(), DB, q, cwd), "1.4."),
    "node-api-1.5": (lambda q, cwd: old_clients.run_node(DB, q, cwd), "v1.5."),
}


@pytest.mark.parametrize("client", list(CLIENTS))
def test_client_gives_the_same_answers_read_only(client, sample, reference):
    run, version = CLIENTS[client]
    db = sample / DB
    before = _digest(db)
    queries = doc_queries() + parquet_queries()
    got = run(queries, sample)
    assert got["version"].startswith(version), got["version"]
    assert len(got["results"]) == len(queries)
    problems = compare(reference, got, queries)
    assert problems == [], f"{client} ({got['version']}):\n" + "\n".join(problems)
    assert _digest(db) == before, "a read-only client changed the database"
    assert not (sample / "data" / "out" / "sbsk.duckdb.wal").exists()
