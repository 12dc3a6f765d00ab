"""Known answers, one per indicator A1 … D3 (SPEC §5).

Each test starts from builders.baseline(), replaces the rows of the return(s) feeding the
indicator with a few hand-written rows for two or three units of one group (the other units of the
group then have no row at all in that return), runs the quarter end to end and checks the points
to the cent. Every expected value is worked out by hand in the comment next to it.

Time progress t(q) = q/4: Q1 0.25, Q2 0.5, Q3 0.75, Q4 1.0. Quarter ends: 03-31, 06-30, 09-30, 12-31.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from known_answers import flags, points, run

LZ, AY, TY = "林州市", "安阳县", "汤阴县"          # county group (with 滑县, 内黄县)
D = date
_codes = itertools.count(1)


# ---- rows, keyed by the field names of schemas/returns.toml ----

def r01(unit, level, total, listed, sector="其他", implemented="否", started=None):
    return dict(unit=unit, project_name=f"储备{next(_codes)}", reserve_level=level, total_investment=total,
                sector=sector, listed_on=listed, implemented=implemented, started_on=started)


def r02(unit, signed, amount, origin="省内", paid_in=0, top="否", landed="否"):
    return dict(unit=unit, project_name=f"签约{next(_codes)}", signed_on=signed, contract_amount=amount,
                funding_origin=origin, paid_in=paid_in, top_investor=top, landed=landed)


def r03(unit, event_on, total, count=2, over=1):
    return dict(unit=unit, event_on=event_on, project_count=count, total_investment=total, projects_over_100m=over)


def r04(unit, nature, total=10000, started=None, completed=None, plan=1000, ytd=100):
    n = next(_codes)
    return dict(unit=unit, project_name=f"亿元{n}", project_code=f"2020-419900-47-03-{n:06d}", total_investment=total,
                nature=nature, started_on=started, completed_on=completed, annual_plan=plan, ytd_completed=ytd)


def r05(unit, level, plan, ytd):
    return dict(unit=unit, project_name=f"重点{next(_codes)}", level=level, annual_plan=plan, ytd_completed=ytd)


def r06(unit, allocated, paid):
    return dict(unit=unit, project_name=f"中央{next(_codes)}", allocated=allocated, paid=paid)


def r07(unit, bond, spent):
    return dict(unit=unit, project_name=f"专项债{next(_codes)}", bond_amount=bond, spent=spent)


def r08(unit, plan, ytd):
    return dict(unit=unit, project_name=f"982-{next(_codes)}", area="水利", annual_plan=plan, ytd_completed=ytd)


def r09(unit, due, accepted=None, completed=None):
    return dict(unit=unit, project_name=f"审批{next(_codes)}", item_name="施工许可", due_on=due,
                accepted_on=accepted, completed_on=completed)


def r10(unit, indicator, score):
    return dict(unit=unit, indicator=indicator, score=score)


def r11(unit, category, grade, issued):
    n = next(_codes)
    return dict(unit=unit, title=f"文件{n}", doc_number=f"安政〔2020〕{n}号", issued_on=issued, category=category,
                grade=grade)


# ---- running a quarter ----

def dec(text: str) -> Decimal:
    return Decimal(text)


# ---- A 比谋划看储备 ----

def test_a1_assessor_score(dirs):
    out = run(dirs, "2020Q3", R10=[r10(LZ, "A1", 3), r10(AY, "A1", 0.75), r10(TY, "A1", 0)])
    p = points(out, "2020Q3", "A1")
    assert p[LZ] == dec("3.00")      # the assessor's 3
    assert p[AY] == dec("0.75")      # the assessor's 0.75
    assert p[TY] == dec("0.00")      # an explicit 0 …
    assert flags(out, "2020Q3", "A1", TY) == set()   # … is not a missing assessment
    assert p["滑县"] == dec("0.00")  # no row → 0 …
    assert "missing_assessment" in flags(out, "2020Q3", "A1", "滑县")


def test_a2_provincial_major_listed_ytd(dirs):
    out = run(dirs, "2020Q3", R01=[
        r01(LZ, "省重大", 30000, D(2020, 2, 10)),
        r01(LZ, "省重大", 50000, D(2020, 9, 30)),        # listed on the quarter end: YTD
        r01(LZ, "省重大", 999999, D(2019, 12, 31)),      # listed the previous year: out
        r01(LZ, "省重点", 70000, D(2020, 3, 1)),         # the other reserve: out
        r01(AY, "省重大", 20000, D(2020, 7, 1)),
        r01(AY, "省重大", 100000, D(2020, 10, 5)),       # listed after the quarter end: not YTD
    ])
    p = points(out, "2020Q3", "A2")
    # counts 林州 2, 安阳 1 (max 2); sums 林州 30000 + 50000 = 80000, 安阳 20000 (max 80000)
    assert p[LZ] == dec("10.00")     # 5 × 2/2 + 5 × 80000/80000 = 5 + 5
    assert p[AY] == dec("3.75")      # 5 × 1/2 + 5 × 20000/80000 = 2.5 + 1.25
    assert p[TY] == dec("0.00")      # no row


def test_a3_quality_share_of_major_investment(dirs):
    out = run(dirs, "2020Q3", R01=[
        r01(LZ, "省重大", 120000, D(2020, 3, 1), sector="其他"),       # ≥ 100000: quality
        r01(LZ, "省重大", 40000, D(2020, 4, 1), sector="新基建"),      # sector: quality
        r01(LZ, "省重大", 40000, D(2020, 5, 1), sector="基础设施"),    # neither
        r01(LZ, "省重大", 500000, D(2019, 5, 1), sector="先进制造业"),  # listed 2019: out of the Σ
        r01(LZ, "省重点", 300000, D(2020, 5, 1), sector="先进制造业"),  # 省重点: out of the Σ
        r01(AY, "省重大", 100000, D(2020, 2, 1), sector="基础设施"),    # exactly 100000: quality
        r01(AY, "省重大", 50000, D(2020, 6, 1), sector="社会民生"),     # neither
        r01(AY, "省重大", 50000, D(2020, 8, 1), sector="先进制造业"),   # sector: quality
        r01(TY, "省重大", 30000, D(2020, 8, 1), sector="其他"),         # neither
    ])
    p = points(out, "2020Q3", "A3")
    # shares: 林州 (120000 + 40000)/200000 = 0.8; 安阳 (100000 + 50000)/200000 = 0.75; 汤阴 0/30000 = 0
    assert p[LZ] == dec("5.00")      # 5 × 0.8/0.8
    assert p[AY] == dec("4.69")      # 5 × 0.75/0.8 = 4.6875 → 4.69
    assert p[TY] == dec("0.00")      # 5 × 0/0.8


def test_a4_implemented_share_of_all_major_listed_by_quarter_end(dirs):
    out = run(dirs, "2020Q2", R01=[
        r01(LZ, "省重大", 10000, D(2019, 5, 1), implemented="是", started=D(2019, 10, 1)),   # counts (listed any year)
        r01(LZ, "省重大", 10000, D(2020, 3, 1), implemented="是", started=D(2020, 6, 30)),   # counts (started on Q end)
        r01(LZ, "省重大", 10000, D(2020, 4, 1), implemented="是", started=D(2020, 7, 15)),   # started after Q end
        r01(LZ, "省重大", 10000, D(2020, 5, 1), implemented="否"),
        r01(LZ, "省重大", 10000, D(2020, 8, 1), implemented="否"),   # listed after Q end: not in the base
        r01(LZ, "省重点", 10000, D(2020, 1, 5), implemented="是", started=D(2020, 2, 1)),    # 省重点: not in it
        r01(AY, "省重大", 10000, D(2018, 6, 1), implemented="是", started=D(2019, 1, 1)),    # counts
        r01(AY, "省重大", 10000, D(2020, 1, 10), implemented="否"),
        r01(AY, "省重大", 10000, D(2020, 2, 10), implemented="否"),
        r01(TY, "省重点", 10000, D(2020, 1, 5), implemented="是", started=D(2020, 2, 1)),    # no 省重大 row: v = 0
    ])
    p = points(out, "2020Q2", "A4")
    # shares: 林州 2/4 = 0.5 (the max); 安阳 1/3; 汤阴 nothing to take the share of → 0
    assert p[LZ] == dec("5.00")      # 5 × 0.5/0.5
    assert p[AY] == dec("3.33")      # 5 × (1/3)/0.5 = 10/3 = 3.333…
    assert p[TY] == dec("0.00")


def test_a5_provincial_key_listed_ytd(dirs):
    out = run(dirs, "2020Q3", R01=[
        r01(LZ, "省重点", 10000, D(2020, 1, 1)),         # Jan 1: YTD
        r01(LZ, "省重点", 30000, D(2020, 6, 15)),
        r01(LZ, "省重点", 50000, D(2019, 11, 1)),        # previous year: out
        r01(LZ, "省重大", 90000, D(2020, 5, 1)),         # 省重大: out
        r01(AY, "省重点", 10000, D(2020, 8, 1)),
    ])
    p = points(out, "2020Q3", "A5")
    # counts 林州 2, 安阳 1; sums 林州 40000, 安阳 10000
    assert p[LZ] == dec("7.00")      # 3.5 × 2/2 + 3.5 × 40000/40000
    assert p[AY] == dec("2.63")      # 3.5 × 1/2 + 3.5 × 10000/40000 = 1.75 + 0.875 = 2.625 → 2.63 (half up)
    assert p[TY] == dec("0.00")


# ---- B 比招引看投资 ----

def test_b1_external_paid_in_whatever_signing_date(dirs):
    out = run(dirs, "2020Q3", R02=[
        r02(LZ, D(2019, 6, 1), 5000, origin="省外", paid_in=300),     # signed 2019: still counts
        r02(LZ, D(2020, 5, 1), 5000, origin="境外", paid_in=200),
        r02(LZ, D(2020, 5, 1), 5000, origin="省内", paid_in=1000),    # 省内: out
        r02(AY, D(2020, 9, 1), 5000, origin="省外", paid_in=200),
    ])
    p = points(out, "2020Q3", "B1")
    # 林州 300 + 200 = 500 (max); 安阳 200
    assert p[LZ] == dec("3.00")      # 3 × 500/500
    assert p[AY] == dec("1.20")      # 3 × 200/500
    assert p[TY] == dec("0.00")


def test_b2_signed_ytd_count_and_amount(dirs):
    out = run(dirs, "2020Q3", R02=[
        r02(LZ, D(2020, 2, 1), 3000),
        r02(LZ, D(2020, 9, 30), 1000),                 # signed on the quarter end: YTD
        r02(LZ, D(2019, 12, 20), 50000),               # previous year: out
        r02(AY, D(2020, 7, 7), 1000),
        r02(AY, D(2020, 10, 1), 90000),                # signed after the quarter end: not YTD
    ])
    p = points(out, "2020Q3", "B2")
    # counts 林州 2, 安阳 1; amounts 林州 4000, 安阳 1000
    assert p[LZ] == dec("5.00")      # 2.5 × 2/2 + 2.5 × 4000/4000
    assert p[AY] == dec("1.88")      # 2.5 × 1/2 + 2.5 × 1000/4000 = 1.25 + 0.625 = 1.875 → 1.88
    assert p[TY] == dec("0.00")


def test_b3_quality_share_of_signings(dirs):
    out = run(dirs, "2020Q3", R02=[
        r02(LZ, D(2020, 3, 1), 200000),                # ≥ 200000: quality
        r02(LZ, D(2020, 4, 1), 150000, top="是"),      # top investor: quality
        r02(LZ, D(2020, 5, 1), 1000),
        r02(LZ, D(2020, 6, 1), 5000),
        r02(LZ, D(2019, 6, 1), 300000),                # previous year: out of both
        r02(AY, D(2020, 3, 1), 199999),                # just below
        r02(AY, D(2020, 4, 1), 1000, top="是"),        # quality
        r02(AY, D(2020, 5, 1), 500),
        r02(TY, D(2019, 8, 1), 1000, top="是"),        # only a 2019 signing: nothing YTD → v = 0
    ])
    p = points(out, "2020Q3", "B3")
    # shares: 林州 2/4 = 0.5 (max); 安阳 1/3; 汤阴 0
    assert p[LZ] == dec("2.00")      # 2 × 0.5/0.5
    assert p[AY] == dec("1.33")      # 2 × (1/3)/0.5 = 4/3 = 1.333…
    assert p[TY] == dec("0.00")


def test_b4_landed_amount_share(dirs):
    out = run(dirs, "2020Q3", R02=[
        r02(LZ, D(2020, 3, 1), 3000, landed="是"),
        r02(LZ, D(2020, 4, 1), 1000, landed="否"),
        r02(LZ, D(2019, 4, 1), 10000, landed="否"),    # previous year: out
        r02(AY, D(2020, 3, 1), 1000, landed="是"),
        r02(AY, D(2020, 8, 1), 1000, landed="否"),
        r02(AY, D(2020, 10, 8), 6000, landed="是"),    # signed after the quarter end: out
    ])
    p = points(out, "2020Q3", "B4")
    # shares: 林州 3000/4000 = 0.75 (max); 安阳 1000/2000 = 0.5
    assert p[LZ] == dec("5.00")      # 5 × 0.75/0.75
    assert p[AY] == dec("3.33")      # 5 × 0.5/0.75 = 3.333…
    assert p[TY] == dec("0.00")


# ---- C 比开工看进度 ----

def test_c1_events_in_quarter(dirs):
    out = run(dirs, "2020Q3", R03=[
        r03(LZ, D(2020, 7, 1), 3000),       # quarter start
        r03(LZ, D(2020, 9, 30), 1000),      # quarter end
        r03(LZ, D(2020, 5, 1), 9000),       # Q2 of the same year: out
        r03(AY, D(2020, 8, 15), 2000),
        r03(TY, D(2020, 6, 30), 8000),      # only a Q2 event …
        r03(TY, D(2020, 10, 1), 8000),      # … and a Q4 one: none in Q3
    ])
    p = points(out, "2020Q3", "C1")
    # Σ in quarter: 林州 4000 (max), 安阳 2000, 汤阴 none
    assert p[LZ] == dec("5.00")      # 3 + 2 × 4000/4000
    assert p[AY] == dec("4.00")      # 3 + 2 × 2000/4000
    assert p[TY] == dec("0.00")      # 0 + 2 × 0/4000


def test_c2_new_starts_with_suspect_start_deduction(dirs):
    out = run(dirs, "2020Q3", R04=[
        r04(LZ, "新开工", 10000, started=D(2020, 2, 1), ytd=100),
        r04(LZ, "新开工", 10000, started=D(2020, 5, 1), ytd=100),
        r04(LZ, "新开工", 10000, started=D(2020, 9, 30), ytd=100),
        r04(LZ, "新开工", 50000, started=D(2019, 10, 1), ytd=0),   # started 2019: neither counted nor suspect
        r04(LZ, "续建", 40000, started=D(2020, 2, 1), ytd=100),    # 续建: out
        r04(LZ, "新开工", 20000, started=None, ytd=0),             # not started yet: not suspect
        r04(LZ, "新开工", 20000, started=D(2020, 10, 1), ytd=0),   # started after Q end: neither
        r04(AY, "新开工", 10000, started=D(2020, 4, 1), ytd=100),
        r04(AY, "新开工", 90000, started=D(2020, 5, 1), ytd=0),    # suspect start: out, −0.5
        r04(TY, "新开工", 10000, started=D(2020, 3, 1), ytd=0),    # suspect
        r04(TY, "新开工", 10000, started=D(2020, 6, 1), ytd=0),    # suspect
    ])
    p = points(out, "2020Q3", "C2")
    # counted: 林州 3 rows Σ 30000 (max both); 安阳 1 row Σ 10000; 汤阴 none
    assert p[LZ] == dec("5.00")      # 2.5 × 3/3 + 2.5 × 30000/30000
    # 2.5 × 1/3 + 2.5 × 10000/30000 = 0.8333… + 0.8333… = 1.6666…; − 0.5 = 1.1666… → 1.17
    # (rounding the parts first would give 0.83 + 0.83 − 0.5 = 1.16)
    assert p[AY] == dec("1.17")
    assert p[TY] == dec("0.00")      # 0 − 2 × 0.5 = −1 → not below 0


def test_c3_completed_ytd(dirs):
    out = run(dirs, "2020Q3", R04=[
        r04(LZ, "续建", started=D(2019, 3, 1), completed=D(2020, 2, 1)),
        r04(LZ, "新开工", started=D(2020, 1, 1), completed=D(2020, 9, 30), ytd=100),
        r04(LZ, "续建", started=D(2019, 3, 1), completed=D(2019, 12, 31)),   # completed 2019: out
        r04(AY, "续建", started=D(2019, 3, 1), completed=D(2020, 6, 1)),
        r04(AY, "续建", started=D(2019, 3, 1)),                               # not completed
        r04(AY, "续建", started=D(2019, 3, 1), completed=D(2020, 10, 5)),     # completed after Q end: out
    ])
    p = points(out, "2020Q3", "C3")
    # completed YTD: 林州 2 (max), 安阳 1
    assert p[LZ] == dec("3.00")      # 3 × 2/2
    assert p[AY] == dec("1.50")      # 3 × 1/2
    assert p[TY] == dec("0.00")


def test_c4_progress_of_started_projects(dirs):
    out = run(dirs, "2020Q2", R04=[
        r04(LZ, "续建", started=D(2019, 5, 1), plan=1000, ytd=300),
        r04(LZ, "新开工", started=D(2020, 6, 30), plan=1000, ytd=100),
        r04(LZ, "新开工", started=None, plan=2000, ytd=0),                    # not started: out
        r04(LZ, "新开工", started=D(2020, 7, 1), plan=3000, ytd=0),           # started after Q end: out
        r04(AY, "新开工", started=D(2020, 1, 15), plan=1000, ytd=600),
        r04(TY, "新开工", started=None, plan=3000, ytd=0),                    # nothing started
    ])
    p = points(out, "2020Q2", "C4")
    assert p[LZ] == dec("2.00")      # r = 400/2000 = 0.2; 5 × min(0.2/0.5, 1) = 5 × 0.4
    assert p[AY] == dec("5.00")      # r = 600/1000 = 0.6; 5 × min(1.2, 1)
    assert p[TY] == dec("0.00")      # denominator 0
    assert "no_base" in flags(out, "2020Q2", "C4", TY)


def test_c5_provincial_and_municipal_key_progress(dirs):
    out = run(dirs, "2020Q3", R05=[
        r05(LZ, "省重点", 1000, 300),
        r05(LZ, "省重点", 1000, 300),
        r05(LZ, "市重点", 400, 150),
        r05(AY, "省重点", 1000, 900),
    ])
    p = points(out, "2020Q3", "C5")
    # 林州: 省重点 r = 600/2000 = 0.3 → 4.2 × 0.3/0.75 = 4.2 × 0.4 = 1.68;
    #       市重点 r = 150/400 = 0.375 → 2.8 × 0.375/0.75 = 1.4
    assert p[LZ] == dec("3.08")      # 1.68 + 1.40
    # 安阳: 省重点 r = 0.9 → 4.2 × min(1.2, 1) = 4.2; no 市重点 row → 0
    assert p[AY] == dec("4.20")
    assert p[TY] == dec("0.00")


def test_c6_central_budget_progress(dirs):
    out = run(dirs, "2020Q1", R06=[
        r06(LZ, 1000, 100),
        r06(LZ, 1000, 0),
        r06(AY, 400, 150),
    ])
    p = points(out, "2020Q1", "C6")
    assert p[LZ] == dec("1.00")      # r = 100/2000 = 0.05; 5 × 0.05/0.25 = 1
    assert p[AY] == dec("5.00")      # r = 150/400 = 0.375; 5 × min(1.5, 1) = 5
    assert p[TY] == dec("0.00")


def test_c7_special_bond_progress(dirs):
    out = run(dirs, "2020Q3", R07=[
        r07(LZ, 2000, 900),
        r07(LZ, 1000, 0),
        r07(AY, 800, 500),
    ])
    p = points(out, "2020Q3", "C7")
    assert p[LZ] == dec("2.00")      # r = 900/3000 = 0.3; 5 × 0.3/0.75 = 2
    assert p[AY] == dec("4.17")      # r = 500/800 = 0.625; 5 × 0.625/0.75 = 4.1666… → 4.17
    assert p[TY] == dec("0.00")


def test_c8_program_982_progress(dirs):
    out = run(dirs, "2020Q2", R08=[
        r08(LZ, 300, 50),
        r08(LZ, 100, 30),
        r08(AY, 1000, 333),
    ])
    p = points(out, "2020Q2", "C8")
    assert p[LZ] == dec("2.00")      # r = 80/400 = 0.2; 5 × 0.2/0.5 = 2
    assert p[AY] == dec("3.33")      # r = 0.333; 5 × 0.333/0.5 = 3.33
    assert p[TY] == dec("0.00")


# ---- D 比服务看实效 ----

def test_d1_reform_documents_graded(dirs):
    out = run(dirs, "2020Q3", R11=[
        r11(LZ, "放管服改革", "优", D(2020, 2, 1)),
        r11(LZ, "放管服改革", "良", D(2020, 9, 30)),
        r11(LZ, "放管服改革", "一般", D(2019, 12, 1)),   # previous year: out
        r11(LZ, "推进项目", "优", D(2020, 3, 1)),        # the other category (D2): out
        r11(AY, "放管服改革", "优", D(2020, 1, 10)),
        r11(AY, "放管服改革", "优", D(2020, 4, 10)),
        r11(AY, "放管服改革", "良", D(2020, 7, 10)),
        r11(TY, "放管服改革", "一般", D(2020, 5, 5)),
    ])
    p = points(out, "2020Q3", "D1")
    assert p[LZ] == dec("1.60")      # 1.0 + 0.6
    assert p[AY] == dec("2.00")      # min(2, 1.0 + 1.0 + 0.6 = 2.6)
    assert p[TY] == dec("0.30")      # 0.3
    assert p["滑县"] == dec("0.00")


def test_d2_project_documents_graded(dirs):
    out = run(dirs, "2020Q3", R11=[
        r11(LZ, "推进项目", "优", D(2020, 2, 1)),
        r11(LZ, "推进项目", "优", D(2020, 5, 1)),
        r11(LZ, "推进项目", "良", D(2020, 8, 1)),
        r11(LZ, "放管服改革", "优", D(2020, 3, 1)),      # the other category (D1): out
        r11(AY, "推进项目", "优", D(2020, 1, 2)),
        r11(AY, "推进项目", "优", D(2020, 2, 2)),
        r11(AY, "推进项目", "优", D(2020, 3, 2)),
        r11(AY, "推进项目", "一般", D(2020, 4, 2)),
        r11(TY, "推进项目", "一般", D(2020, 6, 1)),
        r11(TY, "推进项目", "一般", D(2020, 7, 1)),
        r11(TY, "推进项目", "优", D(2019, 7, 1)),        # previous year: out
    ])
    p = points(out, "2020Q3", "D2")
    assert p[LZ] == dec("2.60")      # 1.0 + 1.0 + 0.6
    assert p[AY] == dec("3.00")      # min(3, 1.0 × 3 + 0.3 = 3.3)
    assert p[TY] == dec("0.60")      # 0.3 + 0.3


def test_d3_items_due_ytd_and_items_due_later(dirs):
    out = run(dirs, "2020Q3", R09=[
        # due YTD, completed: on-time numerator; Sep 2–4, 7–10 = 7 working days ≤ 50
        r09(TY, D(2020, 9, 15), D(2020, 9, 1), D(2020, 9, 10)),
        # due YTD, not completed: only in the denominator of part 1
        r09(TY, D(2020, 8, 31), D(2020, 8, 1)),
        # due next quarter, completed early: in neither side of part 1; in part 2 (completed YTD):
        # Sep 15–18 (4), 21–25 (5), 27 Sun 调休 (1), 28–30 (3) = 13 working days ≤ 50
        r09(TY, D(2020, 10, 20), D(2020, 9, 14), D(2020, 9, 30)),
        r09(LZ, D(2020, 9, 30), D(2020, 9, 1), D(2020, 9, 10)),
        # 滑县: due YTD, completed after the quarter end → part 1 denominator only, not in part 2
        r09("滑县", D(2020, 9, 20), D(2020, 9, 1), D(2020, 10, 9)),
        # due YTD, completed Sep 25: Sep 2–4 (3), 7–11 (5), 14–18 (5), 21–25 (5) = 18 working days ≤ 50
        r09("滑县", D(2020, 9, 25), D(2020, 9, 1), D(2020, 9, 25)),
    ])
    p = points(out, "2020Q3", "D3")
    assert p[TY] == dec("6.50")      # 7 × 1/2 + 3 × 2/2 = 3.5 + 3 (target 1, not t(q))
    assert p[LZ] == dec("10.00")     # 7 × 1/1 + 3 × 1/1
    assert p[AY] == dec("0.00")      # no item at all
    assert p["滑县"] == dec("6.50")  # 7 × 1/2 + 3 × 1/1 = 3.5 + 3


def test_d3_working_days_boundary_across_national_day(dirs):
    # Accepted Mon 2020-08-31; working days after it (SPEC §2):
    #   September: weekdays Sep 1–4 (4), 7–11 (5), 14–18 (5), 21–25 (5), 28–30 (3) = 22,
    #              + Sun Sep 27 (调休 working day) = 23                          → 23
    #   October:   Oct 1–8 holidays; Fri Oct 9 → 24; Sat Oct 10 (调休) → 25;
    #              12–16 → 30; 19–23 → 35; 26–30 → 40
    #   November:  2–6 → 45; 9, 10, 11, 12, 13 → 46 … 50; Mon Nov 16 → 51
    # So completed Fri 2020-11-13 = 50 working days (within), Mon 2020-11-16 = 51 (not).
    out = run(dirs, "2020Q4", R09=[
        r09(LZ, D(2020, 12, 31), D(2020, 8, 31), D(2020, 11, 13)),
        r09(AY, D(2020, 12, 31), D(2020, 8, 31), D(2020, 11, 16)),
        # 汤阴: one of each, plus an item due next year finished early (part 2 only):
        # accepted Mon Nov 2, completed Fri Nov 20 → Nov 3–6 (4), 9–13 (5), 16–20 (5) = 14
        r09(TY, D(2020, 11, 30), D(2020, 8, 31), D(2020, 11, 13)),
        r09(TY, D(2020, 12, 31), D(2020, 8, 31), D(2020, 11, 16)),
        r09(TY, D(2021, 1, 15), D(2020, 11, 2), D(2020, 11, 20)),
        r09(TY, D(2020, 10, 15), D(2020, 9, 1)),   # due YTD, not completed
    ])
    p = points(out, "2020Q4", "D3")
    assert p[LZ] == dec("10.00")     # 7 × 1/1 + 3 × 1/1 (50 ≤ 50)
    assert p[AY] == dec("7.00")      # 7 × 1/1 + 3 × 0/1 (51 > 50)
    # part 1: due YTD 3 items, 2 completed → 7 × 2/3 = 4.6666…;
    # part 2: completed YTD 3 items, within 50: the 50-day and the 14-day → 3 × 2/3 = 2
    assert p[TY] == dec("6.67")      # 4.6666… + 2 = 6.6666… → 6.67
