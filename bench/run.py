"""Benchmark a quarter at provincial scale: where the time goes, stage by stage, against the reader.

For each size (total data rows over the eleven returns) a valid quarter is generated once
(bench/generate.py, cached under bench/.data/), then, each in a fresh process so that peak RSS is
its own:

  pipeline   the quarter flow's steps as plain calls (as tests/conftest.py `evaluate` and
             flows/quarter.py run them), timed stage by stage;
  fastexcel  a plain fastexcel read of the same files: every sheet, every cell as a string;
  pandas     pandas.read_excel + openpyxl on the same files (measured at 300k rows; other sizes
             are extrapolated from its rows/s, or from a 50k-row sample when 300k is not run);
  sbsk run   the real command (Prefect flow, temporary server, result persistence) on the quarter.

The fixed cost of `sbsk run` is measured on a tiny quarter (tests/builders.baseline()).

    python bench/run.py [--sizes 300000,1000000,3000000] [--profile 1000000] [--pyspy 1000000]
    make bench                       # BENCH_SIZES=300000,1000000,3000000 make bench for 3M too
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
RUNS_DIR = DATA_DIR / "runs"
RESULTS_DIR = DATA_DIR / "results"
PREFECT_HOME = DATA_DIR / "prefect-home"  # not ~/.prefect: engineers' test runs share that database
QUARTER = "2020Q3"
DEFAULT_SIZES = "300000,1000000"
PANDAS_FULL_SIZE = 300_000
PANDAS_SAMPLE_SIZE = 50_000
GB = 1024 ** 3

sys.path[:0] = [p for p in (str(PROJECT_ROOT), str(BENCH_DIR)) if p not in sys.path]


# ---------------------------------------------------------------------------------------------
# stage timing
# ---------------------------------------------------------------------------------------------

class Stopwatch:
    """Exclusive time per stage: time spent in a nested stage is not counted again in its parent."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._stack: list[list] = []   # [stage, started, time taken by nested stages]
        self.skipped: list[str] = []

    @contextmanager
    def stage(self, name: str):
        frame = [name, time.perf_counter(), 0.0]
        self._stack.append(frame)
        try:
            yield
        finally:
            self._stack.pop()
            elapsed = time.perf_counter() - frame[1]
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed - frame[2]
            if self._stack:
                self._stack[-1][2] += elapsed

    def wrap(self, module, attr: str, name: str) -> None:
        """Time every call of module.attr as stage `name`, without touching the production code."""
        original = getattr(module, attr, None)
        if original is None:  # renamed by a concurrent change: its time lands in the enclosing stage
            self.skipped.append(f"{module.__name__}.{attr}")
            return

        def timed(*args, **kwargs):
            with self.stage(name):
                return original(*args, **kwargs)

        timed.__wrapped__ = original
        setattr(module, attr, timed)


# Rows of the stage table: (stage, what it covers). Keys are Stopwatch stage names.
STAGES = [
    ("discover", "discover(): list and sha256 the files"),
    ("archive", "archive_file(): copy into the raw archive"),
    ("read.safety.trial", "guard.trial.trial_parse: in a warm capped child, the zip looked into (each part "
                          "inflated once, DTD search, small sheets' cells counted) and the one fastexcel parse, "
                          "handed over as Arrow IPC"),
    ("read.safety", "rest of guard.inspection.inspect (magic bytes, an OLE file's encryption check)"),
    ("read.fastexcel", "reader: the sheets as pandas grids (from the sandboxed parse's Arrow)"),
    ("read.detect", "reader: header detection (_best_header, _choose, _stated_unit)"),
    ("read.classify", "reader._classify: data/blank/total/notes per row"),
    ("read.other", "rest of read_table (slicing, copies)"),
    ("validate.parse", "parse.parse_table: text → typed"),
    ("validate.pandera", "validate._schema_errors: Pandera, lazy"),
    ("validate.totals", "ingest.check_totals: 合计 rows"),
    ("validate.other", "rest of validate_file / check_owner"),
    ("combine", "reject_unit_overlaps + missing_returns"),
    ("stage", "pipeline._frames + warehouse.load_staging"),
    ("score", "prepare_quarter + intermediate + indicator_scores/quarter_totals"),
    ("rank", "marts/quarter_results (rank, rewards, tie-break)"),
    ("publish.other", "copy/open DB, schema, inserts, commit, checkpoint, fsync, rename"),
    ("outputs", "validation report + bulletin workbooks"),
]


def instrument(sw: Stopwatch) -> None:
    import fastexcel

    from sbsk import pipeline
    from sbsk.intake import ingest, reader, validate
    from sbsk.store import models as scoring

    from sbsk.intake.guard import inspection

    sw.wrap(reader, "inspect", "read.safety")  # wrapped where they are called
    sw.wrap(inspection, "trial_parse", "read.safety.trial")
    sw.wrap(fastexcel, "read_excel", "read.fastexcel")  # opening parses the shared strings: real read work
    sw.wrap(reader._Sheets, "load", "read.fastexcel")  # sheets from the sandboxed parse, or read here
    for attr in ("_best_header", "_choose", "_stated_unit"):
        sw.wrap(reader, attr, "read.detect")
    sw.wrap(reader, "_classify", "read.classify")
    sw.wrap(validate, "parse_table", "validate.parse")
    sw.wrap(validate, "_schema_errors", "validate.pandera")
    sw.wrap(ingest, "check_totals", "validate.totals")
    sw.wrap(pipeline, "_frames", "stage")
    sw.wrap(pipeline, "load_staging", "stage")
    sw.wrap(pipeline, "prepare_quarter", "score")
    sw.wrap(scoring, "union_models", "score")
    original = getattr(scoring, "run_models", None)
    if original is None:
        sw.skipped.append("sbsk.store.models.run_models")
        return

    def run_models(con, layer, names=None):
        # one model at a time (as run_models does anyway), so that ranking is timed on its own
        if names is None:
            with sw.stage("score"):
                return original(con, layer, names)
        built = []
        for name in names:
            with sw.stage("rank" if name == "quarter_results" else "score"):
                built += original(con, layer, [name])
        return built

    scoring.run_models = run_models


def child_pipeline(raw: Path, out: Path, profile: Path | None) -> dict:
    """The quarter flow's steps as plain calls (tests/conftest.py evaluate + flows/quarter.py reports)."""
    started = time.perf_counter()
    from sbsk.schemas import load_returns
    from sbsk import pipeline
    from sbsk.store.archive import archive_file
    from sbsk.outputs.bulletin import write_quarter_bulletin
    from sbsk.intake.discover import discover
    from sbsk.files import atomic_path
    from sbsk.intake.ingest import check_owner, read_file, validate_file
    from sbsk.intake.validate import context_for
    from sbsk.config.periods import Quarter
    from sbsk.config.registry import load_registry
    from sbsk.config.rubric import load_rubric
    from sbsk.outputs.validation_report import write_validation_report
    import_seconds = time.perf_counter() - started

    sw = Stopwatch()
    instrument(sw)
    q = Quarter.parse(QUARTER)
    defs, rubric, registry = load_returns(), load_rubric(), load_registry()
    ctx = context_for(q.year, rubric, registry)

    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    begin = time.perf_counter()
    with sw.stage("discover"):
        sources = discover(raw, QUARTER, defs)
    results = []
    for source in sources:
        with sw.stage("archive"):
            archived = archive_file(out, source)
        with sw.stage("read.other"):
            result, table = read_file(source, defs)
        with sw.stage("validate.other"):
            result = check_owner(result, defs)
            result = validate_file(result, table, defs, ctx)
        result.archive_path = archived
        results.append(result)
        del table
    with sw.stage("combine"):
        results = pipeline.reject_unit_overlaps(results, defs)
        missing = pipeline.missing_returns(results, defs)
    with sw.stage("publish.other"):
        status = pipeline.publish_quarter(q, results, missing, defs, rubric, registry, out, pipeline.new_run_id(),
                                          pipeline.now())
    with sw.stage("outputs"):
        con = pipeline.open_published(out)
        try:
            for name, write in (("validation", write_validation_report), ("bulletin", write_quarter_bulletin)):
                with atomic_path(out / QUARTER / f"{name}-{QUARTER}.xlsx") as tmp:
                    write(con, QUARTER, tmp)
        finally:
            con.close()
    total = time.perf_counter() - begin
    if profiler:
        profiler.stop()
        profile.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
        profile.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")

    return {
        "import_seconds": import_seconds,
        "total_seconds": total,
        "stages": sw.seconds,
        "not_instrumented": sw.skipped,
        "status": status,
        "missing": missing,
        "files": len(results),
        "rows_read": sum(r.rows_read for r in results),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_rejected": sum(r.rows_rejected for r in results),
        "rows_skipped": sum(r.rows_skipped for r in results),
        "files_rejected": [r.file_message for r in results if r.status == "rejected"],
        "peak_rss": peak_rss_self(),
    }


def child_fastexcel(raw: Path) -> dict:
    """A plain read of every sheet, every cell as text: the floor the pipeline is measured against."""
    import fastexcel

    paths = sorted((raw / QUARTER).rglob("*.xlsx"))
    out = {}
    for target in ("arrow", "pandas"):
        rows = 0
        started = time.perf_counter()
        for path in paths:
            reader = fastexcel.read_excel(str(path))
            for name in reader.sheet_names:
                sheet = reader.load_sheet(name, header_row=None, dtypes="string")
                frame = sheet.to_arrow() if target == "arrow" else sheet.to_pandas()
                rows += len(frame)
                del frame
        out[f"{target}_seconds"] = time.perf_counter() - started
        out["rows"] = rows
    out["peak_rss"] = peak_rss_self()
    return out


def child_pandas(raw: Path) -> dict:
    import pandas as pd

    rows = 0
    started = time.perf_counter()
    for path in sorted((raw / QUARTER).rglob("*.xlsx")):
        for frame in pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine="openpyxl").values():
            rows += len(frame)
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_rss": peak_rss_self()}


def peak_rss_self() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


# ---------------------------------------------------------------------------------------------
# the parent: generate, spawn, collect, judge
# ---------------------------------------------------------------------------------------------

def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def spawn(mode: str, raw: Path, *extra: str) -> dict:
    """Run one measurement in a fresh interpreter; it hands back JSON through a file."""
    result = RUNS_DIR / f"{mode}-{raw.parent.name}.json"
    result.parent.mkdir(parents=True, exist_ok=True)
    result.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__)), "--child", mode, "--raw", str(raw), "--result", str(result), *extra]
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


def measure(rows: int, seed: int, split: str, cli: bool, repeats: int = 3) -> dict:
    import generate

    cached = (generate.quarter_dir(rows, seed, QUARTER, split) / "manifest.json").exists()
    folder = generate.ensure(rows, seed, QUARTER, split)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    raw = folder / "raw"
    out: dict = {"rows": rows, "files": len(manifest["files"]), "raw": str(raw),
                 "generate_seconds": manifest["seconds"], "generated_now": not cached,
                 "bytes": sum(p.stat().st_size for p in (raw / QUARTER).rglob("*.xlsx"))}
    say(f"[{rows:,}] plain fastexcel read …")
    out["fastexcel"] = spawn("fastexcel", raw)
    say(f"[{rows:,}] pipeline stages (plain calls) …")
    out["pipeline"] = spawn("pipeline", raw, "--out", str(RUNS_DIR / f"pipeline-{rows}"))
    if out["pipeline"]["rows_loaded"] != rows or out["pipeline"]["rows_rejected"]:
        say(f"[{rows:,}] WARNING: expected {rows} rows loaded and none rejected, got "
            f"{out['pipeline']['rows_loaded']} loaded, {out['pipeline']['rows_rejected']} rejected")
    if rows == PANDAS_FULL_SIZE:
        say(f"[{rows:,}] pandas + openpyxl read (slow) …")
        out["pandas"] = spawn("pandas", raw)
    if cli:
        say(f"[{rows:,}] sbsk run (real command, Prefect), median of {repeats} …")
        runs = [sbsk_run(raw, RUNS_DIR / f"cli-{rows}") for _ in range(repeats)]
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


def profile_pipeline(rows: int, seed: int, split: str) -> Path:
    """pyinstrument over the plain calls, in a run of its own (a profiler slows call-heavy code)."""
    import generate

    raw = generate.ensure(rows, seed, QUARTER, split) / "raw"
    target = RESULTS_DIR / f"profile-{rows}.txt"
    say(f"[{rows:,}] profiling the plain calls with pyinstrument …")
    spawn("pipeline", raw, "--out", str(RUNS_DIR / f"profile-{rows}"), "--profile-to", str(target))
    return target


def pyspy_cli(rows: int, seed: int, split: str) -> Path:
    """py-spy over the real `sbsk run` (Prefect included), summarised as inclusive seconds per function."""
    import generate

    raw = generate.ensure(rows, seed, QUARTER, split) / "raw"
    pyspy = Path(sys.executable).with_name("py-spy")
    if not pyspy.exists():
        raise SystemExit("--pyspy needs py-spy in the virtualenv: .venv/bin/pip install py-spy")
    out, stacks = RUNS_DIR / f"pyspy-{rows}", RESULTS_DIR / f"pyspy-{rows}.collapsed"
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
    summary = RESULTS_DIR / f"pyspy-{rows}.txt"
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


# ---------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------

def judge(results: list[dict], fixed: dict | None, rate: float) -> list[tuple[str, str, str]]:
    """(target, verdict, evidence) for each design target."""
    by = {r["rows"]: r for r in results}
    verdicts = []

    def at(rows: int):
        return by.get(rows)

    m = at(1_000_000)
    if m and fixed and m.get("cli", {}).get("exit_code") == 0:
        marginal = m["cli"]["seconds"] - fixed["seconds"]
        read = m["fastexcel"]["arrow_seconds"]
        verdicts.append(("1M: (sbsk run − fixed cost) ≤ 1.5 × plain fastexcel read",
                         _pf(marginal <= 1.5 * read),
                         f"{marginal:.1f} s vs 1.5 × {read:.1f} s = {1.5 * read:.1f} s ({marginal / read:.2f}× the read)"))
        pandas_s = m["rows"] / rate
        verdicts.append(("1M: that marginal time ≥ 8× faster than pandas + openpyxl",
                         _pf(pandas_s >= 8 * marginal), f"{pandas_s:.0f} s / {marginal:.1f} s = {pandas_s / marginal:.1f}×"))
    else:
        verdicts.append(("1M: (sbsk run − fixed cost) ≤ 1.5 × plain fastexcel read", "NOT RUN", ""))
        verdicts.append(("1M: that marginal time ≥ 8× faster than pandas + openpyxl", "NOT RUN", ""))
    if fixed:
        verdicts.append(("fixed cost of sbsk run ≤ 15 s", _pf(fixed["seconds"] <= 15),
                         f"{fixed['seconds']:.1f} s (median of {len(fixed['runs'])})"))
    else:
        verdicts.append(("fixed cost of sbsk run ≤ 15 s", "NOT RUN", ""))
    for rows, limit in ((1_000_000, 2), (3_000_000, 6)):
        r = at(rows)
        if r:
            peak = max(r["pipeline"]["peak_rss"], r.get("cli", {}).get("peak_rss", 0))
            verdicts.append((f"{rows // 1_000_000}M: peak RSS ≤ {limit} GB", _pf(peak <= limit * GB),
                             f"{peak / GB:.2f} GB (max of plain calls and sbsk run)"))
        else:
            verdicts.append((f"{rows // 1_000_000}M: peak RSS ≤ {limit} GB", "NOT RUN", ""))
    r = at(3_000_000)
    if r:
        cli = r.get("cli")
        ok = r["pipeline"]["rows_loaded"] == r["rows"] and (cli is None or (cli["exit_code"] == 0 and cli["units_scored"]))
        how = f"sbsk run exit {cli['exit_code']}, {cli['seconds']:.0f} s" if cli else "plain calls only"
        verdicts.append(("a 3M-row quarter completes", _pf(ok), f"{r['pipeline']['rows_loaded']:,} rows loaded; {how}"))
    else:
        verdicts.append(("a 3M-row quarter completes", "NOT RUN", "BENCH_SIZES=300000,1000000,3000000 make bench"))
    return verdicts


def _pf(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(results: list[dict], fixed: dict | None, rate: float, rate_note: str) -> str:
    sizes = [f"{r['rows'] / 1e6:g}M rows" for r in results]
    lines = ["| | " + " | ".join(sizes) + " |", "|---|" + "---:|" * len(results)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    def sec(x: float | None) -> str:
        return "—" if x is None else f"{x:.2f}"

    row("files / MB of xlsx", [f"{r['files']} / {r['bytes'] / 1e6:.0f}" for r in results])
    row("**plain fastexcel → Arrow (s)**", [sec(r["fastexcel"]["arrow_seconds"]) for r in results])
    row("plain fastexcel → pandas (s)", [sec(r["fastexcel"]["pandas_seconds"]) for r in results])
    row("plain fastexcel rows/s (Arrow)", [f"{r['rows'] / r['fastexcel']['arrow_seconds']:,.0f}" for r in results])
    row("pandas + openpyxl (s)", [
        f"{r['pandas']['seconds']:.1f} (measured)" if "pandas" in r else f"≈{r['rows'] / rate:.0f} (extrapolated)"
        for r in results])
    for key, what in STAGES:
        row(f"{key} — {what}", [sec(r["pipeline"]["stages"].get(key)) for r in results])
    row("**pipeline total, plain calls (s)**", [sec(r["pipeline"]["total_seconds"]) for r in results])
    # the parse now happens inside the sandboxed child, so measure against the plain read itself
    beyond = [r["pipeline"]["total_seconds"] - r["fastexcel"]["arrow_seconds"] for r in results]
    row("everything beyond a plain fastexcel read (s)", [sec(b) for b in beyond])
    row("… as a share of the plain read", [f"{b / r['fastexcel']['arrow_seconds']:.2f}×" for b, r in zip(beyond, results)])
    row("CPU time, plain calls (s)", [sec(r["pipeline"]["cpu_seconds"]) for r in results])
    row("peak RSS, plain calls (GB)", [f"{r['pipeline']['peak_rss'] / GB:.2f}" for r in results])
    row("**sbsk run, real command (s)**", [sec(r["cli"]["seconds"]) if "cli" in r else "—" for r in results])
    if fixed:
        row("sbsk run − fixed cost (s)", [sec(r["cli"]["seconds"] - fixed["seconds"]) if "cli" in r else "—"
                                          for r in results])
        row("… ÷ plain fastexcel read", [f"{(r['cli']['seconds'] - fixed['seconds']) / r['fastexcel']['arrow_seconds']:.2f}×"
                                          if "cli" in r else "—" for r in results])
        row("… speed-up over pandas + openpyxl", [f"{r['rows'] / rate / (r['cli']['seconds'] - fixed['seconds']):.1f}×"
                                                   if "cli" in r else "—" for r in results])
    row("peak RSS, sbsk run (GB)", [f"{r['cli']['peak_rss'] / GB:.2f}" if "cli" in r else "—" for r in results])
    row("sbsk run exit status", [str(r["cli"]["exit_code"]) if "cli" in r else "—" for r in results])
    row("rows loaded / rejected", [f"{r['pipeline']['rows_loaded']:,} / {r['pipeline']['rows_rejected']:,}" for r in results])
    row("files rejected whole", [str(len(r["pipeline"]["files_rejected"])) for r in results])
    row("load average before → after, plain calls", [
        f"{r['pipeline']['load_before']:.1f} → {r['pipeline']['load_after']:.1f}" for r in results])
    text = "\n".join(lines)
    notes = [f"pandas + openpyxl: {rate:,.0f} rows/s, {rate_note}."]
    for r in results:
        for message in r["pipeline"]["files_rejected"][:3]:
            notes.append(f"{r['rows']:,} rows, rejected whole: {message}")
    if fixed:
        notes.append(f"Fixed cost of `sbsk run` on a tiny quarter (9 rows per return): {fixed['seconds']:.1f} s "
                     f"(median of {', '.join(f'{s:.1f}' for s in fixed['runs'])} s; warm-up run "
                     f"{fixed['warmup_seconds']:.1f} s{', which created the Prefect database' if fixed['first_ever'] else ''}).")
    skipped = sorted({s for r in results for s in r["pipeline"]["not_instrumented"]})
    if skipped:
        notes.append(f"Not instrumented (renamed?): {', '.join(skipped)}; their time is in the enclosing stage.")
    return text + "\n\n" + "\n".join(f"- {n}" for n in notes)


def machine() -> str:
    import platform

    import duckdb
    import fastexcel
    import pandas
    import pandera
    import prefect

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GB
    return (f"{platform.node()}: {os.cpu_count()} CPUs, {mem:.0f} GB RAM, Python {platform.python_version()}, "
            f"fastexcel {fastexcel.__version__}, pandas {pandas.__version__}, pandera {pandera.__version__}, "
            f"duckdb {duckdb.__version__}, prefect {prefect.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES") or DEFAULT_SIZES,
                        help=f"comma-separated total row counts (default $BENCH_SIZES or {DEFAULT_SIZES})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--split", choices=["product", "excel"], default="product",
                        help="how big returns are split into files by unit: to fit the product's file limits "
                             "(sbsk.intake.guard.limits, the default) or Excel's row limit only (see bench/generate.py)")
    parser.add_argument("--no-cli", action="store_true", help="skip the real `sbsk run` (fixed cost and at size)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the real command per size and for the fixed cost (median)")
    parser.add_argument("--profile", type=int, metavar="ROWS",
                        help="also profile the plain calls at this size with pyinstrument (pip install pyinstrument)")
    parser.add_argument("--pyspy", type=int, metavar="ROWS",
                        help="also record the real `sbsk run` at this size with py-spy (pip install py-spy)")
    parser.add_argument("--report", type=Path, metavar="JSON", help="print the report of a saved run again")
    parser.add_argument("--child", choices=["pipeline", "fastexcel", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--raw", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child == "pipeline":
            if args.out.exists():
                shutil.rmtree(args.out)
            args.out.mkdir(parents=True)
            data = child_pipeline(args.raw, args.out, args.profile_to)
        else:
            data = {"fastexcel": child_fastexcel, "pandas": child_pandas}[args.child](args.raw)
        args.result.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return

    if args.report:
        print(render(json.loads(args.report.read_text(encoding="utf-8"))))
        return

    sizes = [int(s) for s in args.sizes.replace("_", "").split(",") if s.strip()]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    fixed = None
    if not args.no_cli:
        say(f"fixed cost: sbsk run on a tiny quarter ({args.repeats} runs after a warm-up) …")
        fixed = fixed_cost(args.repeats)
    results = [measure(rows, args.seed, args.split, not args.no_cli, args.repeats) for rows in sizes]
    rate, rate_note = pandas_rate(results, args.seed, args.split)
    profiles = []
    if args.profile:
        profiles.append(profile_pipeline(args.profile, args.seed, args.split))
    if args.pyspy:
        profiles.append(pyspy_cli(args.pyspy, args.seed, args.split))

    command = "python bench/run.py " + " ".join(sys.argv[1:]) if sys.argv[1:] else "python bench/run.py"
    saved = {"when": f"{datetime.now():%Y-%m-%d %H:%M}", "command": command, "split": args.split,
             "machine": machine(), "sizes": sizes, "fixed": fixed, "pandas_rows_per_second": rate,
             "pandas_note": rate_note, "profiles": [str(p.relative_to(PROJECT_ROOT)) for p in profiles],
             "results": results}
    report = render(saved)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS_DIR / f"bench-{stamp}.json").write_text(json.dumps(saved, indent=1, ensure_ascii=False), encoding="utf-8")
    (RESULTS_DIR / f"bench-{stamp}.md").write_text(report + "\n", encoding="utf-8")
    print(report)
    say(f"\nsaved to {RESULTS_DIR / f'bench-{stamp}.md'} (and .json; `--report` re-renders the .json)")


def render(saved: dict) -> str:
    fixed, rate, results = saved["fixed"], saved["pandas_rows_per_second"], saved["results"]
    return "\n".join([
        f"# sbsk benchmark, {saved['when']}",
        "",
        f"`{saved['command']}` (sizes {','.join(map(str, saved['sizes']))}, split: {saved['split']}) "
        f"on {saved['machine']}",
        "",
        table(results, fixed, rate, saved["pandas_note"]),
        "",
        "| design target | verdict | evidence |",
        "|---|---|---|",
        *(f"| {t} | **{v}** | {e} |" for t, v, e in judge(results, fixed, rate)),
        *(["", "Profiles: " + ", ".join(saved["profiles"])] if saved["profiles"] else []),
    ])

if __name__ == "__main__":
    main()
