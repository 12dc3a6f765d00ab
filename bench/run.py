"""Benchmark a quarter at provincial scale: where the time goes, stage by stage, against the reader.

For each flavour (who wrote the files: bench/writers.py; all five by default) and each size (total
data rows over the eleven returns) a valid quarter is generated once (bench/generate.py, cached under
bench/.data/), then, each in a fresh process so that peak RSS is its own:

  pipeline   the quarter's steps as plain calls (sbsk.pipeline.evaluate, the walk that
             flows/quarter.py and tests/conftest.py run too), timed stage by stage;
  fastexcel  a plain fastexcel read of the same files: every sheet, every cell as a string;
  pandas     pandas.read_excel + openpyxl on the same files (measured at 300k rows; other sizes
             are extrapolated from its rows/s, or from a 50k-row sample when 300k is not run);
  sbsk run   the real command (Prefect flow, temporary server, result persistence) on the quarter;
  dispatch   the monthly dispatch (sbsk.dispatch.evaluate_dispatch, plain calls, same stages) on the
             same files seen as September's, so that a dispatch compares with the quarter stage by
             stage (SPEC §9: it costs no more than a quarter run on the same files); first flavour only
             (bench/commands.py times the real `sbsk dispatch` against `sbsk run`).

The fixed cost of `sbsk run` is measured on a tiny quarter (tests/builders.baseline()).

Files: run.py (this command), settings.py (paths, sizes), stages.py (the stopwatch and what it
wraps), children.py (what each child process measures), measure.py (spawning and collecting),
report.py (the table and the PASS/FAIL verdicts); generate.py makes the quarters.

    python bench/run.py [--sizes 300000,1000000,3000000] [--flavours openpyxl,xlsxwriter,…]
                        [--profile 1000000] [--pyspy 1000000]
    make bench                       # BENCH_SIZES=300000,1000000,3000000 make bench for 3M too;
                                     # BENCH_FLAVOURS=xlsxwriter,messy make bench for some flavours only
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

from settings import DEFAULT_SIZES, PROJECT_ROOT, RESULTS_DIR, say  # also puts the project on sys.path
from children import child_dispatch, child_fastexcel, child_pandas, child_pipeline
from measure import fixed_cost, measure, pandas_rate, profile_pipeline, pyspy_cli
from report import machine, render
from writers import FLAVOURS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES") or DEFAULT_SIZES,
                        help=f"comma-separated total row counts (default $BENCH_SIZES or {DEFAULT_SIZES})")
    parser.add_argument("--flavours", default=os.environ.get("BENCH_FLAVOURS") or ",".join(FLAVOURS),
                        help="comma-separated writers of the bench files (bench/writers.py; default $BENCH_FLAVOURS "
                             f"or all: {','.join(FLAVOURS)})")
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
    parser.add_argument("--profile-flavour", default=None, metavar="FLAVOUR",
                        help="the flavour --profile and --pyspy run on (default: the first of --flavours)")
    parser.add_argument("--report", type=Path, metavar="JSON", help="print the report of a saved run again")
    parser.add_argument("--child", choices=["pipeline", "dispatch", "fastexcel", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--raw", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child in ("pipeline", "dispatch"):
            if args.out.exists():
                shutil.rmtree(args.out)
            args.out.mkdir(parents=True)
            data = (child_pipeline(args.raw, args.out, args.profile_to) if args.child == "pipeline"
                    else child_dispatch(args.raw, args.out))
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
    flavours = [f.strip() for f in args.flavours.split(",") if f.strip()]
    unknown = sorted(set(flavours) - set(FLAVOURS))
    if unknown:
        raise SystemExit(f"unknown flavour(s) {', '.join(unknown)}; known: {', '.join(FLAVOURS)}")
    # the dispatch and pandas (slow) on the first flavour only: they say nothing new about who wrote the files
    results = [measure(rows, args.seed, args.split, not args.no_cli, args.repeats, flavour, dispatch=k == 0,
                       pandas=k == 0)
               for k, flavour in enumerate(flavours) for rows in sizes]
    rate, rate_note = pandas_rate(results, args.seed, args.split)
    profiles = []
    if args.profile:
        profiles.append(profile_pipeline(args.profile, args.seed, args.split, args.profile_flavour or flavours[0]))
    if args.pyspy:
        profiles.append(pyspy_cli(args.pyspy, args.seed, args.split, args.profile_flavour or flavours[0]))

    command = "python bench/run.py " + " ".join(sys.argv[1:]) if sys.argv[1:] else "python bench/run.py"
    saved = {"when": f"{datetime.now():%Y-%m-%d %H:%M}", "command": command, "split": args.split,
             "machine": machine(), "sizes": sizes, "flavours": flavours, "fixed": fixed, "pandas_rows_per_second": rate,
             "pandas_note": rate_note, "profiles": [str(p.relative_to(PROJECT_ROOT)) for p in profiles],
             "results": results}
    report = render(saved)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS_DIR / f"bench-{stamp}.json").write_text(json.dumps(saved, indent=1, ensure_ascii=False), encoding="utf-8")
    (RESULTS_DIR / f"bench-{stamp}.md").write_text(report + "\n", encoding="utf-8")
    print(report)
    say(f"\nsaved to {RESULTS_DIR / f'bench-{stamp}.md'} (and .json; `--report` re-renders the .json)")


if __name__ == "__main__":
    main()
