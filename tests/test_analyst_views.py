"""The analyst views (transforms/views/) on two hand-built quarters, with known answers.

Both quarters start from test_ranking's inert() data, where only A1 (the assessor's score, R10)
earns points, so every total is the unit's A1 score and every rank follows from it:

  2020Q1  county  林州 3, 安阳 2, 汤阴 1, 滑县 0.5, 内黄 0   → ranks 1 … 5
          district 文峰 2, 北关 1, 殷都 0.5, 龙安 0        → ranks 1 … 4
  2020Q2  county  内黄 3, 林州 2, 安阳 1, 汤阴 0.5, 滑县 0   → 内黄 5 → 1, the others one down
          district as in 2020Q1                              → no movement

2020Q2 also has: the R11 file sent by fgw instead of zdxmb (rejected whole, so R11 is missing and the
quarter is provisional), one bad R06 row (林州: paid 1500 above the 1000 allocated), and a 新开工 R04
project of 内黄 with nothing invested (开而未动). None of these changes a point: in inert() R11, R06
and C2 earn nothing, and C2's deduction is not taken below 0.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from builders import baseline, write_quarter
from conftest import evaluate, query
from sbsk.outputs.return_writer import write_plain
from sbsk.schemas import load_returns
from sbsk.store.warehouse import ensure_schema
from test_ranking import AY, BG, CODE, HX, LA, LZ, NH, TY, WF, YD, quarter_data

VIEWS = ["unit_quarter_ranks", "indicator_points", "department_submissions", "unit_flags"]
Q1_A1 = {LZ: 3, AY: 2, TY: 1, HX: 0.5, NH: 0, WF: 2, BG: 1, YD: 0.5, LA: 0}
Q2_A1 = {NH: 3, LZ: 2, AY: 1, TY: 0.5, HX: 0, WF: 2, BG: 1, YD: 0.5, LA: 0}
D = Decimal


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    root = tmp_path_factory.mktemp("views")
    raw, out = root / "raw", root / "out"
    write_quarter(raw, "2020Q1", quarter_data(a1=Q1_A1))
    assert evaluate(raw, out, "2020Q1")["status"] == "done"

    q2 = quarter_data(a1=Q2_A1)
    q2["R06"][0] = dict(unit=LZ, project_name="超付项目", allocated=1000, paid=1500)
    q2["R04"].append(dict(unit=NH, project_name="未动项目", project_code="2020-410527-47-03-990001",
                          total_investment=30000, nature="新开工", started_on=date(2020, 5, 10), annual_plan=100,
                          ytd_completed=0))
    r11 = q2.pop("R11")
    write_quarter(raw, "2020Q2", q2)
    write_plain(raw / "2020Q2" / "fgw" / "R11-policy_documents.xlsx", load_returns().returns["R11"], r11)
    assert evaluate(raw, out, "2020Q2", continue_on_missing=True)["status"] == "provisional"
    return out


def test_every_view_and_column_has_a_comment():
    con = duckdb.connect()
    ensure_schema(con, load_returns())
    views = dict(con.execute("select view_name, comment from duckdb_views() where not internal").fetchall())
    assert sorted(views) == sorted(VIEWS)
    for view in VIEWS:
        assert (views[view] or "").startswith("Analyst view: "), view
        cols = con.execute("select column_name, comment from duckdb_columns() where table_name = ?", [view]).fetchall()
        bare = [name for name, comment in cols if not (comment or "").strip()]
        assert cols and bare == [], f"{view}: columns without a comment: {bare}"
    con.close()


def test_rank_movement(out):
    rows = query(out, "select quarter, unit_code, total, group_rank, group_size, group_label, previous_quarter, "
                      "previous_total, previous_rank, rank_change, total_change, movement "
                      "from unit_quarter_ranks order by quarter, unit_group, group_rank")
    got = {(r[0], r[1]): r[2:] for r in rows}
    assert len(got) == 18
    # 2020Q1: nothing stored before it (2019Q4), so no movement
    assert got[("2020Q1", CODE[LZ])] == (D("3.00"), 1, 5, "县(市)组", None, None, None, None, None, None)
    assert got[("2020Q1", CODE[LA])] == (D("0.00"), 4, 4, "区组", None, None, None, None, None, None)
    county = [(CODE[u], D(t)) for u, t in ((NH, "3.00"), (LZ, "2.00"), (AY, "1.00"), (TY, "0.50"), (HX, "0.00"))]
    expected_q2 = {
        NH: (1, D("0.00"), 5, 4, D("3.00"), "进位"),
        LZ: (2, D("3.00"), 1, -1, D("-1.00"), "退位"),
        AY: (3, D("2.00"), 2, -1, D("-1.00"), "退位"),
        TY: (4, D("1.00"), 3, -1, D("-0.50"), "退位"),
        HX: (5, D("0.50"), 4, -1, D("-0.50"), "退位"),
    }
    for code, total in county:
        unit = next(u for u, c in CODE.items() if c == code)
        rank, prev_total, prev_rank, change, total_change, movement = expected_q2[unit]
        assert got[("2020Q2", code)] == (total, rank, 5, "县(市)组", "2020Q1", prev_total, prev_rank, change,
                                         total_change, movement), unit
    for unit, rank in ((WF, 1), (BG, 2), (YD, 3), (LA, 4)):
        r = got[("2020Q2", CODE[unit])]
        assert (r[1], r[4], r[6], r[7], r[8], r[9]) == (rank, "2020Q1", rank, 0, D("0.00"), "持平"), unit


def test_indicator_points_long_form(out):
    assert query(out, "select quarter, count(*) from indicator_points group by quarter order by 1") == \
        [("2020Q1", 180), ("2020Q2", 180)]  # 9 units × 20 indicators
    rows = query(out, "select unit_code, unit_name, category_name, category_max_points, indicator_name, points, "
                      "max_points, points_lost, score_rate, indicator_rank from indicator_points "
                      "where quarter = '2020Q2' and indicator_code = 'A1' and unit_group = 'county' order by unit_code")
    a1 = {r[0]: r[1:] for r in rows}
    name, cat = "项目谋划工作开展情况", "比谋划看储备"
    assert a1[CODE[NH]] == (NH, cat, D("30.00"), name, D("3.00"), D("3.00"), D("0.00"), D("1.0000"), 1)
    assert a1[CODE[LZ]] == (LZ, cat, D("30.00"), name, D("2.00"), D("3.00"), D("1.00"), D("0.6667"), 2)
    assert a1[CODE[TY]] == (TY, cat, D("30.00"), name, D("0.50"), D("3.00"), D("2.50"), D("0.1667"), 4)
    assert a1[CODE[HX]] == (HX, cat, D("30.00"), name, D("0.00"), D("3.00"), D("3.00"), D("0.0000"), 5)
    # the four categories' maxima of rubric 2020.1: 30, 15, 40, 15
    maxima = query(out, "select distinct category_code, category_max_points from indicator_points order by 1")
    assert maxima == [("A", D("30.00")), ("B", D("15.00")), ("C", D("40.00")), ("D", D("15.00"))]


def test_department_submissions(out):
    rows = query(out, "select department, department_name, return_code, owner, state, files, files_rejected, "
                      "rows_read, rows_loaded, rows_rejected, rows_skipped, rejected_whole_because "
                      "from department_submissions where quarter = '2020Q2' order by department, return_code")
    got = {(r[0], r[2]): r[1:2] + r[3:] for r in rows}
    assert len(got) == 12  # the 11 returns of their owners, and fgw's stray R11
    assert got[("fgw", "R06")] == ("市发展改革委", True, "部分退回", 1, 0, 9, 8, 1, 0, None)
    assert got[("zdxmb", "R11")] == ("市政府重点项目办", True, "未报", 0, 0, 0, 0, 0, 0, None)
    stray = got[("fgw", "R11")]
    assert stray[:6] == ("市发展改革委", False, "整表退回", 1, 1, 9)  # its 9 rows were read, none loaded
    assert "R11「政策措施文件」由市政府重点项目办负责报送，市发展改革委无权报送此表" in stray[-1]
    assert got[("tjj", "R04")] == ("市统计局", True, "已入库", 1, 0, 10, 10, 0, 0, None)  # 9 + 内黄's new start
    loaded = {k for k, v in got.items() if v[2] == "已入库"}
    assert loaded == {(d, r) for d, r in got if (d, r) not in {("fgw", "R06"), ("zdxmb", "R11"), ("fgw", "R11")}}
    assert len(loaded) == 9
    q1 = query(out, "select state, count(*), bool_and(owner) from department_submissions where quarter = '2020Q1' "
                    "group by state")
    assert q1 == [("已入库", 11, True)]


def test_the_view_and_the_submissions_table_agree_on_each_state(out):
    """The state rules stand twice, in the view's SQL and in sbsk/intake/submissions.py (state_of, for the
    table every run writes): on a published quarter they must name the same state for every owned return."""
    rows = query(out, "select d.quarter, d.department, d.return_code, d.state, s.state from department_submissions d "
                      "join submissions s on s.period = d.quarter and s.department = d.department "
                      "and s.return_code = d.return_code where d.owner order by all")
    assert len(rows) == 22                                         # 11 owned returns in each of two quarters
    assert [r for r in rows if r[3] != r[4]] == []
    assert {r[3] for r in rows} == {"已入库", "部分退回", "未报"}


def test_a_return_rejected_whole_is_the_same_state_in_the_view_and_the_table(dirs):
    """An unreadable file is no verdict (return_code null); its name says R04, which the view counts it
    under through source_files.guessed_return_code, as table submissions does (guess_return)."""
    raw, out = dirs
    data = baseline()
    del data["R04"]
    write_quarter(raw, "2020Q3", data)
    owner = load_returns().returns["R04"].owner
    (raw / "2020Q3" / owner).mkdir(exist_ok=True)
    (raw / "2020Q3" / owner / "R04-坏文件.xlsx").write_text("not a workbook", encoding="utf-8")
    assert evaluate(raw, out, "2020Q3", continue_on_missing=True)["status"] == "provisional"
    sql = "select {}.state from {} where {} = '2020Q3' and department = ? and return_code = 'R04'"
    assert query(out, sql.format("d", "department_submissions d", "quarter"), [owner]) == [("整表退回",)]
    assert query(out, sql.format("s", "submissions s", "period"), [owner]) == [("整表退回",)]
    assert query(out, "select return_code, guessed_return_code from source_files where quarter = '2020Q3' "
                      "and path like '%坏文件%'") == [(None, "R04")]
    # no stray row with a null return: the file is counted once, under R04, with why it was rejected
    assert query(out, "select count(*) from department_submissions where quarter = '2020Q3' and return_code is null"
                 ) == [(0,)]
    reason = query(out, "select rejected_whole_because from department_submissions where quarter = '2020Q3' "
                        "and return_code = 'R04'")[0][0]
    assert reason is not None and "R04-坏文件.xlsx" in reason


def test_unit_flags(out):
    rows = query(out, "select unit_code, flag_label, flag_count, return_codes, details from unit_flags "
                      "where quarter = '2020Q2' and flag in ('suspect_start', 'missing_return') order by flag")
    assert rows[0][:4] == (None, "报表缺报", 1, "R11")
    assert rows[1][:4] == (CODE[NH], "开而未动", 1, "R04")
    assert "未动项目" in rows[1][4]
    assert len(rows) == 2
    assert query(out, "select count(*) from unit_flags where quarter = '2020Q1' and flag = 'suspect_start'") == [(0,)]
    # every flag is counted once: the view adds up to the table it reads
    assert query(out, "select sum(flag_count) from unit_flags where quarter = '2020Q2'") == \
        query(out, "select count(*) from data_flags where quarter = '2020Q2'")


def test_streaks_stored_by_the_pipeline(out):
    # county: 林州 first in Q1 only, 内黄 last in Q1 and first in Q2, 滑县 last in Q2;
    # district: the same order both quarters, so 文峰 first twice and 龙安 last twice
    rows = query(out, "select quarter, unit_code, rank_change, streak_first, streak_last from quarter_results")
    got = {(q, u): (c, f, l) for q, u, c, f, l in rows}
    assert got[("2020Q1", CODE[LZ])] == (None, 1, 0)
    assert got[("2020Q1", CODE[NH])] == (None, 0, 1)
    assert got[("2020Q2", CODE[NH])] == (4, 1, 0)
    assert got[("2020Q2", CODE[HX])] == (-1, 0, 1)
    assert got[("2020Q2", CODE[LZ])] == (-1, 0, 0)
    assert got[("2020Q2", CODE[WF])] == (0, 2, 0)
    assert got[("2020Q2", CODE[LA])] == (0, 0, 2)
