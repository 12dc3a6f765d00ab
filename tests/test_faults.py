"""When the machine fails, not the data (issue 17): a full disk during publish, a read-only data/out,
a corrupted cache entry, a damaged sbsk.duckdb, a lost archive file under --replay, a Prefect server
that goes away under `sbsk serve`. Each through the real command: one clear Chinese message and no
traceback, the last published results byte for byte as they were, and the recovery the message
(and the README) gives works. The runs talk to one local Prefect server, started once."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from builders import baseline, write_quarter
from conftest import evaluate, query
from test_serve import _free_port, _stop, _wait_http

pytestmark = pytest.mark.flow
BIN = Path(sys.executable).parent
RESULTS = "select unit_code, total, group_rank, reward_yuan from quarter_results where quarter = '2020Q1' order by 1"
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)")


def _rows(version: int) -> dict:
    rows = baseline()
    for r in rows["R06"]:
        r["paid"] = 10 * version  # version 1 → 10 of 100 paid, version 2 → 20 of 100
    return rows


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") or k == "PREFECT_HOME"}
    env.update(DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false", **extra)
    return env


_RUNNING: dict = {}


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> dict:
    """A local Prefect server for the runs of the real command: the environment that points at it.
    One for the whole test process, however many modules use it (the modules that run flows import
    this; session-scoped so that their session- and module-scoped fixtures can use it too), started on
    first use and stopped when the process ends. Under `make test` each xdist worker has its own, and
    the tests of every file that worker runs share it: read back from the API only the runs a test
    made (by their ids), never the server's list of all runs. A command given this environment starts
    no temporary server of its own (~2.5–6 s a command); the temporary server's own tests are
    tests/test_temp_server.py, test_cli's run with no network and test_wheel's demo."""
    if "env" not in _RUNNING:
        port = _free_port()
        env = _env(PREFECT_HOME=str(tmp_path_factory.mktemp("prefect-home")), PREFECT_UI_ENABLED="false")
        proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        atexit.register(_stop, proc)
        _wait_http(f"http://127.0.0.1:{port}/api/health", 180)
        _RUNNING.update(env={**env, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}, proc=proc)
    return _RUNNING["env"]


def sbsk(env: dict, *args, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "sbsk"), *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def published(tmp_path: Path, out: Path) -> tuple[Path, list, bytes]:
    """Version 1 of 2020Q1 published into out; version 2 waiting in raw. (raw, results, db bytes)"""
    raw = tmp_path / "raw"
    write_quarter(raw, "2020Q1", _rows(1))
    assert evaluate(raw, out, "2020Q1")["status"] == "done"
    before = query(out, RESULTS)
    shutil.rmtree(raw)
    write_quarter(raw, "2020Q1", _rows(2))
    return raw, before, (out / "sbsk.duckdb").read_bytes()


def clear(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    for fragment in fragments:
        assert fragment in done.stderr, done.stderr[-3000:]


def untouched(out: Path, before: list, db: bytes) -> None:
    assert (out / "sbsk.duckdb").read_bytes() == db
    assert query(out, RESULTS) == before
    assert list(out.glob(".sbsk.duckdb.*")) == []  # no private copy left behind


@contextmanager
def tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@ROOT_ONLY
def test_a_full_disk_during_publish(tmp_path, server):
    out = tmp_path / "out"
    with tmpfs(out, "40m"):
        raw, before, db = published(tmp_path, out)
        room = shutil.disk_usage(out).free
        filler = out / "filler.bin"
        with open(filler, "wb") as fh:  # leave 2 MB: the archive and the cache fit, a copy of the database does not
            fh.truncate(0)
            fh.write(b"\0" * (room - (2 << 20)))
        command = ["run", "2020Q1", "--raw-dir", raw, "--out-dir", out]
        clear(sbsk(server, *command), "磁盘空间不足", "本次运行没有发布任何结果", "已发布的结果",
              f"重新运行：sbsk run 2020Q1 --raw-dir {raw} --out-dir {out}")
        untouched(out, before, db)
        filler.unlink()  # the recovery: free the space, run the same command again
        again = sbsk(server, *command)
        assert again.returncode == 0, again.stderr[-3000:]
        assert query(out, RESULTS) != before


@ROOT_ONLY
def test_a_read_only_out_folder(tmp_path, server):
    out = tmp_path / "out"
    with tmpfs(out, "64m"):
        raw, before, db = published(tmp_path, out)
        subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        command = ["run", "2020Q1", "--raw-dir", raw, "--out-dir", out]
        clear(sbsk(server, *command), "无法写入", "只读文件系统或没有写权限", "已发布的结果", "可写")
        untouched(out, before, db)
        subprocess.run(["mount", "-o", "remount,rw", str(out)], check=True)
        again = sbsk(server, *command)
        assert again.returncode == 0, again.stderr[-3000:]
        assert query(out, RESULTS) != before


def test_a_corrupted_cache_entry_is_never_trusted(tmp_path, server):
    """The cached verdict of R05 replaced by R07's (valid, but for other bytes), R03's cut in half:
    both files are read again, and the quarter comes out exactly as before."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_quarter(raw, "2020Q1", _rows(1))
    command = ["run", "2020Q1", "--raw-dir", raw, "--out-dir", out]
    first = sbsk(server, *command)
    assert first.returncode == 0, first.stderr[-3000:]
    before = query(out, RESULTS)
    entries = {p: p for p in (out / ".cache" / "results").rglob("*") if p.is_file()}
    entry = {code: next(p for p in entries if f"{code}-" in str(p)) for code in ("R03", "R05", "R07")}
    r05 = json.loads(entry["R05"].read_text())
    r05["result"] = json.loads(entry["R07"].read_text())["result"]
    entry["R05"].write_text(json.dumps(r05))
    whole = entry["R03"].read_bytes()
    entry["R03"].write_bytes(whole[:len(whole) // 2])
    second = sbsk(server, *command)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "缓存中 2020Q1/zdxmb/R05-key_project_investment.xlsx 的结果与文件不符（缓存已损坏），已重新读取" in second.stderr
    reads = sorted(line.strip() for line in second.stderr.splitlines() if line.startswith("  读取 "))
    assert reads == ["读取 2020Q1/zdxmb/R03-groundbreaking_events.xlsx"]  # the cut entry is a miss
    assert query(out, RESULTS) == before


@pytest.mark.parametrize("damage", ["truncated", "zeroed"])
def test_a_damaged_database(tmp_path, server, damage):
    """A third of the file left (the copy fails mid-run), or its blocks zeroed (it fails on open)."""
    out = tmp_path / "out"
    raw, before, db = published(tmp_path, out)
    bad = db[:len(db) // 3] if damage == "truncated" else db[:4096] + b"\0" * (len(db) - 4096)
    (out / "sbsk.duckdb").write_bytes(bad)
    command = ["run", "2020Q1", "--raw-dir", raw, "--out-dir", out]
    clear(sbsk(server, *command), f"数据库 {out / 'sbsk.duckdb'} 已损坏或不完整", "本次运行没有修改它",
          f"mv {out / 'sbsk.duckdb'} {out / 'sbsk.duckdb'}.damaged", f"sbsk run 2020Q1 --raw-dir {raw} --out-dir {out}",
          f"sbsk annual 2020 --out-dir {out}", f"sbsk publish QUARTER --by 姓名 --out-dir {out}")
    assert (out / "sbsk.duckdb").read_bytes() == bad and list(out.glob(".sbsk.duckdb.*")) == []
    if damage == "zeroed":
        clear(sbsk(server, "status", "2020", "--raw-dir", raw, "--out-dir", out), "已损坏或不完整")
    (out / "sbsk.duckdb").rename(out / "sbsk.duckdb.damaged")  # the recovery the message gives
    again = sbsk(server, *command)
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(query(out, RESULTS)) == 9


def test_a_lost_archive_file_under_replay(tmp_path):
    """Nothing is laid out, nothing changes, and the message says how to archive the files again.
    (It fails before any flow runs: no Prefect server is needed.)"""
    out = tmp_path / "out"
    raw, before, db = published(tmp_path, out)
    (archived,) = query(out, "select archive_path from source_files where path like '%R05-%'")[0]
    (out / archived).unlink()
    done = sbsk(_env(), "run", "2020Q1", "--replay", "--out-dir", out)
    clear(done, f"归档文件 {out / archived}（原文件 2020Q1/zdxmb/R05-key_project_investment.xlsx）已丢失",
          "已发布的结果未改变", "运行 sbsk run 2020Q1（不带 --replay）")
    untouched(out, before, db)
    assert not any((out / ".replay").rglob("*.xlsx")) if (out / ".replay").exists() else True


def test_serve_says_when_the_prefect_server_goes_away(tmp_path):
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = _env(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_UI_ENABLED="false")
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    log = tmp_path / "serve.log"
    served = None
    try:
        _wait_http(f"{api}/health", 180)
        served = subprocess.Popen([str(BIN / "sbsk"), "serve", "--raw-dir", tmp_path / "raw", "--out-dir",
                                   tmp_path / "out"], stdout=open(log, "w"), stderr=subprocess.STDOUT,
                                  env={**env, "PREFECT_API_URL": api, "SBSK_SERVE_HEALTH_SECONDS": "1",
                                       "SBSK_SERVE_GRACE_SECONDS": "5"}, start_new_session=True)
        deadline = time.monotonic() + 120
        while "being served" not in log.read_text() and time.monotonic() < deadline and served.poll() is None:
            time.sleep(0.5)
        assert "being served" in log.read_text(), log.read_text()[-3000:]
        _stop(server)  # the server goes away
        assert served.wait(timeout=120) == 1
    finally:
        if served and served.poll() is None:
            os.killpg(served.pid, signal.SIGKILL)
        _stop(server)
    said = log.read_text()
    assert f"sbsk serve: 与 Prefect 服务器 {api} 的连接中断" in said, said[-3000:]
    assert "请确认服务器已重新启动（prefect server start）后重新运行 sbsk serve" in said
    assert not (tmp_path / "out" / "sbsk.duckdb").exists()  # nothing was half published
