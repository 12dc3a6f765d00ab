"""Against a real Prefect server: `prefect server start` on 127.0.0.1, `sbsk serve`, a run triggered
through the Prefect API, then the database. The README's operations section documents the same steps."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from builders import baseline, write_quarter
from conftest import query

pytestmark = pytest.mark.flow
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_scheduled_deployment_runs_on_a_real_server(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_quarter(raw, "2020Q1", baseline())
    write_quarter(raw, "2020-02", baseline())  # the monthly dispatch's returns (SPEC §9)
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), DO_NOT_TRACK="1",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_UI_ENABLED="false")
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    served = None
    try:
        _wait_http(f"{api}/health", 90)
        client_env = {**env, "PREFECT_API_URL": api}
        served = subprocess.Popen([str(BIN / "sbsk"), "serve", "--raw-dir", str(raw), "--out-dir", str(out)],
                                  env=client_env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        trigger = (
            "import time\n"
            "from prefect import get_client\n"
            "from prefect.deployments import run_deployment\n"
            "from prefect.exceptions import ObjectNotFound\n"
            "for name, params in (('quarter-end/sbsk-quarter-end', {'quarter': '2020Q1'}),\n"
            "                     ('month-end/sbsk-month-end', {'month': '2020-02'})):\n"
            "    for _ in range(120):\n"
            "        try:\n"
            "            run = run_deployment(name, parameters=params, timeout=240)\n"
            "            break\n"
            "        except ObjectNotFound:\n"
            "            time.sleep(1)\n"
            "    print(run.name, run.state.type.value)\n"
            "with get_client(sync_client=True) as client:\n"
            "    d = client.read_deployment_by_name('month-end/sbsk-month-end')\n"
            "    print('cron', d.schedules[0].schedule.cron, d.schedules[0].schedule.timezone)\n"
        )
        done = subprocess.run([sys.executable, "-c", trigger], env=client_env, capture_output=True, text=True,
                              timeout=600)
        lines = done.stdout.strip().splitlines()
        assert lines[-3].endswith("COMPLETED"), done.stdout + done.stderr
        # the dispatch of February, by the month-end deployment that runs on the 5th of every month
        assert lines[-2] == "month-end-2020-02 COMPLETED", done.stdout + done.stderr
        assert lines[-1] == "cron 0 2 5 * * Asia/Shanghai"
    finally:
        if served:
            _stop(served)
        _stop(server)
    assert query(out, "select count(*), any_value(status) from quarter_results where quarter = '2020Q1'") == [(9, "final")]
    runs = query(out, "select kind, quarter, status from pipeline_runs order by started_at")
    assert runs == [("quarter", "2020Q1", "done"), ("dispatch", "2020-02", "provisional")]
    assert query(out, "select count(*) from dispatch_results where month = '2020-02'") == [(9,)]
