"""How long the temporary Prefect server takes to answer, started as Prefect starts it and as sbsk does.

    .venv/bin/python bench/server_start.py [--repeats 4]

Prefect's way is `python -m uvicorn --factory prefect.server.api.server:create_app …`; sbsk's
(sbsk/temp_server.py::_BOOT) runs the same uvicorn command line after importing Prefect's server with
the garbage collector paused. Each start is timed from the process's start to the first 200 of
/api/health, alternately, on the bench's Prefect home (migrated by a first start that is not counted).
For information: the command's own target is the `sbsk run` one of bench/fixed_cost.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

from settings import PREFECT_HOME, say

from sbsk import temp_server


def start(way: str) -> float:
    port, reservation = temp_server._reserve_port()
    reservation.close()
    import prefect  # located only: the app folder uvicorn is given, as temp_server gives it

    app_dir = Path(prefect.__file__).parent.parent
    cmd = (temp_server.server_command(port, app_dir, ("-m", "uvicorn")) if way == "prefect"
           else temp_server.server_command(port, app_dir))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(PREFECT_HOME=str(PREFECT_HOME), PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1",
               PREFECT__SERVER_FINAL="1", DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    try:
        while not temp_server._healthy(port):
            if proc.poll() is not None:
                raise SystemExit(f"the server ({way}) exited {proc.returncode}")
            time.sleep(0.05)
        return time.perf_counter() - began
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()
    PREFECT_HOME.mkdir(parents=True, exist_ok=True)
    say("a first start, not counted (migrates a new Prefect home) …")
    start("prefect")
    runs: dict[str, list[float]] = {"prefect": [], "sbsk": []}
    for _ in range(args.repeats):
        for way in runs:
            runs[way].append(start(way))
    load = os.getloadavg()[0]
    print(f"\n## Temporary server start (`.venv/bin/python bench/server_start.py --repeats {args.repeats}`), "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {load:.1f}\n")
    print("| started | median (s) | runs (s) |\n|---|---:|---|")
    for way, label in (("prefect", "as Prefect starts it (`python -m uvicorn …`)"),
                       ("sbsk", "as sbsk starts it (temp_server._BOOT)")):
        print(f"| {label} | {statistics.median(runs[way]):.2f} | {', '.join(f'{r:.2f}' for r in runs[way])} |")


if __name__ == "__main__":
    main()
