"""Crash points for the kill tests: SBSK_CRASH_AT=<name> makes the process SIGKILL itself there,
the way an operator's kill -9 or a power cut would."""

from __future__ import annotations

import os
import signal


def checkpoint(name: str) -> None:
    if os.environ.get("SBSK_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
