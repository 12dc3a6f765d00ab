"""What `sbsk check` imports: every clerk's check of one file pays for its imports, so none that the
command does not use (sbsk.cli._no_hypothesis; sbsk.store.replay imports DuckDB only to replay)."""

from __future__ import annotations

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
