"""The command line as schedulers and scripts meet it (SPEC §8), through the real `sbsk` executable:
exit 2 on usage errors, exit 1 when a file is rejected whole, `templates` end to end (`demo`,
`explain` and `status`: tests/test_wheel.py, from the installed wheel), and a real quarter run with
no network at all (a network namespace holding only loopback). Runs that need Prefect use the local server of tests/test_faults.py."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from builders import baseline, write_quarter
from conftest import query
from test_faults import BIN, _env, sbsk, server  # noqa: F401  (server: the module's Prefect server, a fixture)

pytestmark = pytest.mark.flow


@pytest.mark.parametrize("args", [[], ["bogus"], ["run"], ["run", "2020Q5"], ["run", "20203"], ["annual", "20x0"],
                                  ["explain", "2020Q3"], ["status", "2020", "--colour"], ["check"],
                                  ["templates", "Q3-2020"]])
def test_usage_errors_exit_2(args):
    done = sbsk(_env(), *args, timeout=120)
    assert done.returncode == 2, (args, done.stdout, done.stderr)
    assert "usage: sbsk" in done.stderr and "Traceback" not in done.stderr


def test_serve_without_a_server_is_a_usage_error():
    done = sbsk(_env(), "serve", timeout=120)
    assert done.returncode == 2 and "未设置 PREFECT_API_URL" in done.stderr, done.stderr


def test_a_file_rejected_whole_makes_run_exit_1(tmp_path, server):
    """Every return there and sound, and one more file that is not a workbook: the quarter is scored in
    full (final, nothing missing) and the command still exits 1, for the file (SPEC §8). Then R06's
    only file is the bad one: R06 is missing too, so with --continue-on-missing the quarter is
    provisional, and the command exits 1."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_quarter(raw, "2020Q1", baseline())
    (raw / "2020Q1" / "fgw" / "R06-supplement.xlsx").write_bytes(b"not a workbook")
    done = sbsk(server, "run", "2020Q1", "--raw-dir", raw, "--out-dir", out)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "2020Q1/fgw/R06-supplement.xlsx：文件实际是文本文件" in done.stderr
    assert query(out, "select distinct status from quarter_results where quarter = '2020Q1'") == [("final",)]
    (raw / "2020Q1" / "fgw" / "R06-supplement.xlsx").replace(raw / "2020Q1" / "fgw" / "R06-central_budget.xlsx")
    again = sbsk(server, "run", "2020Q1", "--raw-dir", raw, "--out-dir", out, "--continue-on-missing")
    assert again.returncode == 1, again.stderr[-3000:]
    assert "2020Q1/fgw/R06-central_budget.xlsx：文件实际是文本文件" in again.stderr
    assert query(out, "select distinct status from quarter_results where quarter = '2020Q1'") == [("provisional",)]


# `demo`, `explain` and `status` through the command line: tests/test_wheel.py, on the one demo the
# suite runs (from the installed wheel).


def test_templates_through_the_command_line(tmp_path):
    done = sbsk(_env(), "templates", "2020Q3", "--out-dir", tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    written = [Path(p) for p in done.stdout.split()]
    # the eleven quarterly returns and R13 全省对标数据 (SPEC §10; the half year's R12 is not a quarter's)
    assert len(written) == 12 and all(p.is_file() for p in written)
    assert sum("R13" in p.name for p in written) == 1
    r05 = next(p for p in written if "R05" in p.name)
    book = load_workbook(r05)
    assert any(ws.title == "_sbsk" for ws in book.worksheets)  # the code that makes a template recognised at once


@pytest.mark.skipif(os.geteuid() != 0, reason="a network namespace needs root (CI runs as root)")
def test_a_real_quarter_runs_with_no_network(tmp_path):
    """`unshare -n`: a namespace with only loopback (no route anywhere else). The temporary Prefect
    server binds 127.0.0.1; nothing else is reached, and the quarter completes."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_quarter(raw, "2020Q1", baseline())
    script = (f"ip link set lo up && ip -o link show | wc -l && ip route show | wc -l && "
              f"exec {BIN / 'sbsk'} run 2020Q1 --raw-dir {raw} --out-dir {out}")
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode:
        pytest.skip(f"unshare -n is not permitted here: {probe.stderr.decode(errors='replace').strip()}")
    done = subprocess.run(["unshare", "-n", "sh", "-c", script], env=_env(HOME=str(tmp_path)), capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    links, routes = done.stdout.split()[:2]
    assert (links, routes) == ("1", "0")  # loopback only, no route out
    assert query(out, "select count(*), any_value(status) from quarter_results where quarter = '2020Q1'") == \
        [(9, "final")]
