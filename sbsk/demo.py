"""`sbsk demo` (SPEC §8): a sample year written into the raw folder and evaluated as the office would,
quarter by quarter and published, the reviews, the annual, two dispatches with their R13 sample and a
催报单; then each group's annual ranking and the forecast. A command like those in cli.py, kept apart
for its length."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from sbsk.config.periods import Month, Quarter

DEMO_PUBLISHER = "示例（sbsk demo）"


def demo(raw_dir: Path, out_dir: Path, year: int) -> int:
    from sbsk import pipeline
    from sbsk.config.workdays import CalendarError
    from sbsk.outputs.publication import publish_command
    from sbsk.outputs.remind import remind
    from sbsk.samples.demo import generate_year
    from sbsk.samples.receipts import date_sample_files
    from sbsk.runtime import configure_prefect

    configure_prefect(out_dir)
    from sbsk.flows.annual import annual_composite
    from sbsk.flows.dispatch import dispatch_month
    from sbsk.flows.quarter import score_quarter
    from sbsk.flows.run_state import outcome_of

    months = (7, 8)  # two months of a dispatch (月调度), scored after the quarters they carry assessments from
    paths = generate_year(raw_dir, year, months=months)
    date_sample_files(paths, raw_dir)  # when each department "sent" its returns (the 催报单's lateness)
    print(f"示例数据：{len(paths)} 个报表文件写入 {raw_dir}/", file=sys.stderr)
    from sbsk.runtime import ready_to_run

    ready_to_run()  # started by sbsk.cli.main while the above ran
    outputs = []
    for q in range(1, 5):
        outcome = outcome_of(score_quarter(f"{year}Q{q}", str(raw_dir), str(out_dir), False,
                                           return_state=True))
        if outcome["status"] == "failed":
            print(f"sbsk demo: {outcome['quarter']} failed: {outcome['message']}", file=sys.stderr)
            return 1
        outputs += outcome["outputs"]
        # as the office does once the validation report is read: the draft becomes version 1 (SPEC §12),
        # so the annual composes published versions and the issued documents carry no 草稿 mark
        with contextlib.redirect_stdout(sys.stderr):
            if publish_command(outcome["quarter"], out_dir, DEMO_PUBLISHER, None, None) != 0:
                return 1
    outputs += _demo_reviews(raw_dir, out_dir, year)
    outcome = outcome_of(annual_composite(year, str(out_dir), return_state=True))
    outputs += outcome["outputs"]
    from sbsk.samples.peers import write_peer_sample

    for m in months:  # each month's R13 全省对标数据 is drawn around the city's stored third quarter
        write_peer_sample(raw_dir, out_dir, Month(year, m), Quarter(year, 3))
        outcome = outcome_of(dispatch_month(f"{year}-{m:02d}", str(raw_dir), str(out_dir),
                                            return_state=True))
        outputs += outcome["outputs"]
    try:  # the 催报单 of the third quarter: what a newcomer would send the departments
        outputs.append(remind(raw_dir, out_dir, Quarter(year, 3), pipeline.reject_unit_overlaps)[0])
    except CalendarError as exc:
        print(f"sbsk demo: 未生成催报单：{exc}", file=sys.stderr)
    print("\n输出：")
    print(f"  数据库      {out_dir / 'sbsk.duckdb'}")
    for path in outputs:
        print(f"  {path}")
    _print_rankings(out_dir, year)
    _print_forecast(out_dir, Month(year, months[-1]))
    return 0


def _print_forecast(out_dir: Path, month: Month) -> None:
    """The forecast of the last dispatch's month (SPEC §10), as `sbsk forecast` says it."""
    from sbsk.outputs.forecast import make_forecast
    from sbsk.store.forecast import ForecastError

    try:
        result = make_forecast(out_dir, month)
    except ForecastError as exc:
        print(f"sbsk demo: 未预判全省排名：{exc}", file=sys.stderr)
        return
    print(f"\n全省排名预判（{month.chinese}，sbsk forecast {month}）：{result.home_name}{result.headline}")


def _demo_reviews(raw_dir, out_dir, year) -> list[str]:
    """The sample on-site reviews of both half years (SPEC §11), evaluated before the annual."""
    from sbsk.flows.review import review_half_year
    from sbsk.flows.run_state import outcome_of
    from sbsk.samples.review_demo import generate_reviews

    paths = generate_reviews(raw_dir, year)
    print(f"示例观摩评分：{len(paths)} 个文件写入 {raw_dir}/{year}H1/、{raw_dir}/{year}H2/", file=sys.stderr)
    outputs = []
    for h in (1, 2):
        run = review_half_year(f"{year}H{h}", str(raw_dir), str(out_dir), return_state=True)
        outputs += outcome_of(run)["outputs"]
    return outputs


def _print_rankings(out_dir: Path, year: int) -> None:
    """Each group's annual ranking, as the last lines of `sbsk demo`."""
    from sbsk.outputs.tongbao.facts import year_facts
    from sbsk.store.warehouse import read_only

    with read_only(out_dir) as con:
        facts = year_facts(con, year)
    print(f"\n{facts['period_name']}排名：")
    for g in facts["groups"]:
        print(f"  {g['label']}")
        for r in g["rows"]:
            reward = f"  {r['reward']}万元" if r["reward"] else ""
            print(f"    {r['rank']:>2}  {r['name']}  {r['total']}{reward}")
