"""Where the benchmark keeps its data and what it measures (shared by its parent and child processes)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
RUNS_DIR = DATA_DIR / "runs"
RESULTS_DIR = DATA_DIR / "results"
PREFECT_HOME = DATA_DIR / "prefect-home"  # not ~/.prefect: engineers' test runs share that database
QUARTER = "2020Q3"
MONTH = "2020-09"  # the dispatch measured on the quarter's own files: September ends with Q3 (SPEC §9)
DEFAULT_SIZES = "300000,1000000"
PANDAS_FULL_SIZE = 300_000
PANDAS_SAMPLE_SIZE = 50_000
GB = 1024 ** 3
RUN_SCRIPT = BENCH_DIR / "run.py"  # the children run as `run.py --child …`

sys.path[:0] = [p for p in (str(PROJECT_ROOT), str(BENCH_DIR)) if p not in sys.path]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
