"""`sbsk serve` while Prefect's runner is still starting: the server that goes away then makes the
runner raise (its event stream refuses the handshake) instead of the silence the watcher waits out.
CI met it: the server stopped between "being served" and the runner's start, and the operator got
Prefect's traceback instead of the message of SPEC §8. In process, with the runner replaced."""

from __future__ import annotations

import http.server
import threading

import pytest

from sbsk.flows.deployments import said_when_gone
from test_serve import _free_port


def _runner_that_fails():
    raise RuntimeError("Runner failed to start: event_emitter — Unable to authenticate to the event stream.")


def test_a_runner_failing_while_the_server_is_gone_is_said_in_chinese(monkeypatch, capsys):
    api = f"http://127.0.0.1:{_free_port()}/api"  # nothing listens there
    monkeypatch.setenv("PREFECT_API_URL", api)
    assert said_when_gone(_runner_that_fails) == 1
    said = capsys.readouterr().err
    assert f"sbsk serve: 与 Prefect 服务器 {api} 的连接中断" in said
    assert "请确认服务器已重新启动（prefect server start）后重新运行 sbsk serve" in said
    assert "Traceback" not in said


class _Healthy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args):
        pass


def test_a_runner_failing_with_the_server_up_is_prefects_own_error(monkeypatch, capsys):
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Healthy)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{httpd.server_port}/api")
        with pytest.raises(RuntimeError, match="event_emitter"):
            said_when_gone(_runner_that_fails)
    finally:
        httpd.shutdown()
    assert "连接中断" not in capsys.readouterr().err


def test_a_runner_that_ends_is_status_0(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{_free_port()}/api")
    assert said_when_gone(lambda: None) == 0
