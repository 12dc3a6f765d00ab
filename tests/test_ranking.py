"""Ranking, rewards, tie-breaks and the annual composite (SPEC §6), with known answers.

Every quarter here starts from `inert()`: one row per unit in every return that earns no point
anywhere (signed, listed, issued … in 2019; nothing paid or spent; no item due this year). Each
test then sets a few indicators whose points are easy to steer:
  A = A1, the assessor's score (R10);
  B = B1, 3 × paid_in / group max (R02, 省外, whatever the signing date);
  C = C6, in Q4 (t = 1) 5 × paid / allocated (R06, allocated 100);
  D = D1, Σ grades of 放管服改革 documents issued YTD (优 1.0, 良 0.6, 一般 0.3).
Every expected value is worked out by hand in the comment next to it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from builders import AY, BG, CODE, HX, LA, LZ, NH, OLD, TY, UNITS, WF, YD, _n, inert, write_quarter
from conftest import evaluate, query
from sbsk import pipeline

def quarter_data(a1: dict[str, float] = {}, paid_in: dict[str, float] = {}, c6_paid: dict[str, float] = {},
                 d1: dict[str, list[str]] = {}, drop: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    data = inert()
    for row in data["R10"]:
        row["score"] = a1.get(row["unit"], 0)
    for row in data["R02"]:
        if row["unit"] in paid_in:
            row.update(funding_origin="省外", paid_in=paid_in[row["unit"]])
    for row in data["R06"]:
        row["paid"] = c6_paid.get(row["unit"], 0)
    for unit, grades in d1.items():
        for g in grades:
            n = next(_n)
            data["R11"].append(dict(unit=unit, title=f"文件{n}", doc_number=f"安政〔2020〕{n}号",
                                    issued_on=date(2020, 2, 1), category="放管服改革", grade=g))
    for code in drop:
        del data[code]
    return data


def run(dirs: tuple[Path, Path], quarter: str, data: dict[str, list[dict]], continue_on_missing: bool = False) -> str:
    raw, out = dirs
    write_quarter(raw, quarter, data)
    res = evaluate(raw, out, quarter, continue_on_missing=continue_on_missing)
    assert res["status"] != "failed", res["missing"]
    rejected = [r["message"] for f in res["results"] for r in f.rejections]
    assert not rejected, rejected
    return res["status"]


def results(out: Path, quarter: str) -> dict[str, tuple]:
    """unit name → (score_a, score_b, score_c, score_d, total, group_rank, reward_yuan, tie)"""
    rows = query(out, "select unit_code, score_a, score_b, score_c, score_d, total, group_rank, reward_yuan, tie "
                      "from quarter_results where quarter = ?", [quarter])
    return {UNITS[r[0]]: tuple(r[1:]) for r in rows}


def annual(out: Path, year: int) -> dict[str, tuple]:
    """unit name → (score_a, score_b, score_c, score_d, total, group_rank, reward_yuan, tie, status)"""
    rows = query(out, "select unit_code, score_a, score_b, score_c, score_d, total, group_rank, reward_yuan, tie, "
                      "status from annual_results where year = ?", [year])
    return {UNITS[r[0]]: tuple(r[1:]) for r in rows}


def publish_year(out: Path, year: int) -> tuple[str, int]:
    state = pipeline.evaluate_year(year, out, up_to="publish")
    return state["status"], state["found"]


def dec(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


# ---- quarter ----

def test_ranks_share_the_better_rank_and_tie_breaks_decide_rewards(dirs):
    _, out = dirs
    run(dirs, "2020Q4", quarter_data(
        a1={LZ: 2, AY: 3, TY: 1, HX: 0.5, WF: 2, BG: 1, YD: 0.4, LA: 0.4},
        paid_in={WF: 1000, BG: 1000, LA: 200},                    # B1: 3 × v / 1000
        c6_paid={LZ: 40, AY: 20, NH: 10, WF: 20, BG: 20},         # C6 in Q4: 5 × paid/100
        d1={BG: ["优"], YD: ["良"]},
    ))
    r = results(out, "2020Q4")
    assert query(out, "select distinct status from quarter_results where quarter = '2020Q4'") == [("final",)]
    #                      A       B       C       D       total
    # county
    assert r[LZ][:5] == dec("2.00", "0.00", "2.00", "0.00", "4.00")   # C 5 × 0.4
    assert r[AY][:5] == dec("3.00", "0.00", "1.00", "0.00", "4.00")   # C 5 × 0.2
    assert r[TY][:5] == dec("1.00", "0.00", "0.00", "0.00", "1.00")
    assert r[HX][:5] == dec("0.50", "0.00", "0.00", "0.00", "0.50")
    assert r[NH][:5] == dec("0.00", "0.00", "0.50", "0.00", "0.50")   # C 5 × 0.1
    # ranks 1, 1, 3, 4, 4. First: 林州 and 安阳 tie at 4 → C 2 > 1: 林州 (A would have chosen 安阳).
    # Last: 滑县 and 内黄 tie at 0.5 → C 0 < 0.5: 滑县 is last (A would have chosen 内黄).
    assert r[LZ][5:] == (1, 200000, False)
    assert r[AY][5:] == (1, 0, False)
    assert r[TY][5:] == (3, 0, False)
    assert r[HX][5:] == (4, -200000, False)
    assert r[NH][5:] == (4, 0, False)
    # district
    assert r[WF][:5] == dec("2.00", "3.00", "1.00", "0.00", "6.00")   # B 3 × 1000/1000
    assert r[BG][:5] == dec("1.00", "3.00", "1.00", "1.00", "6.00")   # D 优 1.0
    assert r[YD][:5] == dec("0.40", "0.00", "0.00", "0.60", "1.00")   # D 良 0.6
    assert r[LA][:5] == dec("0.40", "0.60", "0.00", "0.00", "1.00")   # B 3 × 200/1000
    # First: 文峰 and 北关 tie at 6, C tie (1 = 1) → A 2 > 1: 文峰 (D would have chosen 北关).
    # Last: 殷都 and 龙安 tie at 1, C tie (0), A tie (0.4) → B 0 < 0.6: 殷都 (D would have chosen 龙安).
    assert r[WF][5:] == (1, 200000, False)
    assert r[BG][5:] == (1, 0, False)
    assert r[YD][5:] == (3, -200000, False)
    assert r[LA][5:] == (3, 0, False)


def test_remaining_full_tie_gives_every_tied_unit_the_amount(dirs):
    _, out = dirs
    run(dirs, "2020Q4", quarter_data(
        a1={LZ: 1, AY: 1, TY: 0.5, WF: 3, BG: 2, YD: 1, LA: 0.4},
        c6_paid={LZ: 20, AY: 20, WF: 40},
        d1={LA: ["良"]},
    ))
    r = results(out, "2020Q4")
    # county: 林州 and 安阳 both A 1 + C 1 = 2 (C 5 × 0.2): identical C, A, B, D → both first, tie
    assert r[LZ] == dec("1.00", "0.00", "1.00", "0.00", "2.00") + (1, 200000, True)
    assert r[AY] == dec("1.00", "0.00", "1.00", "0.00", "2.00") + (1, 200000, True)
    assert r[TY] == dec("0.50", "0.00", "0.00", "0.00", "0.50") + (3, 0, False)
    # 滑县 and 内黄 both 0 in everything → both last, tie
    assert r[HX] == dec("0.00", "0.00", "0.00", "0.00", "0.00") + (4, -200000, True)
    assert r[NH] == dec("0.00", "0.00", "0.00", "0.00", "0.00") + (4, -200000, True)
    # district: 文峰 3 + 2 (C 5 × 0.4) = 5 first; 北关 2; 殷都 A 1 = 1 and 龙安 A 0.4 + D 0.6 = 1 tie for last:
    # C tie (0) → A 0.4 < 1: 龙安 is last, no tie left
    assert r[WF] == dec("3.00", "0.00", "2.00", "0.00", "5.00") + (1, 200000, False)
    assert r[BG] == dec("2.00", "0.00", "0.00", "0.00", "2.00") + (2, 0, False)
    assert r[YD] == dec("1.00", "0.00", "0.00", "0.00", "1.00") + (3, 0, False)
    assert r[LA] == dec("0.40", "0.00", "0.00", "0.60", "1.00") + (3, -200000, False)
    tie_flags = query(out, "select unit_code from data_flags where quarter = '2020Q4' and flag = 'tie' order by 1")
    assert [UNITS[c] for (c,) in tie_flags] == sorted([LZ, AY, HX, NH], key=CODE.get)



def test_a_whole_group_tied_gets_nothing_and_is_flagged_for_the_office(dirs, tmp_path, monkeypatch):
    # last −100000 (not −200000): a unit both first and last would net +100000; the whole group gets 0
    from sbsk.config.rubric import RUBRIC_FILE

    rubric = tmp_path / "rubric-uneven.toml"
    rubric.write_text(RUBRIC_FILE.read_text(encoding="utf-8").replace(
        "quarter_last_yuan = -200000", "quarter_last_yuan = -100000"), encoding="utf-8")
    monkeypatch.setenv("SBSK_RUBRIC", str(rubric))
    _, out = dirs
    run(dirs, "2020Q4", quarter_data(
        a1={LZ: 3, AY: 2, TY: 1, HX: 0.5, NH: 0.25, WF: 1, BG: 1, YD: 1, LA: 1},
        c6_paid={WF: 20, BG: 20, YD: 20, LA: 20},
    ))
    r = results(out, "2020Q4")
    # county: 3 > 2 > 1 > 0.5 > 0.25, no tie: 林州 +200000, 内黄 −100000
    assert [r[u][5:] for u in (LZ, AY, TY, HX, NH)] == [(1, 200000, False), (2, 0, False), (3, 0, False),
                                                        (4, 0, False), (5, -100000, False)]
    # district: every unit A 1 + C 1 (5 × 20/100) = 2, identical C, A, B, D: first and last at once →
    # reward 0 for everyone, tie, rank 1 shared
    for u in (WF, BG, YD, LA):
        assert r[u] == dec("1.00", "0.00", "1.00", "0.00", "2.00") + (1, 0, True)
    flags = query(out, "select unit_code, detail from data_flags where quarter = '2020Q4' and flag = 'tie' "
                       "order by unit_code")
    assert [UNITS[c] for c, _ in flags] == sorted([WF, BG, YD, LA], key=CODE.get)
    assert all(d.startswith("全组并列，奖惩由专班决定") for _, d in flags), flags


# ---- annual ----

# A1 per quarter Q1..Q4 (county and 文峰/殷都/龙安: A only)
A1 = {
    LZ: [2, 2, 2, 2.02],       # mean 8.02/4 = 2.005 → 2.01
    AY: [2.75, 2.75, 2.75, 2.75],  # 2.75
    TY: [2.5, 3, 3, 2.51],     # mean 11.01/4 = 2.7525 → 2.75: ties 安阳 once rounded
    HX: [0.5, 0.5, 0.5, 0.5],  # A 0.50 (+ D below)
    NH: [0.25, 0.25, 0.25, 0.26],  # mean 1.01/4 = 0.2525 → 0.25
    WF: [3, 3, 3, 3],          # 3.00
    BG: [2, 2, 2, 2],          # 2.00 (+ C in Q4 below)
    YD: [1, 1, 1, 1],
    LA: [1, 1, 1, 1],
}


def annual_quarter(q: int) -> dict[str, list[dict]]:
    return quarter_data(
        a1={u: s[q - 1] for u, s in A1.items()},
        c6_paid={BG: 80} if q == 4 else {},          # Q4 only: 5 × 80/100 / t(Q4)=1 = 4
        d1={HX: ["一般"]} if q >= 2 else {},         # issued 2020-02-01, reported from Q2 on: 0.3 in Q2, Q3, Q4
    )


def test_annual_composite_means_rounded_half_up_and_rewards(dirs):
    _, out = dirs
    for q in (1, 2, 3, 4):
        assert run(dirs, f"2020Q{q}", annual_quarter(q)) == "done"
    assert publish_year(out, 2020) == ("done", 4)
    a = annual(out, 2020)
    #                         A       B       C       D       total
    assert a[LZ][:5] == dec("2.01", "0.00", "0.00", "0.00", "2.01")   # 8.02/4 = 2.005 → 2.01
    assert a[AY][:5] == dec("2.75", "0.00", "0.00", "0.00", "2.75")
    assert a[TY][:5] == dec("2.75", "0.00", "0.00", "0.00", "2.75")   # 11.01/4 = 2.7525 → 2.75
    # 滑县: A 0.5; D (0 + 0.3 + 0.3 + 0.3)/4 = 0.225 → 0.23; total (0.5 + 0.8 + 0.8 + 0.8)/4 = 2.9/4 = 0.725 → 0.73
    assert a[HX][:5] == dec("0.50", "0.00", "0.00", "0.23", "0.73")
    assert a[NH][:5] == dec("0.25", "0.00", "0.00", "0.00", "0.25")   # 1.01/4 = 0.2525 → 0.25
    # county: the rounded totals are ranked: 汤阴 2.75 = 安阳 2.75, 林州 2.01, 滑县 0.73, 内黄 0.25;
    # 汤阴 and 安阳 have the same rounded C, A, B, D → both first, tie (the unrounded 2.7525 does not win)
    assert a[TY][5:] == (1, 500000, True, "final")
    assert a[AY][5:] == (1, 500000, True, "final")
    assert a[LZ][5:] == (3, 0, False, "final")
    assert a[HX][5:] == (4, 0, False, "final")
    assert a[NH][5:] == (5, -500000, False, "final")
    # 北关: totals 2, 2, 2, 2 + 4 = 6 → 12/4 = 3.00; C (0 + 0 + 0 + 4)/4 = 1.00; ties 文峰 at 3.00 → C 1 > 0: 北关
    assert a[WF][:5] == dec("3.00", "0.00", "0.00", "0.00", "3.00")
    assert a[BG][:5] == dec("2.00", "0.00", "1.00", "0.00", "3.00")
    assert a[WF][5:] == (1, 0, False, "final")
    assert a[BG][5:] == (1, 500000, False, "final")
    # 殷都 and 龙安: 1.00 in everything → full tie for last, both −500000
    assert a[YD] == dec("1.00", "0.00", "0.00", "0.00", "1.00") + (3, -500000, True, "final")
    assert a[LA] == dec("1.00", "0.00", "0.00", "0.00", "1.00") + (3, -500000, True, "final")
    used = query(out, "select distinct quarters_used from annual_results where year = 2020")
    assert used == [("2020Q1,2020Q2,2020Q3,2020Q4",)]


def test_annual_with_three_quarters_is_provisional(dirs):
    _, out = dirs
    for q in (1, 2, 3):
        assert run(dirs, f"2020Q{q}", annual_quarter(q)) == "done"
    status, found = publish_year(out, 2020)
    assert (status, found) == ("provisional", 3)
    assert {row[8] for row in annual(out, 2020).values()} == {"provisional"}
    used = query(out, "select distinct quarters_used from annual_results where year = 2020")
    assert used == [("2020Q1,2020Q2,2020Q3",)]


def test_annual_with_a_provisional_quarter_is_provisional(dirs):
    _, out = dirs
    for q in (1, 3, 4):
        assert run(dirs, f"2020Q{q}", annual_quarter(q)) == "done"
    # Q2 without R11 (政策措施文件), run told to continue: provisional, D1/D2 score 0 with missing_return
    q2 = annual_quarter(2)
    del q2["R11"]
    assert run(dirs, "2020Q2", q2, continue_on_missing=True) == "provisional"
    statuses = query(out, "select distinct status from quarter_results where quarter = '2020Q2'")
    assert statuses == [("provisional",)]
    d1 = query(out, "select points, flags from indicator_scores where quarter = '2020Q2' and indicator_code = 'D1' "
                    "and unit_code = ?", [CODE[HX]])
    assert d1[0][0] == Decimal("0.00") and "missing_return" in d1[0][1]   # 一般 0.3 would have counted
    status, found = publish_year(out, 2020)
    assert (status, found) == ("provisional", 4)
    assert {row[8] for row in annual(out, 2020).values()} == {"provisional"}
