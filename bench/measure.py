"""The parent's measurements: generate a quarter, run each child and the real `sbsk run` in its own
process, and collect their timings, peak RSS and load averages."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from settings import (MONTH, PANDAS_FULL_SIZE, PANDAS_SAMPLE_SIZE, PREFECT_HOME, PROJECT_ROOT, QUARTER,
                      RESULTS_DIR, RUN_SCRIPT, RUNS_DIR, say)

def spawn(mode: str, raw: Path, *extra: str) -> dict:
    """Run one measurement in a fresh interpreter; it hands back JSON through a file."""
    result = RUNS_DIR / f"{mode}-{raw.parent.name}.json"
    result.parent.mkdir(parents=True, exist_ok=True)
    result.unlink(missing_ok=True)
    cmd = [sys.executable, str(RUN_SCRIPT), "--child", mode, "--raw", str(raw), "--result", str(result), *extra]
    log = result.with_suffix(".log")
    load = os.getloadavg()[0]
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=bench_env(), stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"bench child {mode} failed ({code}):\n{log.read_text(errors='replace')[-4000:]}")
    data = json.loads(result.read_text(encoding="utf-8"))
    # other work on the machine stretches wall time; the load average says how much to trust it
    data.update(cpu_seconds=usage.ru_utime + usage.ru_stime, load_before=load, load_after=os.getloadavg()[0])
    return data


def bench_env() -> dict:
    """The environment of a scheduled run: no Prefect server configured, telemetry off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(PREFECT_HOME), DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PYTHONHASHSEED="0")
    return env


def sbsk_run(raw: Path, out: Path) -> dict:
    """The real `sbsk run QUARTER` with a fresh output folder (so no cached file verdicts)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    sbsk = Path(sys.executable).with_name("sbsk")
    log = out.parent / f"{out.name}.log"
    load = os.getloadavg()[0]
    with open(log, "w") as fh:
        started = time.perf_counter()
        proc = subprocess.Popen([str(sbsk), "run", QUARTER, "--raw-dir", str(raw), "--out-dir", str(out)],
                                cwd=PROJECT_ROOT, env=bench_env(), stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    drop_bulk(out)
    units = None
    if code == 0:
        import duckdb

        con = duckdb.connect(str(out / "sbsk.duckdb"), read_only=True)
        try:
            units = con.execute("select count(*) from quarter_results where quarter = ?", [QUARTER]).fetchone()[0]
        finally:
            con.close()
    return {"seconds": seconds, "exit_code": code, "units_scored": units, "peak_rss": usage.ru_maxrss * 1024,
            "cpu_seconds": usage.ru_utime + usage.ru_stime, "load_before": load, "load_after": os.getloadavg()[0],
            "log": str(log), "log_tail": log.read_text(errors="replace")[-1500:] if code else ""}


def month_view(raw: Path) -> Path:
    """The quarter's files as the month's returns: raw/<MONTH>/ holds hard links to raw/<QUARTER>/'s
    files (no copy; the file contents and so their verdicts are the same)."""
    for path in sorted((raw / QUARTER).rglob("*")):
        target = raw / MONTH / path.relative_to(raw / QUARTER)
        if path.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    return raw


def drop_bulk(out: Path) -> None:
    """A run's pickled verdicts and raw copies: GBs at 3M rows, of no use once it is measured."""
    for bulky in (".cache", "archive"):
        shutil.rmtree(out / bulky, ignore_errors=True)


def fixed_cost(repeats: int) -> dict:
    """`sbsk run` on a tiny quarter: Prefect import, temporary server, flow and task overhead."""
    from tests.builders import baseline, write_quarter

    folder = RUNS_DIR / "tiny"
    raw = folder / "raw"
    if not (raw / QUARTER).exists():
        write_quarter(raw, QUARTER, baseline())
    first_ever = not PREFECT_HOME.exists()
    warmup = sbsk_run(raw, folder / "out")  # creates and migrates the Prefect database on a first run
    if warmup["exit_code"] != 0:
        raise SystemExit(f"sbsk run on the tiny quarter failed:\n{warmup['log_tail']}")
    runs = [sbsk_run(raw, folder / "out") for _ in range(repeats)]
    return {"seconds": statistics.median(r["seconds"] for r in runs), "runs": [r["seconds"] for r in runs],
            "warmup_seconds": warmup["seconds"], "first_ever": first_ever,
            "peak_rss": max(r["peak_rss"] for r in runs)}


def measure(rows: int, seed: int, split: str, cli: bool, repeats: int = 3, flavour: str = "openpyxl",
            dispatch: bool = True, pandas: bool = True) -> dict:
    """One quarter of `rows` rows written in `flavour` (bench/writers.py): the plain read, the plain calls,
    the dispatch (if asked), pandas at PANDAS_FULL_SIZE (if asked) and the real command."""
    import generate

    cached = (generate.quarter_dir(rows, seed, QUARTER, split, flavour=flavour) / "manifest.json").exists()
    folder = generate.ensure(rows, seed, QUARTER, split, flavour=flavour)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    raw = folder / "raw"
    tag = f"{flavour}-{rows}"
    rows_label = f"{rows:,} {flavour}"
    out: dict = {"rows": rows, "flavour": flavour, "files": len(manifest["files"]), "raw": str(raw),
                 "generate_seconds": manifest["seconds"], "generated_now": not cached,
                 "bytes": sum(p.stat().st_size for p in (raw / QUARTER).rglob("*.xlsx"))}
    say(f"[{rows_label}] plain fastexcel read …")
    out["fastexcel"] = spawn("fastexcel", raw)
    say(f"[{rows_label}] pipeline stages (plain calls) …")
    out["pipeline"] = spawn("pipeline", raw, "--out", str(RUNS_DIR / f"pipeline-{tag}"))
    if out["pipeline"]["rows_loaded"] != rows or out["pipeline"]["rows_rejected"]:
        say(f"[{rows_label}] WARNING: expected {rows} rows loaded and none rejected, got "
            f"{out['pipeline']['rows_loaded']} loaded, {out['pipeline']['rows_rejected']} rejected")
    if dispatch:
        say(f"[{rows_label}] the dispatch of {MONTH} on the same files (plain calls) …")
        out["dispatch"] = spawn("dispatch", month_view(raw), "--out", str(RUNS_DIR / f"dispatch-{tag}"))
    if pandas and rows == PANDAS_FULL_SIZE:
        say(f"[{rows_label}] pandas + openpyxl read (slow) …")
        out["pandas"] = spawn("pandas", raw)
    if cli:
        say(f"[{rows_label}] sbsk run (real command, Prefect), median of {repeats} …")
        runs = [sbsk_run(raw, RUNS_DIR / f"cli-{tag}") for _ in range(repeats)]
        failed = [r for r in runs if r["exit_code"] != 0]
        # wall time moves by ±0.5 s between runs here: the median of several, as for the fixed cost
        out["cli"] = failed[0] if failed else {
            **sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2],
            "runs": [r["seconds"] for r in runs], "peak_rss": max(r["peak_rss"] for r in runs)}
    return out


def pandas_rate(results: list[dict], seed: int, split: str) -> tuple[float, str]:
    """rows/s of pandas.read_excel + openpyxl: measured at 300k when run, else on a 50k sample."""
    for r in results:
        if "pandas" in r:
            return r["pandas"]["rows"] / r["pandas"]["seconds"], f"measured on the {r['rows']:,}-row quarter"
    import generate

    say(f"pandas + openpyxl on a {PANDAS_SAMPLE_SIZE:,}-row sample quarter …")
    sample = spawn("pandas", generate.ensure(PANDAS_SAMPLE_SIZE, seed, QUARTER, split) / "raw")
    return sample["rows"] / sample["seconds"], f"extrapolated from a {PANDAS_SAMPLE_SIZE:,}-row sample"


def profile_pipeline(rows: int, seed: int, split: str, flavour: str = "openpyxl") -> Path:
    """pyinstrument over the plain calls, in a run of its own (a profiler slows call-heavy code)."""
    import generate

    raw = generate.ensure(rows, seed, QUARTER, split, flavour=flavour) / "raw"
    target = RESULTS_DIR / f"profile-{flavour}-{rows}.txt"
    say(f"[{rows:,} {flavour}] profiling the plain calls with pyinstrument …")
    spawn("pipeline", raw, "--out", str(RUNS_DIR / f"profile-{rows}"), "--profile-to", str(target))
    return target


def pyspy_cli(rows: int, seed: int, split: str, flavour: str = "openpyxl") -> Path:
    """py-spy over the real `sbsk run` (Prefect included), summarised as inclusive seconds per function."""
    import generate

    raw = generate.ensure(rows, seed, QUARTER, split, flavour=flavour) / "raw"
    pyspy = Path(sys.executable).with_name("py-spy")
    if not pyspy.exists():
        raise SystemExit("--pyspy needs py-spy in the virtualenv: .venv/bin/pip install py-spy")
    out, stacks = RUNS_DIR / f"pyspy-{rows}", RESULTS_DIR / f"pyspy-{flavour}-{rows}.collapsed"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    say(f"[{rows:,}] sbsk run under py-spy …")
    rate = 100
    subprocess.run([str(pyspy), "record", "--rate", str(rate), "--subprocesses", "--format", "raw", "--output",
                    str(stacks), "--", str(Path(sys.executable).with_name("sbsk")), "run", QUARTER, "--raw-dir",
                    str(raw), "--out-dir", str(out)], cwd=PROJECT_ROOT, env=bench_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    drop_bulk(out)
    summary = RESULTS_DIR / f"pyspy-{flavour}-{rows}.txt"
    summary.write_text(summarise_stacks(stacks, rate), encoding="utf-8")
    return summary


def summarise_stacks(path: Path, rate: int, top: int = 120) -> str:
    """Inclusive seconds per function (file:function) from py-spy's collapsed stacks."""
    import re
    from collections import Counter

    frame = re.compile(r"(.+?) \((.+?):\d+\)$")
    inclusive, processes = Counter(), Counter()
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if ";" not in stack or not count.isdigit():
            continue  # the trial-parse child's command line spans lines; its frames still count below
        frames = stack.split(";")
        process = frames[0] if frames[0].startswith("process ") else "a child whose command line spans lines"
        processes[process[:100]] += int(count)
        seen = set()
        for f in frames[1:]:
            m = frame.match(f)
            key = f"{m.group(2).split('site-packages/')[-1].replace(str(PROJECT_ROOT) + '/', '')}:{m.group(1)}" if m else f
            if key not in seen:
                seen.add(key)
                inclusive[key] += int(count)
    lines = ["seconds  process"] + [f"{n / rate:7.2f}  {p}" for p, n in processes.most_common(5)]
    lines += ["", "seconds  function (inclusive)"] + [f"{n / rate:7.2f}  {k}" for k, n in inclusive.most_common(top)]
    return "\n".join(lines) + "\n"
