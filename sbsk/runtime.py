"""Process settings every command needs before Prefect is imported."""

from __future__ import annotations

import os


def configure_prefect() -> None:
    """No command needs a running server, and nothing phones home.

    Without PREFECT_API_URL a temporary local server is started for the run. Telemetry and
    analytics are off whatever the user's Prefect profile says.
    """
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    if not os.environ.get("PREFECT_API_URL"):
        os.environ["PREFECT_SERVER_EPHEMERAL_ENABLED"] = "true"
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
