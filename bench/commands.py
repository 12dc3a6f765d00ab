"""The other commands against `sbsk run` on the same files (issue 18; issue 12's dispatch), PASS/FAIL each.

    .venv/bin/python bench/commands.py [--sizes 3000,300000] [--repeats 3] [--server]
    make bench-commands

For each size, a quarter from bench/generate.py (openpyxl flavour; 3,000 rows is a city quarter) and,
each a fresh process with the temporary Prefect server (no PREFECT_API_URL, as bench/run.py; with
--server, against a Prefect server this script starts, as under `sbsk serve`: the server's start-up,
about half of a small run and its noisiest part, is then out of every figure), the median of --repeats
runs after one warm-up run of `sbsk run`:

  run        `sbsk run 2020Q3` into a fresh --out-dir: the yardstick
  dispatch   `sbsk dispatch 2020-09` into a fresh --out-dir, on the same files seen as September's
             (bench/measure.month_view: hard links); issue 12: no more than a quarter run (≤ 1.05×, the
             5 % that wall time moves by between runs here), and issue 18: ≤ 1.2×
  review     `sbsk review 2020H1` into a fresh --out-dir, on the demo's R12 files (sbsk.samples.review_demo;
             the half year's review reads only R12, whatever the quarter's size)
  publish    `sbsk publish 2020Q3` on a copy of the run's --out-dir (a draft, never published)
  diff       `sbsk diff 2020Q3 --from 1 --to draft` on a copy after that publish
  remind     `sbsk remind 2020Q3` on a copy of the run's --out-dir
  .docx/.html  the quarter's 通报 (sbsk.outputs.tongbao.write_quarter_tongbao) and web page
             (sbsk.outputs.bulletin_html.write_quarter_html) written from the run's warehouse, each in
             fresh processes: the first write in the process, as a command pays it (imports apart, printed
             beside, with a second write in the same process): each < 1 s

`sbsk forecast 2020-09` is timed too where it exists, on a copy of the dispatch's --out-dir (the month's R13
is the demo's sample, sbsk.samples.peers, written beside the month's returns: the dispatch reads one file more
than the run); on a tree without it the line says NOT RUN.
The commands run round by round (each once per round), so that the load's drift is shared; copies are
made before the clock starts. Wall times move with other work on this shared machine: the
load average is printed with every figure. No test asserts any of this.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from settings import MONTH, PROJECT_ROOT, QUARTER, RUNS_DIR, say  # also puts the project on sys.path
from measure import bench_env, drop_bulk, month_view

API: dict[str, str] = {}  # PREFECT_API_URL and PREFECT_HOME of the running server, with --server

BIN = Path(sys.executable).parent
HALF = "2020H1"
RATIO = 1.2          # issue 18: each command within 1.2× of `sbsk run` on the same data
DISPATCH_RATIO = 1.05  # issue 12: a dispatch costs no more than a quarter run (5 %: this machine's noise)
DOCUMENT_SECONDS = 1.0
COMMANDS = ("dispatch", "forecast", "review", "publish", "diff", "remind")


def timed(cmd: list[str], log: Path, ok_codes: tuple[int, ...] = (0,)) -> dict:
    """One command in a fresh process: wall seconds, exit code, peak RSS, load average before."""
    log.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    with open(log, "w") as fh:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env={**bench_env(), **API}, stdout=fh,
                                stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in ok_codes:
        raise SystemExit(f"{' '.join(cmd)} exited {code}:\n{log.read_text(errors='replace')[-3000:]}")
    # CPU time (the command and the children it waited for) moves less with other work than wall time does
    return {"seconds": seconds, "exit_code": code, "peak_rss": usage.ru_maxrss * 1024, "load": load,
            "cpu": usage.ru_utime + usage.ru_stime}


def median_of(runs: list[dict]) -> dict:
    return {"seconds": statistics.median(r["seconds"] for r in runs), "runs": [r["seconds"] for r in runs],
            "exit_codes": sorted({r["exit_code"] for r in runs}), "peak_rss": max(r["peak_rss"] for r in runs),
            "cpu": statistics.median(r["cpu"] for r in runs),
            "load": [min(r["load"] for r in runs), max(r["load"] for r in runs)]}


def sbsk(*args: str) -> list[str]:
    return [str(BIN / "sbsk"), *args]


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def copy_of(source: Path, folder: Path) -> Path:
    """A copy of a run's --out-dir, made before the clock starts (the bulky cache and archive left out)."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("*.lock"))
    return folder


def has_forecast() -> bool:
    help_text = subprocess.run(sbsk("--help"), capture_output=True, text=True, env=bench_env()).stdout
    return "forecast" in help_text.split("positional arguments")[0]


def documents(out: Path, repeats: int) -> dict:
    """The .docx and .html written from the run's warehouse: for each kind, `repeats` fresh processes, each
    writing it twice. The first write is what a command pays (templates and fonts read, queries cold); the
    second is for information. Imports are timed apart (a command has them in its start-up)."""
    folder = out.parent / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    figures: dict = {}
    for kind, module, name in (("docx", "sbsk.outputs.tongbao", "write_quarter_tongbao"),
                               ("html", "sbsk.outputs.bulletin_html", "write_quarter_html")):
        result = folder / f"{kind}.json"
        code = f"""
import json, time
from pathlib import Path
t = time.perf_counter()
from {module} import {name} as write
from sbsk.store.warehouse import read_only
imports = time.perf_counter() - t
con = read_only(Path({str(out)!r}))
times = []
for k in range(2):
    t = time.perf_counter()
    write(con, {QUARTER!r}, Path({str(folder)!r}) / f"out-{{k}}.{kind}")
    times.append(time.perf_counter() - t)
con.close()
Path({str(result)!r}).write_text(json.dumps({{"imports": imports, "first": times[0], "again": times[1]}}))
"""
        runs = []
        for _ in range(repeats):
            timed([sys.executable, "-c", code], folder / f"{kind}.log")
            runs.append(json.loads(result.read_text()))
        figures[kind] = {key: statistics.median(r[key] for r in runs) for key in ("imports", "first", "again")}
        figures[kind]["runs"] = [r["first"] for r in runs]
    return figures


def measure(rows: int, repeats: int) -> dict:
    import generate
    from sbsk.samples.review_demo import generate_reviews

    raw = generate.ensure(rows, quiet=False) / "raw"
    month_view(raw)
    if not (raw / HALF).exists():
        generate_reviews(raw, 2020)
    work = RUNS_DIR / f"commands-{rows}"
    out: dict = {"rows": rows}
    base = work / "base"
    say(f"[{rows:,}] sbsk run (warm-up, and the warehouse the other commands start from) …")
    timed(sbsk("run", QUARTER, "--raw-dir", str(raw), "--out-dir", str(fresh(base))), work / "base.log")

    # (name, command for the folder it runs in, exit codes that are a success, folder made before the clock)
    plan = [("run", lambda _: sbsk("run", QUARTER, "--raw-dir", str(raw), "--out-dir", str(fresh(work / "run"))),
             (0,), None),
            ("dispatch", lambda _: sbsk("dispatch", MONTH, "--raw-dir", str(raw), "--out-dir",
                                        str(fresh(work / "dispatch"))), (0,), None)]
    if has_forecast():
        # the forecast needs the month's R13 全省对标数据: the demo's sample, drawn around the stored quarter,
        # beside the month's returns (so the dispatch stores it too, as at a real month end)
        from sbsk.config.periods import Month, Quarter
        from sbsk.samples.peers import write_peer_sample

        if not list((raw / MONTH).rglob("R13-*.xlsx")):
            write_peer_sample(raw, base, Month.parse(MONTH), Quarter.parse(QUARTER))
        plan.append(("forecast", lambda folder: sbsk("forecast", MONTH, "--out-dir", str(folder)), (0,),
                     lambda: copy_of(work / "dispatch", work / "forecast")))
    plan += [("review", lambda _: sbsk("review", HALF, "--raw-dir", str(raw), "--out-dir", str(fresh(work / "review"))),
              (0,), None),
             ("publish", lambda folder: sbsk("publish", QUARTER, "--by", "基准测试", "--out-dir", str(folder)), (0,),
              lambda: copy_of(base, work / "publish")),
             # the quarter just published as 第1版 against its draft (the same results: no change)
             ("diff", lambda folder: sbsk("diff", QUARTER, "--from", "1", "--to", "draft", "--out-dir", str(folder)),
              (0,), lambda: work / "publish"),
             # exit 1 means some department owes something (a generated quarter owes nothing: 0); on a copy of
             # the run's folder, its verdicts cached, as after a clerk's run
             ("remind", lambda folder: sbsk("remind", QUARTER, "--raw-dir", str(raw), "--out-dir", str(folder)),
              (0, 1), lambda: copy_of(base, work / "remind"))]
    # round by round, every command once per round: the load on this shared machine drifts over minutes,
    # and a block of one command's runs would carry that drift into its ratio to `sbsk run`
    runs: dict[str, list[dict]] = {name: [] for name, *_ in plan}
    for k in range(repeats):
        say(f"[{rows:,}] round {k + 1} of {repeats}: {', '.join(runs)} …")
        for name, make_cmd, ok_codes, before in plan:
            folder = before() if before else None
            runs[name].append(timed(make_cmd(folder), work / f"{name}.log", ok_codes))
    out.update({name: median_of(r) for name, r in runs.items()})
    say(f"[{rows:,}] the quarter's .docx and .html from the warehouse …")
    out["documents"] = documents(base, repeats)
    for folder in ("run", "dispatch", "review", "publish", "remind", "base"):
        drop_bulk(work / folder)
    return out


def verdicts(r: dict) -> list[tuple[str, str, str]]:
    size = f"{r['rows']:,} rows"
    run = r["run"]["seconds"]
    lines = []
    for name in COMMANDS:
        target = f"{size}: `sbsk {name}` ≤ {RATIO} × `sbsk run`"
        if name not in r:
            lines.append((target, "NOT RUN", "no `sbsk forecast` on this tree" if name == "forecast" else ""))
            continue
        s = r[name]["seconds"]
        lines.append((target, "PASS" if s <= RATIO * run else "FAIL", f"{s:.2f} s vs {run:.2f} s ({s / run:.2f}×)"))
    d = r["dispatch"]["seconds"]
    lines.append((f"{size}: a dispatch costs no more than a quarter run on the same files (issue 12; ≤ "
                  f"{DISPATCH_RATIO}×)", "PASS" if d <= DISPATCH_RATIO * run else "FAIL",
                  f"{d:.2f} s vs {run:.2f} s ({d / run:.2f}×)"))
    for kind in ("docx", "html"):
        d = r["documents"][kind]
        lines.append((f"{size}: the quarter's .{kind} < {DOCUMENT_SECONDS:g} s", "PASS" if d["first"] < DOCUMENT_SECONDS
                      else "FAIL", f"{d['first']:.3f} s (median of a fresh process's first write; written again in "
                                   f"the same process {d['again']:.3f} s; imports {d['imports']:.2f} s apart)"))
    return lines


def render(results: list[dict], command: str) -> str:
    where = "against a running Prefect server" if API else "with the temporary Prefect server"
    lines = [f"## Commands against `sbsk run` (`{command}`), {where}, "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs", "",
             "| command | " + " | ".join(f"{r['rows']:,} rows: median s (runs) | ÷ run | CPU s (÷ run) | load | "
                                        f"peak RSS MB" for r in results) + " |",
             "|---|" + "---:|---:|---:|---:|---:|" * len(results)]
    for name in ("run", *COMMANDS):
        cells = []
        for r in results:
            m = r.get(name)
            if not m:
                cells.append("— | — | — | — | —")
                continue
            cells.append(f"{m['seconds']:.2f} ({', '.join(f'{s:.2f}' for s in m['runs'])}) | "
                         f"{m['seconds'] / r['run']['seconds']:.2f}× | "
                         f"{m['cpu']:.1f} ({m['cpu'] / r['run']['cpu']:.2f}×) | {m['load'][0]:.1f}–{m['load'][1]:.1f} | "
                         f"{m['peak_rss'] / 2**20:.0f}")
        lines.append(f"| `sbsk {name}` | " + " | ".join(cells) + " |")
    for kind in ("docx", "html"):
        lines.append(f"| .{kind}: first write in a process (again; imports) | " + " | ".join(
            f"{r['documents'][kind]['first']:.3f} ({', '.join(f'{s:.3f}' for s in r['documents'][kind]['runs'])}; "
            f"again {r['documents'][kind]['again']:.3f}; imports {r['documents'][kind]['imports']:.2f}) | | | | "
            for r in results) + " |")
    lines += ["", "| target | verdict | evidence |", "|---|---|---|"]
    lines += [f"| {t} | **{v}** | {e} |" for r in results for t, v, e in verdicts(r)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_COMMAND_SIZES") or "3000",
                        help="comma-separated total row counts (default $BENCH_COMMAND_SIZES or 3000: a city quarter)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--server", action="store_true", help="against a running Prefect server (started here)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.replace("_", "").split(",") if s.strip()]
    server = None
    if args.server:
        from fixed_cost import HOME_SERVED, start_server

        server, api = start_server(HOME_SERVED)
        API.update(PREFECT_API_URL=api, PREFECT_HOME=str(HOME_SERVED))
    try:
        results = [measure(rows, args.repeats) for rows in sizes]
    finally:
        if server:
            from fixed_cost import stop

            stop(server)
    command = "python bench/commands.py " + " ".join(sys.argv[1:])
    report = render(results, command.strip())
    target = RUNS_DIR.parent / "results" / f"commands-{time.strftime('%Y%m%d-%H%M%S')}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    target.with_suffix(".md").write_text(report + "\n", encoding="utf-8")
    print(report)
    failed = [t for r in results for t, v, _ in verdicts(r) if v == "FAIL"]
    say(f"\nsaved to {target}.md; " + (f"FAIL: {len(failed)} target(s)" if failed else "PASS: every target run"))


if __name__ == "__main__":
    main()
