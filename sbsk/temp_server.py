"""The temporary Prefect server of a command that runs a flow, started by the command itself.

Prefect starts its temporary server lazily, from inside the first flow call: the clerk then waits
for the server's start-up (it imports Prefect's whole API: ~5 s) after our own imports (~3 s), and
the parent imports Prefect's server module to start it. Started here, at the very start of the
command and before pandas, DuckDB, pandera or Prefect are imported, its start-up runs on the other
core while ours imports. It is Prefect's own server, started as Prefect starts it
(prefect.server.api.server.SubprocessASGIServer: the same uvicorn command line and environment, its
import made with the garbage collector off: _BOOT), and
the command reaches it through PREFECT_API_URL, so Prefect never starts a second one.

Not started when the user points Prefect at a server (PREFECT_API_URL in the environment or the active
profile: theirs is used) or when Prefect is already imported in this process (its settings are read;
Prefect then starts its own as before). Stopped at the command's end, failed or not (sbsk.cli.main);
the kernel stops it too if the command is killed (Linux: PR_SET_PDEATHSIG), so no server outlives it.
Only the standard library here: this runs before anything heavy is imported.
"""

from __future__ import annotations

import atexit
import http.client
import importlib.util
import os
import random
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

# `python -m uvicorn …`, as Prefect starts it, with Prefect's server imported first with the cyclic
# garbage collector off: the import makes a few hundred thousand objects that live as long as the
# server, and the collector looked through them again and again while it ran (the server answered
# after 3.9 s instead of 4.8 s, median of four each, docs/performance.md); on again before uvicorn
# starts, so the running server collects as it always did.
_BOOT = ("import gc, sys\ngc.disable()\nimport prefect.server.api.server\ngc.freeze()\ngc.enable()\n"
         "from uvicorn.main import main\nsys.argv[0] = 'uvicorn'\nmain()\n")
PORTS = range(8000, 9000)  # Prefect's range for its temporary server (SubprocessASGIServer._port_range)
STARTUP_FAILURE = 3        # uvicorn's exit status when it cannot bind its port


class ServerError(RuntimeError):
    pass


class TemporaryServer:
    def __init__(self, process: subprocess.Popen, port: int, reservation: socket.socket):
        self.process, self.port, self._reservation = process, port, reservation
        self.ready = False

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait(self, timeout: float) -> None:
        """Return once /api/health answers 200, as Prefect waits for its own (every 0.1 s)."""
        deadline = time.monotonic() + timeout
        while not self.ready:
            code = self.process.poll()
            if code is not None:
                raise ServerError(f"临时 Prefect 服务器未能启动（退出码 {code}"
                                  f"{'：端口 %d 已被占用' % self.port if code == STARTUP_FAILURE else ''}）")
            if _healthy(self.port):
                self.ready = True
                self._reservation.close()
                return
            if time.monotonic() > deadline:
                raise ServerError(f"临时 Prefect 服务器 {timeout:g} 秒内未就绪"
                                  f"（PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS 可放宽）")
            time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM, as Prefect stops its own: uvicorn finishes a migration it is in, then exits."""
        self._reservation.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_SERVER: TemporaryServer | None = None


def start() -> TemporaryServer | None:
    """Start the temporary server and point this process's Prefect at it, unless a server is given
    (see the module's docstring). Call before Prefect is imported; `stop()` at the end."""
    global _SERVER
    if _SERVER is not None or "prefect" in sys.modules or _api_url_given():
        return _SERVER
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        return None
    port, reservation = _reserve_port()
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    env.pop("PREFECT_API_URL", None)
    cmd = server_command(port, Path(spec.origin).parent.parent)
    # its own session: a Ctrl-C reaches the command alone, which tells the server the run crashed, then stops it
    process = subprocess.Popen(cmd, env=env, start_new_session=True, preexec_fn=_die_with_parent(os.getpid()))
    _SERVER = TemporaryServer(process, port, reservation)
    atexit.register(stop)
    os.environ["PREFECT_API_URL"] = _SERVER.api_url
    return _SERVER


def wait_ready() -> None:
    """Before the first flow call: wait for the server this command started (no-op without one)."""
    if _SERVER is not None:
        _SERVER.wait(float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or 180))


def stop() -> None:
    global _SERVER
    server, _SERVER = _SERVER, None
    if server is not None:
        server.stop()
        if os.environ.get("PREFECT_API_URL") == server.api_url:
            del os.environ["PREFECT_API_URL"]


def server_command(port: int, app_dir: Path, head: tuple[str, ...] = ("-c", _BOOT)) -> list[str]:
    """The server's command line: uvicorn's arguments as Prefect gives them, after `head` (Prefect's
    own is ("-m", "uvicorn"); bench/server_start.py times both)."""
    return [sys.executable, *head, "--app-dir", str(app_dir), "--factory", "prefect.server.api.server:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"]


def _api_url_given() -> bool:
    """PREFECT_API_URL from the environment or the active Prefect profile (the sources a clerk's or an
    operator's set-up uses); a prefect.toml, .env or [tool.prefect] in the working folder is a set-up
    this module does not read: Prefect then decides, and starts its own server if it needs one."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    cwd = Path.cwd()
    if (cwd / "prefect.toml").exists() or (cwd / ".env").exists():
        return True
    try:
        if "tool" in (py := tomllib.loads((cwd / "pyproject.toml").read_text("utf-8"))) and "prefect" in py["tool"]:
            return True
    except (OSError, ValueError):
        pass
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False  # no profiles file: Prefect's default profile sets no API URL
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    return bool(profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL"))


def _reserve_port() -> tuple[int, socket.socket]:
    """A free port in Prefect's range, held until the server answers: a socket bound with SO_REUSEADDR
    and not listening keeps any other plain bind (another sbsk, Prefect's own port check) off the port,
    yet lets uvicorn (which sets SO_REUSEADDR) bind and listen on it."""
    for port in random.sample(PORTS, 50):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        return port, sock
    raise ServerError("临时 Prefect 服务器：8000–8999 没有空闲端口")


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/api/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _die_with_parent(parent: int):
    """Linux: the server gets SIGTERM when the command dies, even by SIGKILL (no atexit, no finally)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:     # the command died before prctl took effect
            os._exit(1)

    return preexec
