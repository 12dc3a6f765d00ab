"""Monthly returns for the demo's dispatch (月调度, SPEC §9), derived from the modelled year's quarter
snapshots: a month's return is the snapshot of the quarter holding it, as it stood at the month end.

- A row dated after the month end (listed, signed, held, issued) is not there yet.
- A date after the month end that a row may lack (started, completed, accepted) is still empty; a
  project not started yet has invested nothing, an R01 entry not started is not implemented.
- Year-to-date money grows evenly through the quarter, from the previous quarter's value (0 before
  the first quarter) to the quarter's: at the end of its k-th month, prev + (value − prev) × k / 3,
  so it never goes down from one month to the next.
- No R10: the assessors score quarters; a dispatch carries their latest scores.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from sbsk.config.periods import Month
from sbsk.outputs.return_writer import write_plain
from sbsk.schemas import load_returns

# the date that makes a row exist: after the month end, the row is not in the month's return
EXISTS_FROM = {"R01": "listed_on", "R02": "signed_on", "R03": "event_on", "R11": "issued_on"}
# dates a row may still lack at the month end, each with what else is undone with it
NOT_YET = {"started_on": {"implemented": "否", "ytd_completed": 0}, "completed_on": {}, "accepted_on": {"completed_on": None}}
YTD_MONEY = {"R02": "paid_in", "R04": "ytd_completed", "R05": "ytd_completed", "R06": "paid", "R07": "spent",
             "R08": "ytd_completed"}
SKIPPED = {"R10"}


def month_snapshot(code: str, row: dict | None, before: dict | None, month: Month) -> dict | None:
    """One row of return `code` at the month end, from its quarter's snapshot `row` and the previous
    quarter's `before` (None: not reported then)."""
    if row is None or code in SKIPPED:
        return None
    end = month.end
    exists = EXISTS_FROM.get(code)
    if exists and _after(row.get(exists), end):
        return None
    out = dict(row)
    money = YTD_MONEY.get(code)
    if money and out.get(money) is not None:
        start = Decimal(str((before or {}).get(money) or 0))
        k = month.m - 3 * (month.quarter.q - 1)
        grown = start + (Decimal(str(out[money])) - start) * k / 3
        out[money] = float(max(start, grown).quantize(Decimal("0.01"), ROUND_HALF_UP))
    for field in ("completed_on", "accepted_on", "started_on"):  # the later dates first
        if _after(out.get(field), end):
            out[field] = None
            for other, value in NOT_YET[field].items():
                if other in out:
                    out[other] = value
    return out


def write_months(raw_dir: Path, year: int, months: tuple[int, ...], plan: dict[str, list]) -> list[Path]:
    """Write the returns of each month under raw_dir/<YYYY-MM>/<dept>/; `plan` maps a return code to
    (unit, snapshots at Q1..Q4) pairs, as the demo's year models them."""
    defs = load_returns()
    paths = []
    for m in months:
        month = Month(year, m)
        q = month.quarter.q
        for code, ret in defs.returns.items():
            if code in SKIPPED or code not in plan:
                continue
            rows = []
            for unit, snaps in plan[code]:
                row = month_snapshot(code, snaps[q - 1], snaps[q - 2] if q > 1 else None, month)
                if row is not None:
                    rows.append({**row, "unit": unit.name})
            path = Path(raw_dir) / str(month) / ret.owner / f"{code}-{ret.table}.xlsx"
            paths.append(write_plain(path, ret, rows, title=f"{month.chinese} {ret.title}"))
    return paths


def _after(value, end: date) -> bool:
    return isinstance(value, date) and value > end
