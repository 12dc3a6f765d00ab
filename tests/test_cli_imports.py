"""What `sbsk check` imports: every clerk's check of one file pays for its imports, so none that the
command does not use (sbsk.cli._no_hypothesis; sbsk.store.replay imports DuckDB only to replay)."""

from __future__ import annotations

import os
import subprocess
import sys

from builders import baseline, write_quarter


def _imported(stderr: str) -> set[str]:
    """The modules a `python -X importtime` run imported, by their full names."""
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def test_check_of_one_file_imports_neither_hypothesis_nor_duckdb(tmp_path):
    write_quarter(tmp_path, "2020Q1", {"R06": baseline()["R06"]})
    [path] = (tmp_path / "2020Q1").rglob("*.xlsx")
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "sbsk.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0 and "R06 读取" in done.stdout, done.stdout + done.stderr[-2000:]
    modules = _imported(done.stderr)
    assert "pandera" in modules  # the file was validated: pandera ran, without hypothesis
    assert "hypothesis" not in modules
    assert "duckdb" not in modules


def test_main_in_a_process_leaves_hypothesis_importable(tmp_path):
    """A test (or a notebook) calling sbsk.cli.main may import hypothesis afterwards."""
    code = ("import sys\nfrom sbsk.cli import main\nmain(['templates', '2020Q1', '--out-dir', sys.argv[1]])\n"
            "import hypothesis\nprint('ok', hypothesis.__name__)\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.stdout.split()[-2:] == ["ok", "hypothesis"], done.stderr[-2000:]


def test_a_command_leaves_its_objects_out_of_the_collection_at_exit(tmp_path):
    """sbsk.cli._no_collection_at_exit: the objects alive at exit are frozen once the other exit
    handlers have run. The handler registered here, before main, runs after main's (last in, first
    out), so it sees what the interpreter's last collection will see."""
    code = ("import atexit, gc, os, sys\n"
            "atexit.register(lambda: os.write(1, f'frozen {gc.get_freeze_count()}'.encode()))\n"
            "from sbsk.cli import main\n"
            "main(['templates', '2020Q1', '--out-dir', sys.argv[1]])\n"
            "os.write(1, f'before {gc.get_freeze_count()} '.encode())\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120)
    words = done.stdout.split()[-4:]
    assert words[0] == "before" and words[1] == "0", done.stdout[-500:] + done.stderr[-2000:]
    assert words[2] == "frozen" and int(words[3]) > 10_000, done.stdout[-500:] + done.stderr[-2000:]


FLOW_COLLECTOR = r"""
import gc, sys
import sbsk.flows.annual, sbsk.flows.dispatch, sbsk.flows.quarter, sbsk.flows.run_state
seen = {}

def stand_in(name):  # the flow the command calls, replaced: what matters is the collector when it is called
    def flow(*args, **kwargs):
        seen[name] = (gc.isenabled(), gc.get_freeze_count() > 0)
    return flow

sbsk.flows.quarter.score_quarter = stand_in("run")
sbsk.flows.dispatch.dispatch_month = stand_in("dispatch")
sbsk.flows.annual.annual_composite = stand_in("annual")
sbsk.flows.run_state.outcome_of = lambda state: {"outputs": [], "exit_code": 0}
from sbsk.cli import main
raw, out = sys.argv[1], sys.argv[2]
codes = [main(["run", "2020Q1", "--raw-dir", raw, "--out-dir", out]), main(["dispatch", "2020-03", "--raw-dir", raw,
         "--out-dir", out]), main(["annual", "2020", "--out-dir", out])]
print(codes, sorted(seen.items()), gc.isenabled())
"""


def test_flows_run_with_the_collector_on_and_the_imports_frozen(tmp_path):
    """sbsk.runtime: a flow command imports with the collector off, and calls its flow with it on
    (ready_to_run), the objects of the imports frozen out of its way: each command's flow replaced by a
    stand-in that notes the collector's state (no server, no files read)."""
    for folder in ("2020Q1", "2020-03"):
        (tmp_path / "raw" / folder).mkdir(parents=True)
    done = subprocess.run([sys.executable, "-c", FLOW_COLLECTOR, str(tmp_path / "raw"), str(tmp_path / "out")],
                          env={**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api"}, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == (
        "[0, 0, 0] [('annual', (True, True)), ('dispatch', (True, True)), ('run', (True, True))] True")


def test_a_flow_command_that_stops_before_its_flow_leaves_the_collector_on(tmp_path):
    """The collector comes back on however a flow command ends: here before any flow, refused (the
    quarter's returns were put in a month's folder)."""
    (tmp_path / "raw" / "2020-02").mkdir(parents=True)
    code = ("import gc\nfrom sbsk.cli import main\n"
            "print(main(['run', '2020Q1', '--raw-dir', 'raw']), gc.isenabled(), gc.get_freeze_count())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api"})
    assert done.stdout.split() == ["2", "True", "0"], done.stdout + done.stderr[-2000:]
