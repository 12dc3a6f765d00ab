"""The annual composite with the on-site review (SPEC §11), with known answers worked out by hand.

The four quarters are tests/test_ranking.py's annual year, whose composites (§6's annual totals,
rounded) are: 林州 2.01 (8.02/4 = 2.005), 安阳 2.75, 汤阴 2.75, 滑县 0.73, 内黄 0.25; 文峰 3.00, 北关 3.00
(C 1.00 wins the tie), 殷都 1.00, 龙安 1.00. The reviews add, per half year, one assessor's total:

            H1      H2      mean R                 w = 0.2: 0.8 × C + 0.2 × R
    林州    80.00   81.00   80.50                  1.608 + 16.1 = 17.708 → 17.71 (the unrounded 2.005 would give 17.70)
    安阳    70.00   —       70.00                  2.2 + 14 = 16.20
    汤阴    90.00   90.01   90.005 (shown 90.01)   2.2 + 18.001 = 20.201 → 20.20
    滑县    —       —       none                   keeps 0.73
    内黄    85.00   85.00   85.00                  0.2 + 17 = 17.20
    文峰    60.00   61.00   60.50                  2.4 + 12.1 = 14.50
    北关    50.00   50.00   50.00                  2.4 + 10 = 12.40
    殷都    55.55   —       55.55                  0.8 + 11.11 = 11.91
    龙安    —       70.00   70.00                  0.8 + 14 = 14.80
"""

from __future__ import annotations

import dataclasses
import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest

from conftest import query
from review_builders import run_review, scores, write_review
from test_ranking import CODE, UNITS, annual_quarter, run
from sbsk import pipeline
from sbsk.config.registry import load_registry
from sbsk.config.rubric import load_rubric
from sbsk.schemas import load_returns

H1_ROWS = [scores("林州市", "甲", 20), scores("安阳县", "甲", 17.5), scores("汤阴县", "甲", 22.5),
           scores("内黄县", "甲", 21.25), scores("文峰区", "甲", 15), scores("北关区", "甲", 12.5),
           scores("殷都区", "甲", [13.88, 13.89, 13.89, 13.89])]
H2_ROWS = [scores("林州市", "甲", 20.25), scores("汤阴县", "甲", [22.5, 22.5, 22.5, 22.51]),
           scores("内黄县", "甲", 21.25), scores("文峰区", "甲", 15.25), scores("北关区", "甲", 12.5),
           scores("龙安区", "甲", 17.5)]


@pytest.fixture(scope="module")
def quarters(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("review-annual")
    dirs = (root / "raw", root / "out")
    for q in (1, 2, 3, 4):
        assert run(dirs, f"2020Q{q}", annual_quarter(q)) == "done"
    return root


@pytest.fixture
def year(quarters, tmp_path):
    """A copy of the four evaluated quarters, to add reviews to."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(quarters / "raw", raw)
    shutil.copytree(quarters / "out", out)
    return raw, out


def _annual(out: Path, weight: str) -> dict[str, tuple]:
    rubric = load_rubric()
    rubric = dataclasses.replace(rubric, review=dataclasses.replace(rubric.review, annual_review_weight=D(weight)))
    pipeline.publish_year(2020, load_returns(), rubric, load_registry(), out, pipeline.new_run_id(), pipeline.now())
    rows = query(out, "select unit_code, composite_total, review_total, total, group_rank, reward_yuan, review_weight, "
                      "review_periods from annual_results where year = 2020")
    return {UNITS[r[0]]: tuple(r[1:]) for r in rows}


def _review(dirs, h1=True, h2=True) -> None:
    if h1:
        write_review(dirs[0], "2020H1", H1_ROWS)
        run_review(dirs, "2020H1")
    if h2:
        write_review(dirs[0], "2020H2", H2_ROWS)
        run_review(dirs, "2020H2")


def test_weight_zero_shows_the_review_beside_the_ranking(year):
    _review(year)
    a = _annual(year[1], "0")
    # composite, review mean, total (= composite), rank, reward: exactly §6's annual (tests/test_ranking.py)
    assert a["林州市"][:5] == (D("2.01"), D("80.50"), D("2.01"), 3, 0)
    assert a["安阳县"][:5] == (D("2.75"), D("70.00"), D("2.75"), 1, 500000)
    assert a["汤阴县"][:5] == (D("2.75"), D("90.01"), D("2.75"), 1, 500000)
    assert a["滑县"][:5] == (D("0.73"), None, D("0.73"), 4, 0)
    assert a["内黄县"][:5] == (D("0.25"), D("85.00"), D("0.25"), 5, -500000)
    assert a["北关区"][:5] == (D("3.00"), D("50.00"), D("3.00"), 1, 500000)
    assert a["殷都区"][3:5] == (3, -500000) and a["龙安区"][3:5] == (3, -500000)
    assert a["林州市"][5:] == (D("0"), "2020H1,2020H2") and a["安阳县"][6] == "2020H1"


def test_weight_two_tenths_enters_the_total_and_rewards_follow_it(year):
    _review(year)
    a = _annual(year[1], "0.2")
    totals = {u: (r[2], r[3], r[4]) for u, r in a.items()}
    assert totals == {
        "汤阴县": (D("20.20"), 1, 500000), "林州市": (D("17.71"), 2, 0), "内黄县": (D("17.20"), 3, 0),
        "安阳县": (D("16.20"), 4, 0), "滑县": (D("0.73"), 5, -500000),
        "龙安区": (D("14.80"), 1, 500000), "文峰区": (D("14.50"), 2, 0), "北关区": (D("12.40"), 3, 0),
        "殷都区": (D("11.91"), 4, -500000),
    }
    # category scores stay the quarterly means
    cats = query(year[1], "select score_a, score_c from annual_results where year = 2020 and unit_code = ?",
                 [CODE["北关区"]])
    assert cats == [(D("2.00"), D("1.00"))]


def test_only_one_half_year_present(year):
    _review(year, h2=False)
    a = _annual(year[1], "0.2")
    # 林州 1.608 + 0.2 × 80 = 17.608 → 17.61; 汤阴 2.2 + 18 = 20.20; 文峰 2.4 + 12 = 14.40; 龙安 not reviewed: 1.00
    totals = {u: (r[1], r[2], r[3], r[4]) for u, r in a.items()}
    assert totals == {
        "汤阴县": (D("90.00"), D("20.20"), 1, 500000), "林州市": (D("80.00"), D("17.61"), 2, 0),
        "内黄县": (D("85.00"), D("17.20"), 3, 0), "安阳县": (D("70.00"), D("16.20"), 4, 0),
        "滑县": (None, D("0.73"), 5, -500000),
        "文峰区": (D("60.00"), D("14.40"), 1, 500000), "北关区": (D("50.00"), D("12.40"), 2, 0),
        "殷都区": (D("55.55"), D("11.91"), 3, 0), "龙安区": (None, D("1.00"), 4, -500000),
    }
    assert {r[6] for u, r in a.items() if r[1] is not None} == {"2020H1"}


def test_a_review_run_marks_the_annual_stale(year):
    _annual(year[1], "0")
    assert query(year[1], "select distinct status from annual_results where year = 2020") == [("final",)]
    _review(year, h2=False)
    assert query(year[1], "select distinct status from annual_results where year = 2020") == [("stale",)]


def _bulletin_rows(out: Path) -> list[list]:
    from openpyxl import load_workbook
    from sbsk.outputs.bulletin import write_annual_bulletin

    con = pipeline.open_published(out)
    try:
        path = write_annual_bulletin(con, 2020, out / "2020" / "bulletin-2020.xlsx")
    finally:
        con.close()
    return [[c.value for c in row] for row in load_workbook(path)["排名"].iter_rows()]


def test_annual_bulletin_shows_the_review(year):
    _review(year)
    _annual(year[1], "0")
    rows = _bulletin_rows(year[1])
    header = next(r for r in rows if r[0] == "排名")
    assert header == ["排名", "县(市、区)", "第一季度", "第二季度", "第三季度", "第四季度", "观摩评价", "年度总分", "奖惩(元)"]
    lz = next(r for r in rows if r[1] == "林州市")
    assert lz[6:] == [80.5, 2.01, 0]
    assert next(r for r in rows if r[1] == "滑县")[6] is None
    assert any(r[0] and "不计入年度总分" in str(r[0]) for r in rows)
    _annual(year[1], "0.2")
    rows = _bulletin_rows(year[1])
    header = next(r for r in rows if r[0] == "排名")
    assert header[6:] == ["季度综合", "观摩评价", "年度总分", "奖惩(元)"]
    lz = next(r for r in rows if r[1] == "林州市")
    assert lz[6:] == [2.01, 80.5, 17.71, 0]
    assert any(r[0] and "季度综合 × 0.8 + 观摩评价 × 0.2" in str(r[0]) for r in rows)


def test_the_review_mean_enters_unrounded(year):
    # 林州: H1 80.00, H2 80.05 → mean 80.025 (shown 80.03); w = 0.3: 0.7 × 2.01 + 0.3 × 80.025 = 1.407 + 24.0075
    # = 25.4145 → 25.41, where the rounded mean would give 1.407 + 24.009 = 25.416 → 25.42
    write_review(year[0], "2020H1", [scores("林州市", "甲", 20)])
    run_review(year, "2020H1")
    write_review(year[0], "2020H2", [scores("林州市", "甲", [20, 20, 20, 20.05])])
    run_review(year, "2020H2")
    a = _annual(year[1], "0.3")
    assert a["林州市"][:3] == (D("2.01"), D("80.03"), D("25.41"))
