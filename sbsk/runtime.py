"""Process settings every command needs before Prefect is imported."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def configure_prefect(out_dir: Path | None = None) -> None:
    """No command needs a running server, and nothing phones home.

    Without PREFECT_API_URL a temporary local server is started for the run. Telemetry and
    analytics are off whatever the user's Prefect profile says.
    """
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    if not os.environ.get("PREFECT_API_URL"):
        os.environ["PREFECT_SERVER_EPHEMERAL_ENABLED"] = "true"
        # Prefect waits 20 s for it; a first run on a new machine migrates the server's database
        # first, which took 42 s on a busy two-core machine and failed `sbsk demo` there
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    if out_dir is not None:
        # cached file verdicts live beside the results they produced
        os.environ["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = str((out_dir / ".cache" / "results").resolve())
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")


# the names Prefect reads its flow heartbeat interval from (the second is the older one)
HEARTBEAT_SETTINGS = ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """A command typed by a person runs its flows without Prefect's flow heartbeats, unless the
    operator set their interval. The heartbeat thread sleeps in steps of one second and the flow
    waits for it to end: 0.5 s on average, up to 1 s, added to every flow run (measured 0.97 s of a
    5 s `sbsk run` against a running server, docs/performance.md). Heartbeats only serve a zombie
    automation on the server (a run killed without a word stays Running otherwise); the one-shot
    command's own failures, Ctrl-C and crashes are reported as states all the same. `sbsk serve`
    does not come here: the runs it serves keep Prefect's heartbeats, nobody watches them."""
    if any(os.environ.get(name) for name in HEARTBEAT_SETTINGS):
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@contextmanager
def importing_without_collection() -> Iterator[None]:
    """A flow command imports Prefect, pandas, pandera and DuckDB with the cyclic garbage collector
    off: they make about a million objects that live as long as the process, and the collector,
    started every few hundred allocations, looked through all of them again and again (0.5–0.7 s
    of a city quarter's `sbsk run` here, docs/performance.md). ready_to_run turns it back on; so
    does leaving this block, for a command that never got that far."""
    was_on = gc.isenabled()
    gc.disable()
    _COLLECTOR["paused"] = was_on
    try:
        yield
    finally:
        _COLLECTOR["paused"] = False
        if was_on:
            gc.enable()


_COLLECTOR = {"paused": False}


def ready_to_run() -> None:
    """Before a flow command's first flow call, its imports done: the collector runs again, without
    the objects the imports made (frozen once per process: never looked at, never freed, as they
    would not be anyway); then the temporary server the command started is waited for."""
    from sbsk.temp_server import wait_ready

    if _COLLECTOR["paused"]:
        if not gc.get_freeze_count():
            gc.freeze()
        _COLLECTOR["paused"] = False
        gc.enable()
    wait_ready()
