"""The `sbsk` command (SPEC §8). Exit status: 0 ok, 1 rejected or failed, 2 usage error."""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import sys
from functools import cache
from pathlib import Path

from sbsk import arguments as arg
from sbsk.config.periods import HalfYear


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sbsk", description="四比四看 quarterly evaluation pipeline")
    sub = parser.add_subparsers(dest="command", required=True)

    def reference(p):
        p.add_argument("--reference", type=Path, metavar="DIR", default=None,
                       help="the reference set: units.csv, unit_groups.csv, rubric files and level.toml "
                            "(default: the shipped reference/; reference/province scores Henan's cities)")

    def dirs(p, raw=True, out=True):
        if raw:
            p.add_argument("--raw-dir", type=Path, default=Path("data/raw"), help="returns folder (default data/raw)")
        if out:
            p.add_argument("--out-dir", type=Path, default=Path("data/out"), help="outputs folder (default data/out)")

    p = sub.add_parser("demo", help="write a sample year of returns and evaluate it end to end")
    dirs(p)
    p.add_argument("--year", type=arg.year, default=2020)

    p = sub.add_parser("run", help="evaluate quarters; re-running a quarter replaces exactly that quarter")
    p.add_argument("quarters", nargs="+", type=arg.quarter, metavar="QUARTER")
    dirs(p)
    p.add_argument("--continue-on-missing", action="store_true",
                   help="score a quarter with missing returns as provisional (still exits 1)")
    p.add_argument("--replay", nargs="?", const="latest", metavar="RUN_ID",
                   help="re-run from the archived files a past run read (default: the quarter's latest run)")
    p.add_argument("--rubric", type=Path, metavar="FILE",
                   help="score by this rubric file instead of the one governing the quarter's year (recorded)")
    reference(p)

    p = sub.add_parser("publish", help="publish a quarter's draft as its next version (第N版)")
    p.add_argument("quarter", type=arg.quarter)
    p.add_argument("--by", required=True, metavar="NAME", help="who publishes (recorded)")
    p.add_argument("--note", metavar="TEXT", help="a note kept with the version")
    p.add_argument("--reason", metavar="TEXT", help="why: required to publish over a published version (更正)")
    dirs(p, raw=False)

    p = sub.add_parser("diff", help="what changed between two versions of a quarter, or a version and the draft")
    p.add_argument("quarter", type=arg.quarter)
    p.add_argument("--from", dest="before", type=arg.version, metavar="N",
                   help="default: the version before --to")
    p.add_argument("--to", dest="after", type=arg.version_or_draft, metavar="N|draft",
                   help="default: the draft when it is newer than the latest version, else the latest version")
    dirs(p, raw=False)

    p = sub.add_parser("dispatch", help="the monthly dispatch (月调度): a month end scored provisionally, "
                                        "ranked and warned about")
    p.add_argument("month", type=arg.month, metavar="MONTH", help="YYYY-MM, e.g. 2020-07")
    dirs(p)
    reference(p)

    p = sub.add_parser("forecast", help="the forecast of the home city's provincial rank (预判全省排名) for a "
                                        "stored quarter or month, from its units and R13 全省对标数据")
    p.add_argument("period", type=arg.period, metavar="PERIOD", help="a quarter YYYYQn or a month YYYY-MM")
    p.add_argument("--json", action="store_true")
    p.add_argument("--province", type=Path, metavar="DIR", default=None,
                   help="the province reference set (default: the shipped reference/province)")
    reference(p)
    dirs(p, raw=False)

    p = sub.add_parser("annual", help="the annual composite from the stored quarters")
    p.add_argument("year", type=arg.year)
    dirs(p)
    p.add_argument("--rubric", type=Path, metavar="FILE",
                   help="this rubric file instead of the one governing the year (recorded)")
    reference(p)

    p = sub.add_parser("check", help="validate files or folders without loading anything")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    p.add_argument("--year", type=arg.year, help="the year whose units apply (default: from the path, else this year)")
    dirs(p)
    reference(p)  # files under --raw-dir get their receipt times recorded under --out-dir

    p = sub.add_parser("templates", help="blank returns for every department (a half year: the R12 review form)")
    p.add_argument("quarter", type=arg.quarter_or_half, metavar="QUARTER|YYYYHn")
    dirs(p, raw=False)
    reference(p)

    p = sub.add_parser("status", help="YEAR: each quarter's (and half year's review) state (done, failed, missing, "
                                      "stale); PERIOD: each department × return's submission state and days late")
    p.add_argument("year", type=arg.status_target, nargs="?", metavar="YEAR|PERIOD|YYYYHn",
                   help="a year (default: this year), a quarter YYYYQn or a month YYYY-MM, or a half year YYYYHn")
    p.add_argument("--json", action="store_true")
    dirs(p)
    reference(p)  # its rubric's due days and returns owed

    p = sub.add_parser("serve", help="serve the scheduled deployments (quarter end, monthly dispatch) to a Prefect "
                                     "server")
    dirs(p)
    p.add_argument("--dispatch-cron", default=None, help="the monthly dispatch's schedule (default: 02:00 on the 5th "
                                                         "of every month, Asia/Shanghai)")
    p.add_argument("--cron", default=None, help="schedule (default: 02:00 on the 10th day after each quarter ends, "
                                                "Asia/Shanghai)")
    p.add_argument("--continue-on-missing", action="store_true")

    p = sub.add_parser("review", help="the half year's on-site review (观摩评价): item means, ranking, assessor "
                                      "consistency")
    p.add_argument("half", type=arg.half_year, metavar="YYYYHn")
    dirs(p)
    reference(p)

    p = sub.add_parser("remind", help="the 催报单: a sheet per department with what is missing or must be fixed")
    p.add_argument("period", type=arg.period, metavar="PERIOD", help="a quarter YYYYQn or a month YYYY-MM")
    p.add_argument("--departments", type=Path, default=None,
                   help="the contacts file (default: the reference set's departments.csv, else "
                        "reference/departments.csv)")
    dirs(p)
    reference(p)

    p = sub.add_parser("explain", help="how each of a unit's points was earned or lost (a half year: its review)")
    p.add_argument("quarter", type=arg.quarter_or_half, metavar="QUARTER|YYYYHn")
    p.add_argument("unit", help="unit code or name, e.g. 410527 or 内黄县")
    p.add_argument("--json", action="store_true")
    dirs(p, raw=False)
    reference(p)  # whose registry knows the unit's names
    return parser


# the commands that run a flow: their temporary Prefect server is started before anything heavy is imported
FLOW_COMMANDS = {"run", "dispatch", "review", "annual", "demo"}


def main(argv: list[str] | None = None) -> int:
    _no_collection_at_exit()
    args = build_parser().parse_args(argv)
    blocked = _no_hypothesis()
    try:
        return _command(args, argv)
    finally:
        if blocked and sys.modules.get("hypothesis", 0) is None:
            del sys.modules["hypothesis"]  # main called in a process that may want it later (a test)


def _command(args, argv: list[str] | None) -> int:
    if args.command not in FLOW_COMMANDS:
        return _main(args, argv)
    from sbsk import temp_server
    from sbsk.runtime import configure_prefect, importing_without_collection, without_heartbeats

    _quiet_prefect()
    configure_prefect(args.out_dir)  # the server's environment is the command's, as when Prefect starts it
    temp_server.start()
    try:
        with importing_without_collection(), without_heartbeats():
            return _main(args, argv)
    except temp_server.ServerError as exc:  # it did not start: said in one line (not imported by other commands)
        print(f"sbsk: {exc}", file=sys.stderr)
        return 1
    finally:
        temp_server.stop()


@cache
def _no_collection_at_exit() -> None:
    """At exit the interpreter runs the cyclic garbage collector over every object still alive:
    Prefect, pydantic and pandas leave about a million, and that took 0.7 s of every command here
    (`sbsk run` against a running server: 5.2 s → 4.1 s median of five, docs/performance.md). Frozen
    objects are left out of it, and the operating system takes the memory back at once. Registered
    at the start of main, so it runs after the exit handlers the command's imports register (the
    sandbox children's, Prefect's: last in, first out); none of them minds either way. A process that
    calls main (a test) is frozen only on its way out, so its garbage meanwhile is collected as ever."""
    atexit.register(gc.freeze)


def _no_hypothesis() -> bool:
    """pandera imports hypothesis on its first validation whenever it is installed (it is, with the
    test extra that `make install` takes): ~0.35 s of every command that validates, for data
    synthesis no command does. A None entry makes that import fail, and pandera does without it
    (pandera.strategies.base_strategies catches the ImportError). Not done when something in this
    process imported hypothesis already (main called from a test). True when it was done."""
    if "hypothesis" in sys.modules:
        return False
    sys.modules["hypothesis"] = None
    return True


def _main(args, argv: list[str] | None) -> int:
    from sbsk.config.registry import RegistryError
    from sbsk.config.level import LevelError, OtherLevel
    from sbsk.store.replay import ReplayError
    from sbsk.config.rubric import RubricError
    from sbsk.config.departments import DepartmentsError
    from sbsk.config.workdays import CalendarError

    try:
        return COMMANDS[args.command](args)
    except (ReplayError, CalendarError, OtherLevel) as exc:
        print(f"sbsk: {exc}", file=sys.stderr)
        return 1
    except (RubricError, RegistryError, DepartmentsError, LevelError) as exc:
        print(f"sbsk: 配置错误（reference data）：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `sbsk status | head`
        return 0
    except Exception as exc:  # the machine failed, not the data: said with the command that recovers
        from sbsk.failures import explain

        command = "sbsk " + " ".join(sys.argv[1:] if argv is None else argv)
        message = explain(exc, getattr(args, "out_dir", Path("data/out")), command, getattr(args, "raw_dir", None))
        if message is None:
            raise
        print(f"sbsk: {message}", file=sys.stderr)
        return 1


def _quiet_prefect() -> None:
    """A run from the command line reports its own failure once: a known fault in words
    (sbsk.failures), anything else with its traceback. Prefect's log of the same failure would only
    repeat it, traceback and all (the operator may still ask for it: PREFECT_LOGGING_LEVEL=ERROR)."""
    import os

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")


def _same_level(args) -> None:
    """The warehouse under --out-dir holds this reference set's level (sbsk.pipeline.same_level), checked
    before a flow starts: its refusal is one line (OtherLevel), not a flow run's traceback."""
    from sbsk import pipeline

    pipeline.reference_registry(_ref(args), args.out_dir)


def _ref(args) -> str | None:
    """--reference DIR as the flows take it; a folder that is not a reference set is a usage error."""
    if args.reference is None:
        return None
    if not (args.reference / "units.csv").is_file():
        raise SystemExit(_usage(f"--reference {args.reference}：不是参考数据目录（应含 units.csv、unit_groups.csv、"
                                f"rubric-*.toml 和 level.toml）"))
    return str(args.reference)


def _ref_dir(args) -> Path | None:
    """--reference DIR (checked by _ref) for a command that reads the set in place, else None."""
    reference = _ref(args)
    return Path(reference) if reference else None


def _usage(message: str) -> int:
    print(f"sbsk: {message}", file=sys.stderr)
    return 2


def cmd_run(args) -> int:
    from sbsk.pipeline import quarter_folder_problem

    if not args.replay:  # every quarter asked for is checked before anything runs
        problems = [p for p in (quarter_folder_problem(args.raw_dir, q) for q in args.quarters) if p]
        if problems:
            for problem in problems:
                print(f"sbsk run: {problem}", file=sys.stderr)
            return 2
    _same_level(args)
    from sbsk.runtime import configure_prefect

    _quiet_prefect()
    configure_prefect(args.out_dir)
    from sbsk.flows.quarter import score_quarter
    from sbsk.flows.run_state import outcome_of
    from sbsk.store.warehouse import Busy
    from sbsk.runtime import ready_to_run

    ready_to_run()  # the temporary server started at the command's start, while the above was imported
    worst = 0
    for q in args.quarters:
        raw_dir = args.raw_dir
        if args.replay:
            from sbsk.store.replay import replay_folder

            raw_dir = replay_folder(args.out_dir, str(q), args.replay)
        try:
            outcome = outcome_of(score_quarter(str(q), str(raw_dir), str(args.out_dir), args.continue_on_missing,
                                               str(args.rubric) if args.rubric else None, _ref(args),
                                               return_state=True))
        except Busy as exc:
            print(f"sbsk: {exc}", file=sys.stderr)
            return 1
        for path in outcome["outputs"]:
            print(path)
        for line in outcome.get("draft", []):  # a published quarter: what publishing this run would change
            print(line)
        worst = max(worst, outcome["exit_code"])
    return worst


def cmd_dispatch(args) -> int:
    from sbsk.dispatch import month_folder_problem

    problem = month_folder_problem(args.raw_dir, args.month)
    if problem:
        print(f"sbsk dispatch: {problem}", file=sys.stderr)
        return 2
    return _run_period_flow("sbsk.flows.dispatch", "dispatch_month", str(args.month), args)


def _run_period_flow(module: str, name: str, period: str, args) -> int:
    """A one-period flow (a month's dispatch, a half year's review) from the command line: the files it
    wrote on stdout, its exit code; a busy warehouse is exit 1 with the message."""
    import importlib

    from sbsk.runtime import configure_prefect

    _same_level(args)
    _quiet_prefect()
    configure_prefect(args.out_dir)  # before Prefect is imported by the flow module
    from sbsk.flows.run_state import outcome_of
    from sbsk.store.warehouse import Busy

    flow = getattr(importlib.import_module(module), name)
    from sbsk.runtime import ready_to_run

    ready_to_run()
    try:
        reference = {"reference_dir": _ref(args)} if getattr(args, "reference", None) else {}  # --reference DIR
        outcome = outcome_of(flow(period, str(args.raw_dir), str(args.out_dir), return_state=True, **reference))
    except Busy as exc:
        print(f"sbsk: {exc}", file=sys.stderr)
        return 1
    for path in outcome["outputs"]:
        print(path)
    return outcome["exit_code"]


def cmd_annual(args) -> int:
    from sbsk.runtime import configure_prefect

    _same_level(args)
    _quiet_prefect()
    configure_prefect(args.out_dir)
    from sbsk.flows.annual import annual_composite
    from sbsk.flows.run_state import outcome_of
    from sbsk.runtime import ready_to_run

    ready_to_run()
    outcome = outcome_of(annual_composite(args.year, str(args.out_dir), str(args.rubric) if args.rubric else None,
                                          _ref(args), return_state=True))
    for path in outcome["outputs"]:
        print(path)
    return outcome["exit_code"]


def cmd_demo(args) -> int:
    from sbsk.demo import demo

    _quiet_prefect()  # before sbsk.demo configures Prefect and imports the flows
    return demo(args.raw_dir, args.out_dir, args.year)


def cmd_check(args) -> int:
    from sbsk.intake.check import check_paths
    from sbsk.text import printable

    reference = _ref(args)
    verdicts = check_paths(args.paths, args.year, args.raw_dir, args.out_dir, Path(reference) if reference else None)
    if args.json:
        print(json.dumps(verdicts, ensure_ascii=False, indent=2))
    else:
        for v in verdicts:
            head = f"{v['path']}: {v['return_code'] or '未识别'} 读取{v['rows_read']} 入库{v['rows_loaded']} " \
                   f"退回{v['rows_rejected']} 跳过{v['rows_skipped']}"
            print(printable(head))
            for err in v["errors"]:
                print(f"  - {printable(err['message'])}")
    return 1 if any(v["status"] == "rejected" or v["rows_rejected"] for v in verdicts) else 0


def cmd_templates(args) -> int:
    if isinstance(args.quarter, HalfYear):
        from sbsk.outputs.review_template import write_review_template

        print(write_review_template(str(args.quarter), args.out_dir, _ref_dir(args)))
        return 0
    from sbsk.outputs.peer_template import write_peer_template
    from sbsk.outputs.templates import write_templates

    for path in write_templates(str(args.quarter), args.out_dir, _ref_dir(args)):
        print(path)
    print(write_peer_template(args.quarter, args.out_dir))  # R13, the other cities' metrics (SPEC §10)
    return 0


def cmd_review(args) -> int:
    return _run_period_flow("sbsk.flows.review", "review_half_year", str(args.half), args)


def cmd_explain(args) -> int:
    if isinstance(args.quarter, HalfYear):
        from sbsk.outputs.review_explain import review_explain_command

        return review_explain_command(str(args.quarter), args.unit, args.out_dir, args.json, _ref_dir(args))
    from sbsk.outputs.explain import explain_command

    return explain_command(str(args.quarter), args.unit, args.out_dir, args.json, _ref_dir(args))


def cmd_serve(args) -> int:
    import os

    if not os.environ.get("PREFECT_API_URL"):
        print("sbsk serve: 未设置 PREFECT_API_URL；请指向 Prefect 服务器，例如 "
              "PREFECT_API_URL=http://127.0.0.1:4200/api（可用 prefect server start 启动）", file=sys.stderr)
        return 2
    from sbsk.runtime import configure_prefect

    configure_prefect(args.out_dir)
    from sbsk.flows.deployments import DEFAULT_CRON, DISPATCH_CRON, serve

    return serve(args.raw_dir, args.out_dir, args.cron or DEFAULT_CRON, args.continue_on_missing,
                 args.dispatch_cron or DISPATCH_CRON)


def cmd_status(args) -> int:
    if args.year is not None and not isinstance(args.year, (int, HalfYear)):
        from sbsk.outputs.submission_status import period_status_command

        return period_status_command(args.raw_dir, args.out_dir, args.year, args.json, _ref_dir(args))
    from sbsk.outputs.status import status_command

    if isinstance(args.year, HalfYear):
        return status_command(args.raw_dir, args.out_dir, None, args.json, str(args.year), _ref_dir(args))
    return status_command(args.raw_dir, args.out_dir, args.year, args.json, reference_dir=_ref_dir(args))


def cmd_remind(args) -> int:
    from sbsk import pipeline
    from sbsk.outputs.remind import remind_command

    return remind_command(args.raw_dir, args.out_dir, args.period, pipeline.reject_unit_overlaps, args.departments,
                          _ref_dir(args))


def cmd_forecast(args) -> int:
    from sbsk.outputs.forecast import forecast_command

    if args.province is not None and not (args.province / "level.toml").is_file():
        return _usage(f"--province {args.province}：不是省级参考数据目录（应含 units.csv、unit_groups.csv、"
                      f"rubric-*.toml 和含 home_unit 的 level.toml）")
    reference = Path(_ref(args)) if args.reference else None
    return forecast_command(args.period, args.out_dir, args.province, args.json, reference)


def cmd_publish(args) -> int:
    from sbsk.outputs.publication import publish_command

    return publish_command(str(args.quarter), args.out_dir, args.by, args.note, args.reason)


def cmd_diff(args) -> int:
    from sbsk.outputs.publication import diff_command

    return diff_command(str(args.quarter), args.out_dir, args.before, args.after)


COMMANDS = {"demo": cmd_demo, "run": cmd_run, "publish": cmd_publish, "diff": cmd_diff, "dispatch": cmd_dispatch, "forecast": cmd_forecast,
            "annual": cmd_annual, "check": cmd_check, "templates": cmd_templates, "explain": cmd_explain,
            "status": cmd_status, "remind": cmd_remind, "serve": cmd_serve,
            "review": cmd_review}

if __name__ == "__main__":
    sys.exit(main())
