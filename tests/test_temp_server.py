"""The temporary Prefect server a flow command starts itself (sbsk/temp_server.py): none when the user
gives a server, stopped when the command fails, and gone when the command is killed. Each case is a
fresh Python process (the server is started only before Prefect is imported); the servers started
here are killed before their imports end, so no case waits for one to answer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_faults import _env


def _python(code: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, **kwargs)


START = "from sbsk import temp_server; s = temp_server.start(); print(s and s.process.pid, flush=True)\n"


def test_no_server_when_the_environment_gives_one(tmp_path):
    done = _python(START, _env(PREFECT_API_URL="http://127.0.0.1:9/api"), cwd=tmp_path)
    assert done.stdout.split() == ["None"], done.stderr


def test_no_server_when_the_active_profile_gives_one(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "profiles.toml").write_text('active = "office"\n[profiles.office]\n'
                                        'PREFECT_API_URL = "http://10.0.0.5:4200/api"\n', "utf-8")
    done = _python(START, _env(PREFECT_HOME=str(home)), cwd=tmp_path)
    assert done.stdout.split() == ["None"], done.stderr
    # the same profiles file, another profile active: no URL there, so the command starts its own
    done = _python(START + "temp_server.stop()\n", _env(PREFECT_HOME=str(home), PREFECT_PROFILE="ephemeral"),
                   cwd=tmp_path)
    assert done.stdout.split()[0].isdigit(), done.stdout + done.stderr


def test_the_server_is_stopped_when_the_command_fails(tmp_path):
    """The command raises (a machine fault sbsk.failures does not know): the server it started has
    exited by the time main() is left, and the process's PREFECT_API_URL no longer points at it."""
    code = ("import os, sbsk.cli as cli, sbsk.temp_server as t\n"
            "seen = {}\n"
            "def boom(args):\n"
            "    seen['server'] = t._SERVER\n"
            "    seen['url'] = os.environ.get('PREFECT_API_URL')\n"
            "    raise RuntimeError('disk on fire')\n"
            "cli.COMMANDS['run'] = boom\n"
            "try:\n"
            f"    cli.main(['run', '2020Q3', '--raw-dir', {str(tmp_path)!r}, '--out-dir', {str(tmp_path / 'out')!r}])\n"
            "except RuntimeError:\n"
            "    pass\n"
            "s = seen['server']\n"
            "print(seen['url'] == s.api_url, s.process.poll() is not None, os.environ.get('PREFECT_API_URL'))\n")
    done = _python(code, _env(PREFECT_HOME=str(tmp_path / "home")), cwd=tmp_path)
    assert done.stdout.split() == ["True", "True", "None"], done.stdout + done.stderr


def test_the_server_dies_with_a_killed_command(tmp_path):
    """SIGKILL leaves no atexit and no finally: the kernel sends the server SIGTERM (PR_SET_PDEATHSIG)."""
    proc = subprocess.Popen([sys.executable, "-c", START + "import time; time.sleep(120)\n"], cwd=tmp_path,
                            env=_env(PREFECT_HOME=str(tmp_path / "home")), stdout=subprocess.PIPE, text=True)
    pid = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    try:
        deadline = time.monotonic() + 60
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid), "the temporary server outlived the killed command"
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Running, not a zombie: an orphan is reparented, and its new parent may be slow to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def test_a_server_that_exits_is_said_at_once(tmp_path):
    """The server died before answering: the command says so with its exit status, not after the
    start-up timeout (set to 60 s here; the kill makes it exit -9 at once)."""
    code = START + ("import sys\ns.process.kill()\n"
                    "try:\n    temp_server.wait_ready()\n"
                    "except temp_server.ServerError as exc:\n    print(exc)\n")
    done = _python(code, _env(PREFECT_HOME=str(tmp_path / "home"), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="60"),
                   cwd=tmp_path)
    assert done.stdout.splitlines()[1:] == ["临时 Prefect 服务器未能启动（退出码 -9）"], done.stdout + done.stderr


def test_the_command_starts_the_server_before_anything_heavy_is_imported(tmp_path):
    """sbsk.cli's own imports hold no Prefect (start() would then leave the server to Prefect, after
    the imports) and nothing heavy that the server's start-up is meant to overlap."""
    code = "import sys, sbsk.cli\nprint(*sorted(m for m in ('prefect', 'pandas', 'duckdb', 'pandera') if m in sys.modules))\n"
    done = _python(code, _env(), cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.split() == [], done.stdout + done.stderr
