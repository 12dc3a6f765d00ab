"""The submissions tables (SPEC §12) after real runs, against answers worked out by hand.

2020Q3 is due 2020-10-14 (5th working day after 09-30, past National Day 10-01 … 10-08, with the
Saturday 10-10 make-up day); 2020Q2 is due 2020-07-07 (07-01, 07-02, 07-03, 07-06, 07-07).
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from builders import baseline, write_quarter
from conftest import evaluate, query
from submission_cases import CST, at, touch, write_q2, write_q3
from sbsk import pipeline
from sbsk.store import publish
from sbsk.config.periods import Month, Quarter
from sbsk.config.rubric import load_rubric
from sbsk.intake.submissions import FileView, build_submissions, guess_return, returns_owed, state_of
from sbsk.intake.receipts import read_receipts
from sbsk.schemas import load_returns
from sbsk.store.submissions import store_submissions


def today_is(monkeypatch, day: date) -> None:
    """The day of the run (how overdue a 未报 return is); receipts still come from the files."""
    monkeypatch.setattr(publish, "beijing_now", lambda: datetime(day.year, day.month, day.day, 12, tzinfo=CST))


def test_each_state_receipt_and_lateness_of_a_run(dirs, monkeypatch):
    raw, out = dirs
    write_q3(raw)
    today_is(monkeypatch, date(2020, 10, 21))
    assert evaluate(raw, out, "2020Q3", continue_on_missing=True)["status"] == "provisional"
    got = query(out, "select department, return_code, state, strftime(received_at, '%Y-%m-%d %H:%M'), due_on, "
                     "working_days_late, rows_rejected, files from submissions where period = '2020Q3' "
                     "order by department, return_code")
    due = date(2020, 10, 14)
    assert got == sorted([
        ("fgw", "R01", "已入库", "2020-10-14 23:30", due, 0, 0, 1),
        ("fgw", "R06", "整表退回", "2020-10-15 00:10", due, 1, 0, 1),   # garbled, but its name says R06
        ("fgw", "R08", "已入库", "2020-10-20 10:00", due, 4, 0, 1),
        ("czj", "R07", "未报", None, due, 5, 0, 0),                     # 10-15, 16, 19, 20, 21 overdue so far
        ("tjj", "R04", "部分退回", "2020-10-16 10:00", due, 2, 1, 2),   # 补报 repeats 林州市: its row rejected
        ("swj", "R02", "已入库", "2020-10-14 09:00", due, 0, 0, 1),
        ("zwfw", "R09", "部分退回", "2020-10-09 15:00", due, 0, 1, 1),
        ("zdxmb", "R03", "已入库", "2020-10-14 09:00", due, 0, 0, 1),
        ("zdxmb", "R05", "已入库", "2020-10-14 09:00", due, 0, 0, 1),
        ("zdxmb", "R10", "已入库", "2020-10-14 09:00", due, 0, 0, 1),
        ("zdxmb", "R11", "已入库", "2020-10-14 09:00", due, 0, 0, 1),
    ])
    files = dict(query(out, "select path, coalesce(return_code, '-') || ' ' || status || ' ' || rows_rejected "
                            "from submission_files where period = '2020Q3'"))
    assert len(files) == 11                                              # R07 never came
    assert files["2020Q3/fgw/R06-central_budget.xlsx"] == "- rejected 0"   # the verdict, not the guess
    assert files["2020Q3/tjj/R04-补报.xlsx"] == "R04 rejected 1"
    assert files["2020Q3/tjj/R04-major_projects.xlsx"] == "R04 loaded 0"


def test_submission_quality_over_the_quarters_run(dirs, monkeypatch):
    raw, out = dirs
    write_q2(raw)
    write_q3(raw)
    today_is(monkeypatch, date(2020, 10, 21))
    evaluate(raw, out, "2020Q2", continue_on_missing=True)
    evaluate(raw, out, "2020Q3", continue_on_missing=True)
    got = query(out, "select department, returns_due, received, on_time, late, not_received, rejected_whole, "
                     "rows_rejected from submission_quality where year = 2020 order by department")
    assert got == sorted([
        # Q2 all on time; Q3 R01 on time, R06 (rejected whole) and R08 late
        ("fgw", 6, 6, 4, 2, 0, 1, 0),
        ("czj", 2, 0, 0, 0, 2, 0, 0),            # R07 sent neither quarter
        ("tjj", 2, 2, 1, 1, 0, 0, 1),            # Q3's 补报 after the due date, one row rejected
        ("swj", 2, 2, 1, 1, 0, 0, 0),            # Q2 a day late
        ("zwfw", 2, 2, 2, 0, 0, 0, 1),
        ("zdxmb", 8, 8, 8, 0, 0, 0, 0),
    ])
    # a month's submissions (月调度) repeat the quarter's snapshots: they are not counted again
    con = duckdb.connect(str(out / "sbsk.duckdb"))
    try:
        july = Month(2020, 7)
        subs = build_submissions(july, returns_owed(july, load_returns(), load_rubric()), [], date(2020, 8, 5),
                                 date(2020, 8, 10))
        store_submissions(con, july, subs, [], "r-july")
        assert con.execute("select count(*) from submissions where period = '2020-07'").fetchone() == (10,)
    finally:
        con.close()
    assert query(out, "select sum(returns_due), sum(not_received) from submission_quality") == [(22, 2)]
    # re-running a quarter replaces its rows and the year's counts, never adds to them
    evaluate(raw, out, "2020Q3", continue_on_missing=True)
    assert query(out, "select count(*) from submissions where period like '2020Q%'") == [(22,)]
    assert query(out, "select returns_due, on_time from submission_quality where department = 'fgw'") == [(6, 4)]


def test_a_failed_run_still_records_what_was_sent(dirs, monkeypatch):
    raw, out = dirs
    rows = baseline(day=date(2020, 11, 10))
    write_quarter(raw, "2020Q4", {"R01": rows["R01"], "R06": rows["R06"]})
    for path in (raw / "2020Q4").rglob("*.xlsx"):
        touch(path, at(2021, 1, 8, 17, 0))          # due 2021-01-08 (01-01 … 01-03 off; 01-04 … 01-08)
    today_is(monkeypatch, date(2021, 1, 12))
    assert evaluate(raw, out, "2020Q4")["status"] == "failed"             # nine returns missing
    got = dict(((d, c), (s, late)) for d, c, s, late in query(
        out, "select department, return_code, state, working_days_late from submissions where period = '2020Q4'"))
    assert got[("fgw", "R01")] == ("已入库", 0) and got[("fgw", "R06")] == ("已入库", 0)
    # 01-09 and 01-10 are a weekend: 01-11 and 01-12 overdue
    assert got[("czj", "R07")] == ("未报", 2) and len(got) == 11
    assert query(out, "select count(*) from quarter_results") == [(0,)]


def _view(rel, dept, code, status, rows=0):
    return FileView(rel, rel, dept, code, status, rows, at(2020, 10, 14, 9, 0))


def test_states():
    assert state_of([]) == "未报"
    assert state_of([_view("a", "fgw", "R01", None)]) == "已报"
    assert state_of([_view("a", "fgw", "R01", "loaded"), _view("b", "fgw", "R01", None)]) == "已报"
    assert state_of([_view("a", "fgw", "R01", "rejected"), _view("b", "fgw", "R01", "rejected")]) == "整表退回"
    assert state_of([_view("a", "fgw", "R01", "loaded"), _view("b", "fgw", "R01", "rejected")]) == "部分退回"
    assert state_of([_view("a", "fgw", "R01", "loaded", rows=3)]) == "部分退回"
    assert state_of([_view("a", "fgw", "R01", "loaded"), _view("b", "fgw", "R01", "loaded")]) == "已入库"


def test_lateness_of_what_was_not_sent_counts_to_today():
    q = Quarter(2020, 3)
    owed = [("czj", "R07"), ("fgw", "R01")]
    files = [_view("2020Q3/fgw/R01.xlsx", "fgw", "R01", "loaded")]
    for today, late in ((date(2020, 10, 14), 0), (date(2020, 10, 9), 0), (date(2020, 10, 19), 3)):
        subs = build_submissions(q, owed, files, date(2020, 10, 14), today)
        assert [(s.state, s.working_days_late) for s in subs] == [("未报", late), ("已入库", 0)]
    # beyond the calendar the lateness is unknown, not guessed
    subs = build_submissions(q, owed, files, date(2020, 10, 14), date(2027, 1, 4))
    assert subs[0].working_days_late is None and subs[1].working_days_late == 0


def test_what_is_owed():
    defs, rubric = load_returns(), load_rubric()
    quarter = returns_owed(Quarter(2020, 3), defs, rubric)
    assert quarter == [("fgw", "R01"), ("fgw", "R06"), ("fgw", "R08"), ("czj", "R07"), ("tjj", "R04"),
                       ("swj", "R02"), ("zwfw", "R09"), ("zdxmb", "R03"), ("zdxmb", "R05"), ("zdxmb", "R10"),
                       ("zdxmb", "R11")]
    # a month: R10 only feeds assessor parts, and is optional for a month (SPEC §9)
    assert returns_owed(Month(2020, 7), defs, rubric) == [dc for dc in quarter if dc != ("zdxmb", "R10")]


@pytest.mark.parametrize("rel, dept, expected", [
    ("2020Q3/czj/新建 XLSX 工作表.xlsx", "czj", "R07"),        # czj owns one return
    ("2020Q3/fgw/R08.xlsx", "fgw", "R08"),
    ("2020Q3/fgw/中央预算内投资项目表.xlsx", "fgw", "R06"),      # the title in the name
    ("2020Q3/fgw/program_982-v2.xlsx", "fgw", "R08"),
    ("2020Q3/fgw/新建 XLSX 工作表.xlsx", "fgw", None),          # fgw owns three: unclear
    ("2020Q3/fgw/R06与R08合并.xlsx", "fgw", None),              # two named: unclear
    ("2020Q3/fgw/R07.xlsx", "fgw", None),                       # not fgw's
    ("2020Q3/季度汇总.xlsx", None, None),
])
def test_guessing_which_return_a_file_is(rel, dept, expected):
    assert guess_return(rel, dept, load_returns()) == expected
    assert guess_return("2020Q3/fgw/新建 XLSX 工作表.xlsx", "fgw", load_returns(),
                        {"2020Q3/fgw/新建 XLSX 工作表.xlsx": "R01"}) == "R01"   # it was R01 last time


def test_a_run_records_receipts_as_soon_as_it_finds_the_files(dirs):
    raw, out = dirs
    write_quarter(raw, "2020Q3", {"R07": baseline()["R07"]})
    touch(raw / "2020Q3" / "czj" / "R07-special_bonds.xlsx", at(2020, 10, 13, 11, 0))
    pipeline.evaluate("2020Q3", raw, out, up_to="discover")     # a run that gets no further (killed, crashed)
    assert [(r.path, r.received_at, r.seen_by) for r in read_receipts(out).values()] == [
        ("2020Q3/czj/R07-special_bonds.xlsx", at(2020, 10, 13, 11, 0), "run")]
