"""A quarter's raw folder with every submission state, the receipt times set by hand (Beijing time).

2020Q3 is due 2020-10-14 (the 5th working day after 09-30: 10-09, Sat 10-10, 10-12, 10-13, 10-14);
2020Q2 is due 2020-07-07.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from builders import baseline, write_quarter

CST = timezone(timedelta(hours=8))


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


def touch(path: Path, moment: datetime) -> None:
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def write_q3(raw: Path) -> None:
    rows = baseline()
    del rows["R07"]                                                      # czj sends nothing: 未报
    rows["R09"][1]["completed_on"] = date(2020, 6, 20)                   # before its acceptance: one row rejected
    write_quarter(raw, "2020Q3", rows)
    q3 = raw / "2020Q3"
    (q3 / "fgw" / "R06-central_budget.xlsx").write_bytes(b"not a spreadsheet")   # rejected whole
    extra = baseline()["R04"][:1]                                        # 林州市 again, in a second file
    write_quarter(raw, "2020Q3", {"R04": extra})
    (q3 / "tjj" / "R04-major_projects.xlsx").rename(q3 / "tjj" / "R04-补报.xlsx")
    write_quarter(raw, "2020Q3", {"R04": baseline()["R04"]})
    for path in q3.rglob("*.xlsx"):
        touch(path, at(2020, 10, 14, 9, 0))
    touch(q3 / "fgw" / "R01-project_reserve.xlsx", at(2020, 10, 14, 23, 30))   # late evening of the due day
    touch(q3 / "fgw" / "R06-central_budget.xlsx", datetime(2020, 10, 14, 16, 10, tzinfo=timezone.utc))  # 10-15 00:10
    touch(q3 / "fgw" / "R08-program_982.xlsx", at(2020, 10, 20, 10, 0))       # 10-15, 16, 19, 20: 4
    touch(q3 / "tjj" / "R04-major_projects.xlsx", at(2020, 10, 12, 10, 0))
    touch(q3 / "tjj" / "R04-补报.xlsx", at(2020, 10, 16, 10, 0))              # the return's last file: 2 late
    touch(q3 / "zwfw" / "R09-joint_approvals.xlsx", at(2020, 10, 9, 15, 0))


def write_q2(raw: Path) -> None:
    rows = baseline(day=date(2020, 5, 10))
    del rows["R07"]
    write_quarter(raw, "2020Q2", rows)
    for path in (raw / "2020Q2").rglob("*.xlsx"):
        touch(path, at(2020, 7, 7, 18, 0))
    touch(raw / "2020Q2" / "swj" / "R02-investment_attraction.xlsx", at(2020, 7, 8, 9, 0))   # 1 late
