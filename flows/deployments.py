"""Deployment definitions, apart from the flow code: what `sbsk serve` serves and when."""

from __future__ import annotations

from pathlib import Path

from prefect.schedules import Cron

DEPLOYMENT_NAME = "sbsk-quarter-end"
# 02:00 on the 10th day after each quarter ends (Apr 10, Jul 10, Oct 10, Jan 10), Beijing time.
DEFAULT_CRON = "0 2 10 1,4,7,10 *"
DISPATCH_DEPLOYMENT_NAME = "sbsk-month-end"
# 02:00 on the 5th of every month: the dispatch (月调度) of the month just ended (SPEC §9).
DISPATCH_CRON = "0 2 5 * *"
TIMEZONE = "Asia/Shanghai"


def serve(raw_dir: Path, out_dir: Path, cron: str = DEFAULT_CRON, continue_on_missing: bool = False,
          dispatch_cron: str = DISPATCH_CRON) -> None:
    """Serve the quarter-end and the month-end flows to the Prefect server named by PREFECT_API_URL
    (blocks). One run at a time: a second waits its turn."""
    from prefect import serve as serve_all

    from sbsk.flows.month_end import month_end
    from sbsk.flows.quarter_end import quarter_end

    folders = {"raw_dir": str(raw_dir.resolve()), "out_dir": str(out_dir.resolve())}
    serve_all(
        quarter_end.to_deployment(
            name=DEPLOYMENT_NAME, schedules=[Cron(cron, timezone=TIMEZONE)],
            parameters={**folders, "continue_on_missing": continue_on_missing},
            description="四比四看：季度结束后评价刚结束的季度，第四季度后计算年度结果"),
        month_end.to_deployment(
            name=DISPATCH_DEPLOYMENT_NAME, schedules=[Cron(dispatch_cron, timezone=TIMEZONE)], parameters=folders,
            description="四比四看：每月5日对刚结束的月份进行月调度（暂定计分、排名、预警）"),
        limit=1,
    )
