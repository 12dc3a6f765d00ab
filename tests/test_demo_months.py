"""The demo's monthly returns (sbsk.samples.months): a quarter's snapshot as it stood at a month end,
worked out by hand."""

from __future__ import annotations

from datetime import date

from sbsk.config.periods import Month
from sbsk.samples.months import month_snapshot

JUL, AUG, SEP = Month(2020, 7), Month(2020, 8), Month(2020, 9)


def test_ytd_money_grows_evenly_through_the_quarter():
    q2, q3 = {"project_name": "p", "ytd_completed": 300}, {"project_name": "p", "ytd_completed": 600}
    # Q3's months: 300 + (600 − 300) × k/3 for k = 1, 2, 3
    assert [month_snapshot("R08", q3, q2, m)["ytd_completed"] for m in (JUL, AUG, SEP)] == [400, 500, 600]
    # a project first reported in Q3 starts the quarter from 0: August 600 × 2/3 = 400
    assert month_snapshot("R08", q3, None, AUG)["ytd_completed"] == 400
    # in Q1 from 0 too; 100 × 1/3 = 33.333… → 33.33
    assert month_snapshot("R06", {"paid": 100, "allocated": 200}, None, Month(2020, 1))["paid"] == 33.33


def test_rows_and_dates_after_the_month_end_are_not_there_yet():
    signed = {"signed_on": date(2020, 8, 20), "paid_in": 50}
    assert month_snapshot("R02", signed, None, JUL) is None          # signed after July
    assert month_snapshot("R02", signed, None, AUG)["paid_in"] == 33.33
    started = {"nature": "新开工", "started_on": date(2020, 8, 3), "completed_on": None, "ytd_completed": 90}
    july = month_snapshot("R04", started, None, JUL)
    assert (july["started_on"], july["ytd_completed"]) == (None, 0)  # not started in July: nothing invested
    reserve = {"listed_on": date(2020, 5, 1), "implemented": "是", "started_on": date(2020, 9, 1)}
    assert month_snapshot("R01", reserve, None, AUG) == {"listed_on": date(2020, 5, 1), "implemented": "否",
                                                         "started_on": None}
    item = {"due_on": date(2020, 12, 31), "accepted_on": date(2020, 8, 10), "completed_on": date(2020, 9, 2)}
    assert month_snapshot("R09", item, None, JUL) == {"due_on": date(2020, 12, 31), "accepted_on": None,
                                                      "completed_on": None}
    assert month_snapshot("R09", item, None, AUG)["completed_on"] is None
    assert month_snapshot("R10", {"indicator": "A1", "score": 2}, None, AUG) is None  # assessors score quarters


def test_a_months_demo_files_are_dated_by_the_months_due_date(tmp_path):
    from datetime import datetime

    from sbsk.intake.receipts import BEIJING
    from sbsk.samples.receipts import date_sample_files

    path = tmp_path / "2020-08" / "fgw" / "R01.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    date_sample_files([path], tmp_path)
    # a month's returns are due on the 3rd working day after its end: 08-31 is a Monday, so 09-01 (1),
    # 09-02 (2), 09-03 (3); fgw sends one working day early, on 09-02, at 16:30 Beijing time
    assert path.stat().st_mtime == datetime(2020, 9, 2, 16, 30, tzinfo=BEIJING).timestamp()
