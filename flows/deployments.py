"""Deployment definitions, apart from the flow code: what `sbsk serve` serves and when."""

from __future__ import annotations

from pathlib import Path

from prefect.schedules import Cron

DEPLOYMENT_NAME = "sbsk-quarter-end"
# 02:00 on the 10th day after each quarter ends (Apr 10, Jul 10, Oct 10, Jan 10), Beijing time.
DEFAULT_CRON = "0 2 10 1,4,7,10 *"
TIMEZONE = "Asia/Shanghai"


def serve(raw_dir: Path, out_dir: Path, cron: str = DEFAULT_CRON, continue_on_missing: bool = False) -> None:
    """Serve the quarter-end flow to the Prefect server named by PREFECT_API_URL (blocks)."""
    from sbsk.flows.quarter_end import quarter_end

    quarter_end.serve(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(cron, timezone=TIMEZONE)],
        parameters={"raw_dir": str(raw_dir.resolve()), "out_dir": str(out_dir.resolve()),
                    "continue_on_missing": continue_on_missing},
        description="四比四看：季度结束后评价刚结束的季度，第四季度后计算年度结果",
        limit=1,  # one quarter run at a time; a second waits its turn
    )
