"""The real Prefect flows, through the real `sbsk` command, on a small year: the slow tests. The
commands talk to the suite's local Prefect server (tests/test_faults.py), so none starts a temporary
server of its own."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from builders import baseline, write_quarter
from conftest import query
from test_faults import server  # noqa: F401  (the process's Prefect server, a fixture)

pytestmark = pytest.mark.flow
SBSK = [sys.executable, "-m", "sbsk.cli"]


def _sbsk(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    """The command with env: the `server` fixture's (from tests/test_faults.py), pointing at its server."""
    return subprocess.run([*SBSK, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _quarter_rows(q: int) -> dict:
    rows = baseline(day=date(2020, 3 * q - 1, 10))
    for r in rows["R04"] + rows["R05"] + rows["R08"]:
        r["ytd_completed"] = r["ytd_completed"] * q / 4  # year-to-date money grows every quarter
    if q == 2:  # one invalid row: paid above allocated
        rows["R06"][0] = dict(unit="林州市", project_name="超付项目", allocated=1000, paid=1500)
    return rows


@pytest.fixture(scope="session")
def year(tmp_path_factory, server) -> dict:
    root = tmp_path_factory.mktemp("year")
    raw, out = root / "raw", root / "out"
    for q in (1, 2, 4):
        write_quarter(raw, f"2020Q{q}", _quarter_rows(q))
    q3 = _quarter_rows(3)
    del q3["R07"]  # the finance bureau has not sent its return yet
    write_quarter(raw, "2020Q3", q3)
    runs = {
        "main": _sbsk("run", "2020Q1", "2020Q2", "2020Q4", "--raw-dir", str(raw), "--out-dir", str(out), cwd=root,
                      env=server),
        "q3_strict": _sbsk("run", "2020Q3", "--raw-dir", str(raw), "--out-dir", str(out), cwd=root, env=server),
        "q3_lenient": _sbsk("run", "2020Q3", "--continue-on-missing", "--raw-dir", str(raw), "--out-dir", str(out),
                            cwd=root, env=server),
        "annual": _sbsk("annual", "2020", "--out-dir", str(out), cwd=root, env=server),
    }
    return {"raw": raw, "out": out, "runs": runs}


def test_exit_codes(year):
    runs = year["runs"]
    assert runs["main"].returncode == 0, runs["main"].stderr[-3000:]
    assert runs["q3_strict"].returncode == 1
    assert "R07" in runs["q3_strict"].stderr
    assert runs["q3_lenient"].returncode == 1  # stored as provisional, still exits 1 for the scheduler
    assert runs["annual"].returncode == 0, runs["annual"].stderr[-3000:]


def test_outputs_written(year):
    out = year["out"]
    for q in ("2020Q1", "2020Q2", "2020Q3", "2020Q4"):
        assert (out / q / f"bulletin-{q}.xlsx").is_file()
        assert (out / q / f"validation-{q}.xlsx").is_file()
        assert (out / q / f"tongbao-{q}.docx").is_file()
        assert (out / q / f"bulletin-{q}.html").is_file()
    for name in ("bulletin-2020.xlsx", "tongbao-2020.docx", "bulletin-2020.html"):
        assert (out / "2020" / name).is_file(), name


def test_statuses(year):
    out = year["out"]
    statuses = dict(query(out, "select quarter, any_value(status) from quarter_results group by quarter"))
    assert statuses == {"2020Q1": "final", "2020Q2": "final", "2020Q3": "provisional", "2020Q4": "final"}
    assert {r[0] for r in query(out, "select status from annual_results")} == {"provisional"}
    runs = query(out, "select quarter, status from pipeline_runs where kind = 'quarter' order by started_at")
    assert ("2020Q3", "failed") in runs and ("2020Q3", "provisional") in runs
    flags = query(out, "select return_code from data_flags where quarter = '2020Q3' and flag = 'missing_return'")
    assert flags == [("R07",)]
    # C7 is fed by the missing return: 0 points for everyone, flagged
    c7 = query(out, "select distinct points, flags from indicator_scores where quarter = '2020Q3' and indicator_code = 'C7'")
    assert c7 == [(0, "missing_return")]


def test_invalid_row_rejected_with_location(year):
    rows = query(year["out"], "select source_file, sheet, row_number, column_name, value, message from rejected_rows "
                              "where quarter = '2020Q2'")
    assert rows == [(
        "2020Q2/fgw/R06-central_budget.xlsx", "Sheet1", 3, "已支付资金(万元)", "1500",
        "2020Q2/fgw/R06-central_budget.xlsx 工作表「Sheet1」第3行 E列「已支付资金(万元)」：已支付资金(1500)超过下达中央预算内资金(1000)",
    )]


def test_every_row_accounted_for(year):
    rows = query(year["out"], "select path, rows_read, rows_loaded, rows_rejected, rows_skipped from source_files")
    assert len(rows) == 11 * 3 + 10
    for path, read, loaded, rejected, skipped in rows:
        assert read == loaded + rejected + skipped, path
    r06 = query(year["out"], "select rows_read, rows_loaded, rows_rejected from source_files "
                             "where quarter = '2020Q2' and return_code = 'R06'")
    assert r06 == [(9, 8, 1)]


def test_lineage_kept(year):
    rows = query(year["out"], "select count(*), count(distinct sha256), min(row_number) from stg_central_budget "
                              "where quarter = '2020Q1'")
    assert rows == [(9, 1, 3)]


# ---- SQL invariants after a build ----

def test_points_within_maximum(year):
    assert query(year["out"], "select count(*) from indicator_scores where points > max_points or points < 0") == [(0,)]


def test_one_row_per_unit_quarter_indicator(year):
    rows = query(year["out"], "select quarter, count(*), count(distinct unit_code || indicator_code) "
                              "from indicator_scores group by quarter order by quarter")
    assert rows == [(q, 9 * 20, 9 * 20) for q in ("2020Q1", "2020Q2", "2020Q3", "2020Q4")]


def test_categories_and_total_are_sums(year):
    bad = query(year["out"], """
        with sums as (
            select quarter, unit_code,
                   sum(points) filter (where category_code = 'A') as a, sum(points) filter (where category_code = 'B') as b,
                   sum(points) filter (where category_code = 'C') as c, sum(points) filter (where category_code = 'D') as d
            from indicator_scores group by all)
        select count(*) from quarter_results q join sums s using (quarter, unit_code)
        where q.score_a <> s.a or q.score_b <> s.b or q.score_c <> s.c or q.score_d <> s.d
           or q.total <> q.score_a + q.score_b + q.score_c + q.score_d""")
    assert bad == [(0,)]


def test_one_first_and_one_last_per_group_unless_tied(year):
    rows = query(year["out"], """
        select quarter, unit_group, count(*) filter (where reward_yuan > 0), count(*) filter (where reward_yuan < 0),
               bool_or(tie)
        from quarter_results group by all""")
    for quarter, group, firsts, lasts, tie in rows:
        if not tie:
            assert (firsts, lasts) == (1, 1), (quarter, group)
