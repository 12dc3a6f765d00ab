"""Running it safely: crashes at every step, an analyst's open handle, two runs at once, cached re-runs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest

from builders import baseline, write_quarter
from conftest import query
from test_faults import server  # noqa: F401  (the process's Prefect server, a fixture)

TESTS = Path(__file__).parent
RESULTS = "select unit_code, total, group_rank, reward_yuan from quarter_results where quarter = '2020Q1' order by 1"


def _rows(version: int) -> dict:
    rows = baseline()
    for r in rows["R06"]:
        r["paid"] = 10 * version  # version 1 → 10 of 100 paid, version 2 → 20 of 100
    return rows


def _plain_run(raw: Path, out: Path, crash_at: str | None = None) -> subprocess.CompletedProcess:
    code = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(TESTS)!r})
        from pathlib import Path
        from conftest import evaluate
        print(evaluate(Path({str(raw)!r}), Path({str(out)!r}), "2020Q1")["status"])
    """)
    env = dict(os.environ)
    if crash_at:
        env["SBSK_CRASH_AT"] = crash_at
    else:
        env.pop("SBSK_CRASH_AT", None)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def published(tmp_path) -> tuple[Path, Path, list]:
    """Version 1 of 2020Q1 published; version 2 of the files now waiting in raw."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_quarter(raw, "2020Q1", _rows(1))
    assert _plain_run(raw, out).returncode == 0
    before = query(out, RESULTS)
    shutil.rmtree(raw)
    write_quarter(raw, "2020Q1", _rows(2))
    return raw, out, before


@pytest.mark.parametrize("point", ["in-transaction", "before-replace"])
def test_kill_mid_publish_leaves_previous_results(published, point):
    raw, out, before = published
    crashed = _plain_run(raw, out, crash_at=point)
    assert crashed.returncode == -signal.SIGKILL
    assert query(out, RESULTS) == before  # whole and readable
    assert _plain_run(raw, out).returncode == 0  # the same command again completes the quarter
    after = query(out, RESULTS)
    assert after != before
    assert list(out.glob(".sbsk.duckdb.*")) == []  # the killed run's private copy was cleaned up


C6 = "select distinct points from indicator_scores where quarter = '2020Q1' and indicator_code = 'C6'"
# version 1: 10 of 100 paid, 5 × 0.1/0.25 = 2.00 for every unit; version 2: 20 of 100, 5 × 0.2/0.25 = 4.00
C6_OF = {1: [(Decimal("2.00"),)], 2: [(Decimal("4.00"),)]}
# every named point of a run (sbsk.faults.checkpoint) and the version published once it is killed there:
# everything before the atomic rename leaves version 1 whole; after it, version 2 is published whole
CRASH_POINTS = {"after-archive": 1, "after-validate": 1, "in-transaction": 1, "before-replace": 1, "after-publish": 2}


def test_killed_cli_run_at_every_named_point_loses_nothing(published, server):
    """kill -9 (SIGKILL, as a power cut) the real command at each of its named points in turn."""
    from test_faults import sbsk

    raw, out, before = published
    assert query(out, C6) == C6_OF[1]
    for point, version in CRASH_POINTS.items():
        killed = sbsk({**server, "SBSK_CRASH_AT": point}, "run", "2020Q1", "--raw-dir", raw, "--out-dir", out)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr[-2000:])
        assert query(out, C6) == C6_OF[version], point
        assert len(query(out, RESULTS)) == 9, point
        if version == 1:
            assert query(out, RESULTS) == before, point
        assert list(out.glob(".sbsk.duckdb.*")) == [] or point in ("in-transaction", "before-replace"), point
    assert _plain_run(raw, out).returncode == 0  # the same command again completes the quarter
    assert query(out, C6) == C6_OF[2]
    assert list(out.glob(".sbsk.duckdb.*")) == []  # and clears what the killed runs left


def test_bad_file_in_finished_quarter_keeps_results(published):
    raw, out, before = published
    (raw / "2020Q1" / "fgw" / "R06-central_budget.xlsx").write_bytes(b"this is not a workbook")
    code = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(TESTS)!r})
        from pathlib import Path
        from conftest import evaluate
        r = evaluate(Path({str(raw)!r}), Path({str(out)!r}), "2020Q1")
        print(r["status"], [x.file_message for x in r["results"] if x.status == "rejected"])
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("failed"), done.stdout + done.stderr
    assert "R06-central_budget.xlsx" in done.stdout
    assert query(out, RESULTS) == before


def test_analyst_holding_the_database_open(published):
    """A read-only handle held in another process never makes a run fail and never sees half a quarter."""
    raw, out, before = published
    analyst = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(out / 'sbsk.duckdb')!r}, read_only=True)
        print(con.execute({RESULTS!r}).fetchall(), flush=True)
        sys.stdin.readline()   # hold the handle until the run is over
        print(con.execute({RESULTS!r}).fetchall(), flush=True)
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    first = analyst.stdout.readline()
    run = _plain_run(raw, out)
    analyst.stdin.write("\n")
    analyst.stdin.flush()
    second = analyst.stdout.readline()
    analyst.wait(30)
    assert run.returncode == 0, run.stderr[-2000:]
    assert first == second == f"{before}\n"  # the open handle keeps its whole, consistent version
    assert query(out, RESULTS) != before  # a new connection sees the new quarter


def _holds_open(pid: int, path: Path) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def test_two_runs_of_the_same_quarter_at_once(published):
    """The writer lock is held here while two runs start: both get as far as waiting for it (each holds
    the lock file open), so they overlap for certain; once it is released they publish one after the
    other, and the result is what one run gives."""
    import fcntl

    raw, out, _ = published
    code = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(TESTS)!r})
        from pathlib import Path
        from conftest import evaluate
        print(evaluate(Path({str(raw)!r}), Path({str(out)!r}), "2020Q1")["status"])
    """)
    lock = out / ".sbsk.lock"
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
        deadline = time.monotonic() + 300
        while not all(_holds_open(p.pid, lock) for p in procs):
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), \
                [p.communicate() for p in procs if p.poll() is not None]
            time.sleep(0.1)
        waiting = query(out, "select count(*) from pipeline_runs")
        fcntl.flock(held, fcntl.LOCK_UN)
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert waiting == [(1,)]  # both were waiting: neither had published
    runs = query(out, "select started_at, finished_at from pipeline_runs where status = 'done' order by finished_at")
    assert len(runs) == 3
    (_, first_done), (second_start, _) = runs[1], runs[2]
    assert second_start < first_done  # the later one had started before the earlier one finished
    concurrent = query(out, "select * exclude (rubric_version) from quarter_results order by unit_code")
    assert _plain_run(raw, out).returncode == 0
    assert query(out, "select * exclude (rubric_version) from quarter_results order by unit_code") == concurrent
    assert query(out, "select count(*) from pipeline_runs where status = 'done'") == [(4,)]


def test_rerun_rereads_only_the_changed_file(tmp_path, server):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_quarter(raw, "2020Q1", _rows(1))
    env = server  # the cache of file verdicts is the out folder's (out/.cache), not the server's
    run = [sys.executable, "-m", "sbsk.cli", "run", "2020Q1", "--raw-dir", str(raw), "--out-dir", str(out)]
    first = subprocess.run(run, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    write_quarter(raw, "2020Q1", {"R06": _rows(2)["R06"]})  # the development commission sends a correction
    second = subprocess.run(run, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-2000:]
    reads = lambda text: [line.strip() for line in text.splitlines() if line.startswith("  读取 ")]
    assert len(reads(first.stderr)) == 11
    assert reads(second.stderr) == ["读取 2020Q1/fgw/R06-central_budget.xlsx"]
    # both versions of the corrected file are kept in the archive, and the runs say which they read
    assert len(list((out / "archive").rglob("*.xlsx"))) == 12
    inputs = query(out, "select count(distinct run_id), count(distinct sha256) from run_inputs")
    assert inputs == [(2, 12)]


def test_replay_reruns_a_quarter_as_it_was(published, tmp_path):
    """After the raw files were replaced, the archive still re-creates the inputs of the last run."""
    from sbsk.store.replay import replay_folder

    raw, out, before = published  # raw now holds version 2; version 1 was published
    folder = replay_folder(out, "2020Q1")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.xlsx")) == \
        sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*.xlsx"))
    replayed_out = tmp_path / "replayed"
    replayed_out.mkdir()
    assert _plain_run(folder, replayed_out).returncode == 0
    assert query(replayed_out, RESULTS) == before
