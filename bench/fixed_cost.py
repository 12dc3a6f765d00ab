"""The fixed cost a clerk waits for on a city-sized quarter (issue 18), with PASS/FAIL per target.

    .venv/bin/python bench/fixed_cost.py [--repeats 3]

On the tiny quarter of tests/builders.baseline() (one row per unit in each of the eleven returns):
  - `sbsk run` with the temporary local server (no PREFECT_API_URL), median of the repeats after a warm-up;
  - `sbsk run` against a running Prefect server (PREFECT_API_URL set, as under `sbsk serve`), which this
    script starts on a free port with a Prefect home of its own and stops at the end;
  - the same quarter run again into its warehouse against the running server (a clerk's usual run:
    the verdicts cached, the schema in place), for information;
  - `sbsk check` of one file;
  - where one run against the running server spends its time: cProfile of the real command, read back
    as the cumulative time of named functions (imports, Prefect's flow and task engine, each step).
Each measurement is a fresh process, with a fresh --out-dir (no cached verdicts). Wall times move with
other work on the machine: the load average is printed beside them. No test asserts any of this.
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from settings import DATA_DIR, PROJECT_ROOT, QUARTER, RUNS_DIR, say

BIN = Path(sys.executable).parent
TARGETS = {"run, running server": 3.0, "run, temporary server": 8.0, "check, one file": 1.5}
HOME_TEMP = DATA_DIR / "prefect-home"          # the same home as bench/run.py's real runs
HOME_SERVED = DATA_DIR / "prefect-home-served"  # the running server's own database

# (label, file suffix, function name): cumulative seconds in one profiled run
BREAKDOWN = [
    # Prefect is imported first, where the flow commands switch its heartbeats off (sbsk.runtime)
    ("imports: Prefect, at the command's start (sbsk.runtime.without_heartbeats)", "sbsk/runtime.py", "without_heartbeats"),
    ("imports: sbsk.flows.quarter (pandas, DuckDB, pandera; Prefect loaded already)", "flows/quarter.py", "<module>"),
    ("Prefect flow engine, whole flow run", "prefect/flow_engine.py", "run_flow"),
    ("  our flow body (score_quarter)", "flows/quarter.py", "score_quarter"),
    ("    discover", "sbsk/pipeline.py", "discover_files"),
    ("    archive", "sbsk/pipeline.py", "archive_inputs"),
    ("    ingest (read + validate on worker threads, which cProfile does not see inside; result persistence)", "flows/quarter.py", "ingest_concurrently"),
    ("    combine", "sbsk/pipeline.py", "combine_files"),
    ("    publish (DuckDB: copy, schema, score, swap)", "sbsk/pipeline.py", "publish"),
    ("      ensure_schema (contract, staging tables, views)", "sbsk/store/warehouse.py", "ensure_schema"),
    ("      record_submissions", "sbsk/store/submissions.py", "record_submissions"),
    ("    report (workbooks, .docx, .html)", "sbsk/pipeline.py", "write_reports"),
    ("      issued documents (bulletin, 通报 .docx, web page)", "sbsk/outputs/issued.py", "write_quarter_documents"),
    ("    export (Parquet)", "sbsk/pipeline.py", "export_parquet"),
    ("  Prefect task engine, all task runs", "prefect/task_engine.py", "run_task_sync"),
    ("whole command (sbsk.cli._command)", "sbsk/cli.py", "_command"),
]


def env(api_url: str | None, home: Path) -> dict:
    out = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    # as on a clerk's machine, sbsk's own modules run from bytecode (the warm-up writes it): with
    # PYTHONDONTWRITEBYTECODE=1 in the caller's environment (these sessions have it) each command
    # compiled sbsk's sources again (docs/performance.md, the fixed-cost section)
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    out.update(PREFECT_HOME=str(home), DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    if api_url:
        out["PREFECT_API_URL"] = api_url
    return out


PEAK_RSS: dict[str, int] = {}  # command name → the largest peak RSS of its runs (bytes)


def timed(cmd: list[str], environ: dict) -> float:
    log = RUNS_DIR / "fixed" / "last.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as fh:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=environ, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {code}:\n{log.read_text(errors='replace')[-3000:]}")
    key = " ".join(Path(c).name for c in cmd[:3])
    PEAK_RSS[key] = max(PEAK_RSS.get(key, 0), usage.ru_maxrss * 1024)
    return seconds


def run_cmd(raw: Path, out: Path, fresh: bool = True) -> list[str]:
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    return [str(BIN / "sbsk"), "run", QUARTER, "--raw-dir", str(raw), "--out-dir", str(out)]


def median_of(repeats: int, make_cmd, environ: dict) -> tuple[float, list[float]]:
    runs = [timed(make_cmd(), environ) for _ in range(repeats)]
    return statistics.median(runs), runs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env={**env(None, home), "PREFECT_UI_ENABLED": "false"}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{api}/health", timeout=2)
            return proc, api
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise SystemExit("the Prefect server did not answer within 180 s")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def breakdown(profile: Path) -> list[tuple[str, float]]:
    stats = pstats.Stats(str(profile)).stats
    rows = []
    for label, suffix, name in BREAKDOWN:
        found = [ct for (path, _, func), (_, _, _, ct, _) in stats.items() if path.endswith(suffix) and func == name]
        rows.append((label, max(found) if found else float("nan")))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from tests.builders import baseline, write_quarter

    folder = RUNS_DIR / "fixed"
    raw = folder / "raw"
    if not (raw / QUARTER).exists():
        write_quarter(raw, QUARTER, baseline())
    one_file = sorted((raw / QUARTER).rglob("R01-*.xlsx"))[0]
    load = [os.getloadavg()[0]]
    figures: dict[str, tuple[float, list[float]]] = {}

    say("imports …")
    py = [sys.executable, "-c"]
    figures["python start (python -c pass)"] = median_of(args.repeats, lambda: py + ["pass"], env(None, HOME_TEMP))
    figures["import sbsk.cli"] = median_of(args.repeats, lambda: py + ["import sbsk.cli"], env(None, HOME_TEMP))
    figures["import sbsk.flows.quarter (Prefect …)"] = median_of(
        args.repeats, lambda: py + ["import sbsk.flows.quarter"], env(None, HOME_TEMP))

    say("sbsk check of one file …")
    check = [str(BIN / "sbsk"), "check", str(one_file), "--out-dir", str(folder / "check-out")]
    timed(check, env(None, HOME_TEMP))  # warm-up: bytecode, page cache
    figures["check, one file"] = median_of(args.repeats, lambda: check, env(None, HOME_TEMP))

    say("sbsk run, temporary server …")
    timed(run_cmd(raw, folder / "out-temp"), env(None, HOME_TEMP))  # creates/migrates the database once
    figures["run, temporary server"] = median_of(args.repeats, lambda: run_cmd(raw, folder / "out-temp"),
                                                 env(None, HOME_TEMP))
    load.append(os.getloadavg()[0])

    say("sbsk run, running server …")
    server, api = start_server(HOME_SERVED)
    try:
        timed(run_cmd(raw, folder / "out-api"), env(api, HOME_SERVED))
        figures["run, running server"] = median_of(args.repeats, lambda: run_cmd(raw, folder / "out-api"),
                                                   env(api, HOME_SERVED))
        # a clerk's usual run: the quarter again, into the warehouse it is in (verdicts cached, schema in place)
        figures["re-run into its warehouse, running server"] = median_of(
            args.repeats, lambda: run_cmd(raw, folder / "out-api", fresh=False), env(api, HOME_SERVED))
        profile = folder / "run.prof"
        cmd = run_cmd(raw, folder / "out-prof")
        timed([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "sbsk.cli", *cmd[1:]], env(api, HOME_SERVED))
    finally:
        stop(server)
    load.append(os.getloadavg()[0])

    print(f"\n## Fixed cost (`.venv/bin/python bench/fixed_cost.py --repeats {args.repeats}`), "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load average {min(load):.1f}–{max(load):.1f}\n")
    print("| measurement | median (s) | runs (s) | target | |\n|---|---:|---|---:|---|")
    for name, (median, runs) in figures.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else ("PASS" if median <= target else "FAIL")
        print(f"| {name} | {median:.2f} | {', '.join(f'{r:.2f}' for r in runs)} | "
              f"{'' if target is None else f'≤ {target:g}'} | {verdict} |")
    print("\nOne run against the running server under cProfile (cumulative seconds; cProfile adds about a third):\n")
    print("| where | s |\n|---|---:|")
    for label, seconds in breakdown(profile):
        print(f"| {label.strip()} | {seconds:.2f} |".replace("| ", "| " + "· " * ((len(label) - len(label.lstrip())) // 2), 1))
    print("\nPeak RSS per command (ru_maxrss from wait4: the largest of the command's process and the children"
          " it waited for):\n")
    for key, rss in PEAK_RSS.items():
        print(f"- `{key}`: {rss / 2**20:.0f} MB")
    failed = [n for n, (m, _) in figures.items() if n in TARGETS and m > TARGETS[n]]
    print("\n" + ("FAIL: " + ", ".join(failed) if failed else "PASS: every fixed-cost target"))


if __name__ == "__main__":
    main()
