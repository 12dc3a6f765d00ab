"""Deployment definitions, apart from the flow code: what `sbsk serve` serves and when."""

from __future__ import annotations

import os
import sys
import threading
import time
import urllib.request
from pathlib import Path

from prefect.schedules import Cron

DEPLOYMENT_NAME = "sbsk-quarter-end"
# 02:00 on the 10th day after each quarter ends (Apr 10, Jul 10, Oct 10, Jan 10), Beijing time.
DEFAULT_CRON = "0 2 10 1,4,7,10 *"
DISPATCH_DEPLOYMENT_NAME = "sbsk-month-end"
# 02:00 on the 5th of every month: the dispatch (月调度) of the month just ended (SPEC §9).
DISPATCH_CRON = "0 2 5 * *"
TIMEZONE = "Asia/Shanghai"


def serve(raw_dir: Path, out_dir: Path, cron: str = DEFAULT_CRON, continue_on_missing: bool = False,
          dispatch_cron: str = DISPATCH_CRON) -> int:
    """Serve the quarter-end and the month-end flows to the Prefect server named by PREFECT_API_URL
    (blocks). One run at a time: a second waits its turn. Returns the exit status: 1 when the
    server went away."""
    from prefect import serve as serve_all

    from sbsk.flows.month_end import month_end
    from sbsk.flows.quarter_end import quarter_end

    threading.Thread(target=_watch_server, name="sbsk-server-watch", daemon=True).start()
    folders = {"raw_dir": str(raw_dir.resolve()), "out_dir": str(out_dir.resolve())}
    return said_when_gone(lambda: serve_all(
        quarter_end.to_deployment(
            name=DEPLOYMENT_NAME, schedules=[Cron(cron, timezone=TIMEZONE)],
            parameters={**folders, "continue_on_missing": continue_on_missing},
            description="四比四看：季度结束后评价刚结束的季度，第四季度后计算年度结果"),
        month_end.to_deployment(
            name=DISPATCH_DEPLOYMENT_NAME, schedules=[Cron(dispatch_cron, timezone=TIMEZONE)], parameters=folders,
            description="四比四看：每月5日对刚结束的月份进行月调度（暂定计分、排名、预警）"),
        limit=1,
    ))


def said_when_gone(serve_all) -> int:
    """The server can also go away while the runner is still starting (its event stream refuses
    the handshake, a RuntimeError from Prefect, not the silence the watcher waits out). Whatever the
    runner raises while the server does not answer is that same fault, said the same way; with
    the server up (three answers a second apart: one that is stopping may still answer the first),
    the error is Prefect's own and is raised as it is."""
    from sbsk.failures import unreachable_server

    try:
        serve_all()
    except Exception:
        if _still_up(_health_url()):
            raise
        sys.stderr.write(f"sbsk serve: {unreachable_server()}\n")
        sys.stderr.flush()
        return 1
    return 0


def _health_url() -> str:
    return os.environ["PREFECT_API_URL"].rstrip("/") + "/health"


def _still_up(url: str) -> bool:
    for probe in range(3):
        if probe:
            time.sleep(1)
        if not _answers(url, 5):
            return False
    return True


def _answers(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status == 200
    except OSError:
        return False


def _watch_server() -> None:
    """Prefect's runner keeps polling a server that has gone away, silently and forever. So the
    server's health is watched: once it has not answered for SBSK_SERVE_GRACE_SECONDS (default 120),
    `sbsk serve` says so and ends with status 1, for the supervisor (or the operator) to start it
    again once the server is back. A scheduled run in progress cannot publish half a quarter."""
    from sbsk.failures import unreachable_server

    url = _health_url()
    every = float(os.environ.get("SBSK_SERVE_HEALTH_SECONDS", "10"))
    grace = float(os.environ.get("SBSK_SERVE_GRACE_SECONDS", "120"))
    last_seen = time.monotonic()
    while True:
        time.sleep(every)
        if _answers(url, every):
            last_seen = time.monotonic()
            continue
        if time.monotonic() - last_seen > grace:
            sys.stderr.write(f"sbsk serve: {unreachable_server()}\n")
            sys.stderr.flush()
            os._exit(1)  # the runner's event loop holds the main thread; nothing of ours is half-written
