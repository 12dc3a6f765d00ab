"""Known answers for each scoring method of SPEC §5: assessor, relative, progress, threshold,
graded, and the 2-decimal half-up rounding of every indicator's points.

Every expected value is worked out by hand in the comment next to it.
Time progress t(q) = q/4: Q1 0.25, Q2 0.5, Q3 0.75, Q4 1.0.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from known_answers import flags, points, run

LZ, AY, TY, HX, NH = "林州市", "安阳县", "汤阴县", "滑县", "内黄县"   # county group
WF, BG, YD, LA = "文峰区", "北关区", "殷都区", "龙安区"               # district group
D = date
_n = itertools.count(1)


def r02(unit, paid_in, origin="省外", signed=D(2020, 2, 1), amount=1000):
    return dict(unit=unit, project_name=f"签约{next(_n)}", signed_on=signed, contract_amount=amount,
                funding_origin=origin, paid_in=paid_in, top_investor="否", landed="否")


def r03(unit, event_on, total):
    return dict(unit=unit, event_on=event_on, project_count=1, total_investment=total, projects_over_100m=0)


def r04(unit, plan, ytd, started=D(2020, 2, 1)):
    n = next(_n)
    return dict(unit=unit, project_name=f"亿元{n}", project_code=f"2020-419900-47-03-{n:06d}", total_investment=20000,
                nature="续建", started_on=started, annual_plan=plan, ytd_completed=ytd)


def r07(unit, bond, spent):
    return dict(unit=unit, project_name=f"专项债{next(_n)}", bond_amount=bond, spent=spent)


def r08(unit, plan, ytd):
    return dict(unit=unit, project_name=f"982-{next(_n)}", area="水利", annual_plan=plan, ytd_completed=ytd)


def r09(unit, due, accepted=None, completed=None):
    return dict(unit=unit, project_name=f"审批{next(_n)}", item_name="施工许可", due_on=due, accepted_on=accepted,
                completed_on=completed)


def r10(unit, indicator, score):
    return dict(unit=unit, indicator=indicator, score=score)


def r11(unit, category, grade, issued=D(2020, 5, 1)):
    n = next(_n)
    return dict(unit=unit, title=f"文件{n}", doc_number=f"安政〔2020〕{n}号", issued_on=issued, category=category,
                grade=grade)


dec = Decimal


# ---- assessor ----

def test_assessor_score_name_or_code_and_missing_assessment(dirs):
    out = run(dirs, "2020Q3", R10=[
        r10(LZ, "A1", 2.5),
        r10(AY, "项目谋划工作开展情况", 1.5),     # the indicator by its Chinese name
    ])
    p = points(out, "2020Q3", "A1")
    assert p[LZ] == dec("2.50")
    assert p[AY] == dec("1.50")
    assert flags(out, "2020Q3", "A1", LZ) == set()
    for unit in (TY, WF):                        # no R10 row → 0 and missing_assessment
        assert p[unit] == dec("0.00")
        assert "missing_assessment" in flags(out, "2020Q3", "A1", unit)


# ---- relative ----

def test_relative_groups_are_separate(dirs):
    out = run(dirs, "2020Q3", R02=[
        r02(LZ, 10000), r02(AY, 5000, origin="境外"),      # county leader 10000
        r02(WF, 100), r02(BG, 25),                         # district leader 100
    ])
    p = points(out, "2020Q3", "B1")
    assert p[LZ] == dec("3.00")      # 3 × 10000/10000
    assert p[AY] == dec("1.50")      # 3 × 5000/10000
    assert p[TY] == dec("0.00")      # no row
    assert p[WF] == dec("3.00")      # 3 × 100/100 (not 3 × 100/10000)
    assert p[BG] == dec("0.75")      # 3 × 25/100
    assert p[YD] == dec("0.00")


def test_relative_group_maximum_zero_gives_everyone_zero(dirs):
    out = run(dirs, "2020Q3", R02=[
        r02(LZ, 500, origin="省内"), r02(AY, 0, origin="省外"), r02(TY, 0, origin="境外"),   # county max 0
        r02(WF, 40), r02(BG, 10),
    ])
    p = points(out, "2020Q3", "B1")
    for unit in (LZ, AY, TY, HX, NH):
        assert p[unit] == dec("0.00")  # max over the county group is 0 → 0 for all
    assert p[WF] == dec("3.00")      # 3 × 40/40
    assert p[BG] == dec("0.75")      # 3 × 10/40


# ---- progress ----

def test_progress_q1_time_progress_and_cap(dirs):
    out = run(dirs, "2020Q1", R08=[r08(LZ, 1000, 150), r08(AY, 1000, 300), r08(TY, 2000, 0)])
    p = points(out, "2020Q1", "C8")
    assert p[LZ] == dec("3.00")      # 5 × min(0.15/0.25, 1) = 5 × 0.6
    assert p[AY] == dec("5.00")      # 5 × min(0.30/0.25 = 1.2, 1)
    assert p[TY] == dec("0.00")      # 5 × 0/0.25
    assert flags(out, "2020Q1", "C8", TY) == set()   # a base of 2000 with nothing done is not no_base


def test_progress_q3_time_progress_cap_and_no_base(dirs):
    out = run(dirs, "2020Q3",
              R08=[r08(LZ, 1000, 600), r08(AY, 1000, 300), r08(HX, 1000, 1200)],
              R04=[r04(LZ, 1000, 500), r04(AY, 0, 0), r04(AY, 0, 0)])
    p = points(out, "2020Q3", "C8")
    assert p[LZ] == dec("4.00")      # 5 × 0.6/0.75 = 4
    assert p[AY] == dec("2.00")      # 5 × 0.3/0.75 = 2
    assert p[HX] == dec("5.00")      # r = 1.2; 5 × min(1.6, 1)
    assert p[TY] == dec("0.00")      # no row: denominator 0
    assert "no_base" in flags(out, "2020Q3", "C8", TY)
    c4 = points(out, "2020Q3", "C4")
    assert c4[LZ] == dec("3.33")     # 5 × (500/1000)/0.75 = 3.333…
    assert c4[AY] == dec("0.00")     # rows, but Σ annual_plan = 0 → denominator 0
    assert "no_base" in flags(out, "2020Q3", "C4", AY)


def test_progress_constant_target_of_d3(dirs):
    # In Q1 t(q) = 0.25; D3's parts have the constant target 1 instead.
    out = run(dirs, "2020Q1", R09=[
        # due YTD, done; Feb 4–7 (4), 10–14 (5), 17–20 (4) = 13 working days ≤ 50
        r09(LZ, D(2020, 2, 28), D(2020, 2, 3), D(2020, 2, 20)),
        # due YTD, not done
        r09(LZ, D(2020, 3, 20), D(2020, 3, 2)),
        # due YTD, done on the quarter end; working days after Thu Jan 2: Jan 3 (1), 6–10 (6), 13–17 (11),
        # Sun Jan 19 调休 (12), 20–23 (16), Jan 24–Feb 2 Spring Festival, Feb 3–7 (21), 10–14 (26),
        # 17–21 (31), 24–28 (36), Mar 2–6 (41), 9–13 (46), 16–20 (51), 23–27 (56), 30–31 (58) > 50
        r09(LZ, D(2020, 3, 31), D(2020, 1, 2), D(2020, 3, 31)),
    ])
    p = points(out, "2020Q1", "D3")
    # 7 × (2/3)/1 + 3 × (1/2)/1 = 4.6666… + 1.5 = 6.1666… → 6.17   (with t(q) = 0.25 both parts would cap: 10)
    assert p[LZ] == dec("6.17")


# ---- threshold ----

def test_threshold_needs_an_event_in_the_quarter(dirs):
    out = run(dirs, "2020Q3", R03=[
        r03(LZ, D(2020, 7, 15), 1000),
        r03(AY, D(2020, 6, 30), 5000),     # previous quarter of the same year: does not count
        r03(HX, D(2020, 9, 30), 500),
    ])
    p = points(out, "2020Q3", "C1")
    assert p[LZ] == dec("5.00")      # 3 (1 ≥ 1) + 2 × 1000/1000
    assert p[HX] == dec("4.00")      # 3 + 2 × 500/1000
    assert p[AY] == dec("0.00")      # no event in Q3: 0 of the 3, and 0 of the 2
    assert p[TY] == dec("0.00")      # no event at all


def test_threshold_no_event_anywhere_in_the_city(dirs):
    # No unit held a groundbreaking event this quarter: R03 arrives with its header and no row.
    out = run(dirs, "2020Q3", R03=[])
    p = points(out, "2020Q3", "C1")
    assert all(v == dec("0.00") for v in p.values())   # 0 of the 3 and (max 0) 0 of the 2, everywhere
    assert len(p) == 9


# ---- graded ----

def test_graded_sum_of_grades_capped_at_share_ytd_only(dirs):
    out = run(dirs, "2020Q3", R11=[
        r11(LZ, "放管服改革", "优"),
        r11(AY, "放管服改革", "良"),
        r11(TY, "放管服改革", "一般"),
        r11(HX, "放管服改革", "优"), r11(HX, "放管服改革", "优"), r11(HX, "放管服改革", "一般"),
        r11(NH, "放管服改革", "优", D(2020, 10, 10)),    # issued after the quarter end
        r11(NH, "放管服改革", "良", D(2019, 12, 31)),    # issued the previous year
        *[r11(LZ, "推进项目", "良") for _ in range(5)],
        *[r11(AY, "推进项目", "一般") for _ in range(3)],
    ])
    d1 = points(out, "2020Q3", "D1")
    assert d1[LZ] == dec("1.00")     # 优 1.0
    assert d1[AY] == dec("0.60")     # 良 0.6
    assert d1[TY] == dec("0.30")     # 一般 0.3
    assert d1[HX] == dec("2.00")     # min(2, 1.0 + 1.0 + 0.3 = 2.3)
    assert d1[NH] == dec("0.00")     # nothing issued YTD
    d2 = points(out, "2020Q3", "D2")
    assert d2[LZ] == dec("3.00")     # min(3, 5 × 0.6 = 3.0)
    assert d2[AY] == dec("0.90")     # 3 × 0.3


# ---- rounding ----

def test_rounding_half_up_on_exact_half_cents(dirs):
    out = run(dirs, "2020Q2",
              R02=[r02(LZ, 1000), r02(AY, 335), r02(TY, 875)],
              R07=[r07(LZ, 10000, 125), r07(AY, 10000, 2675), r07(TY, 10000, 1005)])
    b1 = points(out, "2020Q2", "B1")     # relative
    assert b1[LZ] == dec("3.00")     # 3 × 1000/1000
    assert b1[AY] == dec("1.01")     # 3 × 335/1000 = 1.005 → 1.01 (a binary float 1.005 is 1.00499…)
    assert b1[TY] == dec("2.63")     # 3 × 875/1000 = 2.625 → 2.63 (half-even would give 2.62)
    c7 = points(out, "2020Q2", "C7")     # progress, t(Q2) = 0.5
    assert c7[LZ] == dec("0.13")     # 5 × 0.0125/0.5 = 0.125 → 0.13 (half-even would give 0.12)
    assert c7[AY] == dec("2.68")     # 5 × 0.2675/0.5 = 2.675 → 2.68 (binary float 2.675 is 2.67499…)
    assert c7[TY] == dec("1.01")     # 5 × 0.1005/0.5 = 1.005 → 1.01
