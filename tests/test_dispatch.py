"""The monthly dispatch (月调度, SPEC §9), with known answers worked out by hand.

Each month starts from `inert()` (nothing scores) and steers a few indicators. Monthly time
progress t(m) = m/12: June 1/2, July 7/12, August 2/3. C1's window for July and August is
[07-01, month end]. Warning thresholds: progress amber at r/t ≥ 0.9, relative red below 0.5 and
amber below 0.8, threshold red at 0 points.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import query
from dispatch_answers import (AY, BG, CODE, HX, LA, LZ, NH, TY, WF, YD, inert, r02, r03, r06, run_dispatch,
                              run_quarter, scores, warnings)

D = date
dec = Decimal


def _points(out, month, indicator):
    return {unit: p for unit, (p, _) in scores(out, month, indicator).items()}


# ---- time progress ----

def test_monthly_time_progress_and_a_constant_target(dirs):
    data = inert()
    data["R06"] = [r06(LZ, 1200, 700), r06(AY, 100, 50), r06(TY, 100, 30)] + [
        r06(u, 100, 0) for u in (HX, NH, WF, BG, YD, LA)]
    data["R09"] = [
        # due 07-10, done 07-09 (accepted 07-01: 6 working days); due 07-20, not done
        dict(unit=LZ, project_name="审批A", item_name="施工许可", due_on=D(2020, 7, 10), accepted_on=D(2020, 7, 1),
             completed_on=D(2020, 7, 9)),
        dict(unit=LZ, project_name="审批B", item_name="施工许可", due_on=D(2020, 7, 20), accepted_on=D(2020, 7, 2)),
    ] + [r for r in data["R09"] if r["unit"] != LZ]
    out = dirs[1]
    for month in ("2020-06", "2020-07", "2020-08"):
        run_dispatch(dirs, month, data)
    # June t = 1/2: LZ r = 700/1200 ≥ 1/2 → 5; AY 0.5/0.5 → 5; TY 5 × 0.3 / 0.5 = 3
    assert [_points(out, "2020-06", "C6")[u] for u in (LZ, AY, TY)] == [dec("5.00"), dec("5.00"), dec("3.00")]
    # July t = 7/12: LZ r = 7/12 exactly → 5; AY 5 × 0.5 × 12/7 = 30/7 = 4.2857 → 4.29; TY 18/7 = 2.5714 → 2.57
    assert [_points(out, "2020-07", "C6")[u] for u in (LZ, AY, TY)] == [dec("5.00"), dec("4.29"), dec("2.57")]
    # August t = 2/3: LZ 5 × (7/12) × 3/2 = 35/8 = 4.375 → 4.38 (half up); AY 5 × 0.5 × 1.5 = 3.75; TY 2.25
    assert [_points(out, "2020-08", "C6")[u] for u in (LZ, AY, TY)] == [dec("4.38"), dec("3.75"), dec("2.25")]
    (basis,), = query(out, "select distinct basis_1 from dispatch_scores where month = '2020-07' and indicator_code = 'C6'")
    assert abs(basis - 7 / 12) < 1e-15
    # D3 keeps its constant target 1 in a month: part 1, 1 of 2 due items done → 7 × 1/2 = 3.5 (against
    # 7/12 it would be 6); part 2, the one item done took 6 working days ≤ 50 → 3; D3 = 6.50
    assert _points(out, "2020-07", "D3")[LZ] == dec("6.50")


# ---- C1's window ----

def test_c1_counts_events_from_the_quarter_start_to_the_month_end(dirs):
    data = inert()
    data["R03"] = [
        r03(LZ, D(2020, 6, 30), 900), r03(LZ, D(2020, 7, 15), 300), r03(LZ, D(2020, 8, 20), 200),
        r03(AY, D(2020, 8, 31), 1000), r03(TY, D(2020, 6, 30), 800),
    ] + [r for r in data["R03"] if r["unit"] not in (LZ, AY, TY)]
    out = dirs[1]
    run_dispatch(dirs, "2020-07", data)
    run_dispatch(dirs, "2020-08", data)
    # July window [07-01, 07-31]: LZ has the 07-15 event (300); AY's 08-31 is after the month end, the
    # 06-30 events are before the quarter start. LZ 3 + 2 × 300/300 = 5; the rest 0.
    july = _points(out, "2020-07", "C1")
    assert [july[u] for u in (LZ, AY, TY, HX)] == [dec("5.00"), dec("0.00"), dec("0.00"), dec("0.00")]
    # August window [07-01, 08-31]: LZ 07-15 + 08-20 = 2 events, 500; AY 08-31 (the last day counts), 1000.
    # LZ 3 + 2 × 500/1000 = 4; AY 3 + 2 = 5; TY's only event was in June: 0.
    aug = _points(out, "2020-08", "C1")
    assert [aug[u] for u in (LZ, AY, TY, HX)] == [dec("4.00"), dec("5.00"), dec("0.00"), dec("0.00")]
    # warnings in August. Part 1 (threshold): no event → red, ratio 0. Part 2 (relative): LZ 500/1000 =
    # 0.5 exactly is not below relative_red: amber; TY 0/1000 red; AY leads: none.
    assert warnings(out, "2020-08", "C1", 1) == {u: ("red", 0.0, None) for u in (TY, HX, NH, WF, BG, YD, LA)}
    part2 = warnings(out, "2020-08", "C1", 2)
    assert part2[LZ] == ("amber", 0.5, None)
    assert part2[TY] == ("red", 0.0, None)
    assert AY not in part2
    # a group where nobody held an event: the maximum is 0, every unit 0 points, ratio 0: red
    assert {part2[u] for u in (WF, BG, YD, LA)} == {("red", 0.0, None)}


# ---- warnings at their boundaries ----

def test_progress_warnings_at_their_boundaries(dirs):
    data = inert()
    # July, t = 7/12; C6 share 5; gap = 7/12 × allocated − paid
    data["R06"] = [
        r06(LZ, 1200, 700),      # r = 7/12, r/t = 1 exactly: no warning
        r06(AY, 1200, 630),      # r/t = 630/700 = 0.9 exactly: amber; gap 700 − 630 = 70.00
        r06(TY, 1200, 629.99),   # r/t = 0.899986 < 0.9: red; gap 70.01
        r06(HX, 1200, 699.99),   # r/t = 0.999986 < 1: amber; gap 0.01
        # 内黄县 has no central-budget project: no denominator, no ratio, no warning
        r06(WF, 100, 100),       # r/t = 12/7 > 1: none
        r06(BG, 100, 0), r06(YD, 100, 0), r06(LA, 100, 0),  # 0: red; gap 7/12 × 100 = 58.333… → 58.34 (rounded up)
    ]
    out = dirs[1]
    run_dispatch(dirs, "2020-07", data)
    got = warnings(out, "2020-07", "C6")
    assert set(got) == {AY, TY, HX, BG, YD, LA}
    assert got[AY][:1] == ("amber",) and got[AY][1] == 0.9 and got[AY][2] == dec("70.00")
    assert got[TY][0] == "red" and abs(got[TY][1] - 629.99 / 700) < 1e-12 and got[TY][2] == dec("70.01")
    assert got[HX][0] == "amber" and got[HX][2] == dec("0.01")
    assert got[BG] == ("red", 0.0, dec("58.34"))
    assert "no_base" in scores(out, "2020-07", "C6")[NH][1]
    # C6 points: AY 5 × 0.9 = 4.50; TY 5 × 629.99/700 = 4.49993 → 4.50; HX 4.99993 → 5.00
    assert [_points(out, "2020-07", "C6")[u] for u in (AY, TY, HX)] == [dec("4.50"), dec("4.50"), dec("5.00")]
    (detail,), = query(out, "select detail from dispatch_warnings where month = '2020-07' and indicator_code = 'C6' "
                            "and unit_code = ?", [CODE[TY]])
    # in words: the level, the indicator, r and t, how far behind, and the money that closes the gap
    assert detail == ("红灯｜C6 中央预算内投资项目完成情况：支付率52.50%，序时进度58.33%，落后5.83个百分点；"
                      "已支付资金还需增加70.01万元方可达到序时进度")


def test_relative_warnings_at_their_boundaries_and_before_c2s_deduction(dirs):
    data = inert()
    # B1 = 3 × paid_in (省外) / the group maximum. County group maximum 3 (林州市).
    data["R02"] += [
        r02(LZ, 3),       # ratio 1: none
        r02(AY, 2.4),     # 2.4/3 = 0.8 exactly (in binary floats 0.7999999999999999): not below 0.8, none
        r02(TY, 2.39),    # 0.79667: amber
        r02(HX, 1.5),     # 0.5 exactly: not below 0.5, amber
        r02(NH, 1.49),    # 0.49667: red
    ] + [r02(u, 10) for u in (WF, BG, YD, LA)]   # district: all level, none
    # C2: LZ and AY each started two 新开工 projects (20000 each) in July; AY also reports three started
    # with nothing invested (开而未动): excluded from the count and −0.5 each. Both parts: AY 2/2 and
    # 40000/40000 = ratio 1, so no warning, although C2 = 5 − 1.5 = 3.50.
    n = iter(range(1, 100))

    def start(unit, ytd):
        return dict(unit=unit, project_name=f"新开工{next(n)}", project_code=f"2020-410500-47-03-{next(n):06d}",
                    total_investment=20000, nature="新开工", started_on=D(2020, 7, 1), annual_plan=1000,
                    ytd_completed=ytd)
    data["R04"] = [start(LZ, 100), start(LZ, 100), start(AY, 100), start(AY, 100),
                   start(AY, 0), start(AY, 0), start(AY, 0)] + [r for r in data["R04"] if r["unit"] not in (LZ, AY)]
    out = dirs[1]
    run_dispatch(dirs, "2020-07", data)
    b1 = warnings(out, "2020-07", "B1")
    assert set(b1) == {TY, HX, NH}
    assert b1[TY][0] == "amber" and abs(b1[TY][1] - 2.39 / 3) < 1e-12
    assert b1[HX] == ("amber", 0.5, None)
    assert b1[NH][0] == "red" and abs(b1[NH][1] - 1.49 / 3) < 1e-12
    assert _points(out, "2020-07", "C2")[AY] == dec("3.50")
    for part in (1, 2):
        c2 = warnings(out, "2020-07", "C2", part)
        assert LZ not in c2 and AY not in c2
        assert c2[TY] == ("red", 0.0, None)
    (detail,), = query(out, "select detail from dispatch_warnings where month = '2020-07' and indicator_code = 'B1' "
                            "and unit_code = ?", [CODE[NH]])
    assert detail == "红灯｜B1 吸引省外、境外资金情况：到位资金1.49万元，组内最高为林州市3.00万元，仅为其49.67%（低于50.00%）"


# ---- carried assessments ----

def _assessed(scores_by_unit: dict[str, float]) -> dict:
    data = inert()
    data["R10"] = [dict(unit=u, indicator="A1", score=s) for u, s in scores_by_unit.items()]
    return data


def test_carried_assessments_and_the_rerun_after_q3(dirs):
    out = dirs[1]
    run_quarter(dirs, "2020Q1", _assessed({TY: 3}))
    run_quarter(dirs, "2020Q2", _assessed({LZ: 2.5, AY: 1}))
    july = _assessed({HX: 1.5})
    run_dispatch(dirs, "2020-07", july)
    expected_july = {
        LZ: (dec("2.50"), {"carried_assessment"}),     # from 2020Q2
        AY: (dec("1.00"), {"carried_assessment"}),
        HX: (dec("1.50"), set()),                      # July's own score
        TY: (dec("0.00"), {"missing_assessment"}),     # Q2, the latest quarter, did not assess it either
        NH: (dec("0.00"), {"missing_assessment"}),
    }
    got = scores(out, "2020-07", "A1")
    assert {u: got[u] for u in expected_july} == expected_july
    (detail,), = query(out, "select detail from data_flags where quarter = '2020-07' and flag = 'carried_assessment' "
                            "and unit_code = ?", [CODE[LZ]])
    assert detail == "指标A1：本月无专班评分，沿用2020年第二季度的评分2.50分"

    run_quarter(dirs, "2020Q3", _assessed({LZ: 0.5, AY: 2, TY: 1}))
    # September: R10 not sent at all (optional for a month, no missing_return); Q3 ends on 09-30, the
    # month end: LZ 0.50, AY 2.00, TY 1.00 carried from Q3; HX was not assessed in Q3
    run_dispatch(dirs, "2020-09", inert(), drop=("R10",))
    got = scores(out, "2020-09", "A1")
    assert [got[u] for u in (LZ, AY, TY)] == [(dec("0.50"), {"carried_assessment"}), (dec("2.00"), {"carried_assessment"}),
                                              (dec("1.00"), {"carried_assessment"})]
    assert got[HX] == (dec("0.00"), {"missing_assessment"})
    assert query(out, "select count(*) from data_flags where quarter = '2020-09' and flag = 'missing_return'") == [(0,)]
    # re-running July after Q3 is stored still gives July's answer: Q3 ends after 07-31
    run_dispatch(dirs, "2020-07", july)
    got = scores(out, "2020-07", "A1")
    assert {u: got[u] for u in expected_july} == expected_july


# ---- ranking and movement ----

def _c6(paid: dict[str, float]) -> dict:
    """inert() with C6 steered: every unit's one project (the same name every month) allocated 100."""
    data = inert()
    data["R06"] = [r06(u, 100, paid.get(u, 0), name=f"中央-{u}") for u in (LZ, AY, TY, HX, NH, WF, BG, YD, LA)]
    return data


def test_rank_change_against_the_month_before(dirs):
    out = dirs[1]
    run_quarter(dirs, "2020Q2", inert())
    before = query(out, "select * from quarter_results order by all")
    # Only C6 scores. July t = 7/12: LZ 100 → 5; AY 50 → 30/7 = 4.29; TY 40 → 24/7 = 3.43; HX 30 → 2.57;
    # NH 20 → 12/7 = 1.71. Ranks 1 … 5; the district group is level at 0, all first.
    run_dispatch(dirs, "2020-07", _c6({LZ: 100, AY: 50, TY: 40, HX: 30, NH: 20}))
    # August t = 2/3: LZ 20 → 5 × 0.2 × 1.5 = 1.50; AY 100 → 5; TY 40 → 3; HX 60 → 4.50; NH 20 → 1.50.
    # Ranks AY 1, HX 2, TY 3, LZ and NH 4 (tied, the better rank).
    run_dispatch(dirs, "2020-08", _c6({LZ: 20, AY: 100, TY: 40, HX: 60, NH: 20}))
    rows = query(out, "select unit_code, total, group_rank, rank_change, status from dispatch_results "
                      "where month = ? order by unit_code", ["2020-07"])
    july = {code: rest for code, *rest in rows}
    assert july[CODE[LZ]] == [dec("5.00"), 1, None, "provisional"]      # no June dispatch: null
    assert july[CODE[NH]] == [dec("1.71"), 5, None, "provisional"]
    rows = query(out, "select unit_code, total, group_rank, rank_change from dispatch_results where month = '2020-08'")
    aug = {code: tuple(rest) for code, *rest in rows}
    # rank_change = July's rank − August's
    assert aug[CODE[LZ]] == (dec("1.50"), 4, 1 - 4)
    assert aug[CODE[AY]] == (dec("5.00"), 1, 2 - 1)
    assert aug[CODE[TY]] == (dec("3.00"), 3, 0)
    assert aug[CODE[HX]] == (dec("4.50"), 2, 4 - 2)
    assert aug[CODE[NH]] == (dec("1.50"), 4, 5 - 4)
    assert {aug[CODE[u]] for u in (WF, BG, YD, LA)} == {(dec("0.00"), 1, 0)}
    # LZ's YTD payment went from 100 to 20: cumulative_decrease against the previous month
    (detail,), = query(out, "select detail from data_flags where quarter = '2020-08' and flag = 'cumulative_decrease'")
    assert detail == "项目「中央-林州市」已支付资金为20.0万元，低于上月的100.0万元"
    # October, with no September dispatch: no movement to report
    run_dispatch(dirs, "2020-10", _c6({}))
    assert query(out, "select distinct rank_change from dispatch_results where month = '2020-10'") == [(None,)]
    # the quarter tables are untouched by the months
    assert query(out, "select * from quarter_results order by all") == before
    assert query(out, "select count(*) from indicator_scores where quarter not like '____Q_'") == [(0,)]


def test_a_missing_return_never_fails_a_dispatch(dirs):
    out = dirs[1]
    state = run_dispatch(dirs, "2020-07", inert(), drop=("R02", "R06", "R10"))
    assert state["status"] == "provisional" and state["missing"] == ["R02", "R06"]   # R10 is optional for a month
    for indicator in ("B1", "C6"):
        assert {p for p, f in scores(out, "2020-07", indicator).values()} == {dec("0.00")}
        assert {frozenset(f) for p, f in scores(out, "2020-07", indicator).values()} == {frozenset({"missing_return"})}
    assert query(out, "select return_code from data_flags where quarter = '2020-07' and flag = 'missing_return' "
                      "order by 1") == [("R02",), ("R06",)]
    # nothing was sent to judge B1 (relative: every unit 0 of a maximum 0 would be red) or C6 by: no warning
    assert warnings(out, "2020-07", "B1") == {} and warnings(out, "2020-07", "C6") == {}
    assert query(out, "select kind, quarter, status from pipeline_runs") == [("dispatch", "2020-07", "provisional")]


def test_a_month_records_what_each_department_sent_and_refuses_the_review_form(dirs):
    from review_builders import scores as review_scores, write_review

    from builders import write_quarter
    from sbsk.dispatch import evaluate_dispatch

    raw, out = dirs
    write_review(raw, "2020-07", [review_scores(LZ, "甲", 20)])   # R12 is half-yearly: not a month's return
    write_quarter(raw, "2020-07", {c: rows for c, rows in inert().items() if c not in ("R06", "R10")})
    state = evaluate_dispatch("2020-07", raw, out, up_to="publish")
    (r12,) = [r for r in state["results"] if r.return_code == "R12"]
    assert r12.status == "rejected"
    assert "每半年报送一次，不属于月调度报表，请放入 2020H1 或 2020H2 目录" in r12.file_message
    subs = dict(query(out, "select return_code, state from submissions where period = '2020-07'"))
    # R06 never came; R10 is not owed by a month (SPEC §9, §12); the others are loaded
    assert subs["R06"] == "未报" and subs["R01"] == "已入库" and "R10" not in subs


def test_amounts_in_the_warnings_are_in_yi_yuan_from_one_yi_on():
    """Worked by hand: 1亿元 = 10,000万元; two decimals either way."""
    from sbsk.store.warning_words import number

    assert number(9999.99, "万元") == "9,999.99万元"
    assert number(10000, "万元") == "1.00亿元"
    assert number(1393500, "万元") == "139.35亿元"
    assert number(14931.19, "万元") == "1.49亿元"
    assert number(-25000, "万元") == "-2.50亿元"
    assert number(70.01, "万元") == "70.01万元"
    assert number(3, "个") == "3个"
