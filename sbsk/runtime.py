"""Process settings every command needs before Prefect is imported."""

from __future__ import annotations

import os
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
