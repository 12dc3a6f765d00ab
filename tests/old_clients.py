"""The DuckDB 1.x clients analysts use, installed once into a cache and run on a database read-only.

Each client is pinned to one version and installed with its ordinary package manager into its own
folder, keyed by that version, under $SBSK_CLIENT_CACHE (default ~/.cache/sbsk/duckdb-clients), so
later runs, other worktrees and parallel test workers reuse it: a lock file serialises the first
install, and a marker written last says an install is whole.

  duckdb-cli 1.5.6          the DuckDB command line, from PyPI, in its own venv
  duckdb 1.4.5              the Python package (the 1.4 long-term release), in its own venv
  @duckdb/node-api 1.5.6    the Node client, from npm, exactly as tests/clients/package-lock.json says

Every runner returns {"version": ..., "results": [{"columns", "rows"} or {"error"} per query]}.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

HERE = Path(__file__).resolve().parent / "clients"
CLI_VERSION = "1.5.6"
PYTHON_VERSION = "1.4.5"
NODE_LOCK = HERE / "package-lock.json"
INSTALL_TIMEOUT = 600
RUN_TIMEOUT = 120


def cache_dir() -> Path:
    return Path(os.environ.get("SBSK_CLIENT_CACHE") or Path.home() / ".cache" / "sbsk" / "duckdb-clients")


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout[-2000:]}"
                           f"\n{proc.stderr[-4000:]}")
    return proc


def _installed(key: str, build: Callable[[Path], None]) -> Path:
    target = cache_dir() / key
    with _lock(cache_dir() / f"{key}.lock"):
        if not (target / ".installed").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            build(target)
            (target / ".installed").write_text("ok\n")
    return target


def _venv_with(requirement: str) -> Callable[[Path], None]:
    def build(target: Path) -> None:
        _run([sys.executable, "-m", "venv", str(target)], timeout=INSTALL_TIMEOUT)
        _run([str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              requirement], timeout=INSTALL_TIMEOUT)
    return build


def _py() -> str:
    return f"py{sys.version_info.major}{sys.version_info.minor}"


def cli() -> Path:
    """The duckdb executable of the DuckDB CLI."""
    return _installed(f"duckdb-cli-{CLI_VERSION}-{_py()}", _venv_with(f"duckdb-cli=={CLI_VERSION}")) / "bin" / "duckdb"


def python() -> Path:
    """A Python whose duckdb is the 1.4 release."""
    return _installed(f"duckdb-python-{PYTHON_VERSION}-{_py()}", _venv_with(f"duckdb=={PYTHON_VERSION}")) / "bin" / "python"


def node() -> Path:
    """A folder whose node_modules holds @duckdb/node-api as locked."""
    digest = hashlib.sha256(NODE_LOCK.read_bytes()).hexdigest()[:12]

    def build(target: Path) -> None:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(HERE / name, target / name)
        _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target, timeout=INSTALL_TIMEOUT)

    return _installed(f"duckdb-node-{digest}", build)


# ---- running queries ----

def run_cli(db: str, queries: list[str], cwd: Path) -> dict:
    exe = cli()
    version = _run([str(exe), "--version"], timeout=RUN_TIMEOUT).stdout.split()[0]
    results = []
    for sql in queries:
        proc = subprocess.run([str(exe), "-readonly", "-json", db, "-c", sql], cwd=cwd, capture_output=True,
                              text=True, timeout=RUN_TIMEOUT)
        if proc.returncode or proc.stderr.strip():
            results.append({"error": (proc.stderr or proc.stdout).strip()})
            continue
        rows = json.loads(proc.stdout or "[]")
        columns = list(rows[0]) if rows else []
        results.append({"columns": columns, "rows": [[r[c] for c in columns] for r in rows]})
    return {"version": version, "results": results}


def run_python(python_exe: Path | str, db: str, queries: list[str], cwd: Path) -> dict:
    proc = _run([str(python_exe), str(HERE / "run_python.py")], input=json.dumps({"db": db, "queries": queries}),
                cwd=cwd, timeout=RUN_TIMEOUT)
    return json.loads(proc.stdout)


def run_node(db: str, queries: list[str], cwd: Path) -> dict:
    folder = node()
    script = folder / "run.mjs"  # beside node_modules, so that its import resolves there
    if not script.exists() or script.read_bytes() != (HERE / "run.mjs").read_bytes():
        tmp = folder / f".run.{os.getpid()}.mjs"
        shutil.copy(HERE / "run.mjs", tmp)
        os.replace(tmp, script)
    proc = _run(["node", str(script)], input=json.dumps({"db": db, "queries": queries}), cwd=cwd,
                timeout=RUN_TIMEOUT)
    return json.loads(proc.stdout)
