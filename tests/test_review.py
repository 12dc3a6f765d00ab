"""The half-yearly on-site review (SPEC §11), with known answers worked out by hand.

Items are 项目谋划, 招商引资, 项目建设, 服务保障 (each 0–25); from trim_min = 5 assessors of a unit on,
one highest and one lowest value of each item are dropped; the total is the sum of the unrounded
item means rounded once half up; the assessor consistency deviation is the mean over their units of
(their total − the unit's untrimmed mean total), |deviation| > 8 flagged. Every expected value is in
the comment next to it.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from conftest import query
from review_builders import assessors_of, results_of, run_review, scores, write_review

H1 = "2020H1"


def county_rows() -> list[dict]:
    return [
        # 林州市: exactly trim_min (5) assessors → each item drops one highest and one lowest value.
        #   项目谋划 25 25 20 18 10: one of the tied 25s and the 10 go → (25+20+18)/3 = 21
        #   招商引资 15 ×5: one 15 as highest, one as lowest → 45/3 = 15
        #   项目建设 12 12 19 20 24: the 24 and one of the tied 12s go → (12+19+20)/3 = 17
        #   服务保障 20.01 20.02 20.03 25 0: the 25 and the 0 go → 60.06/3 = 20.02
        #   total 21 + 15 + 17 + 20.02 = 73.02; untrimmed (98 + 75 + 87 + 85.06)/5 = 69.012 → 69.01
        scores("林州市", "林甲", [25, 15, 12, 20.01]),
        scores("林州市", "林乙", [25, 15, 12, 20.02]),
        scores("林州市", "林丙", [20, 15, 19, 20.03]),
        scores("林州市", "林丁", [18, 15, 20, 25]),
        scores("林州市", "林戊", [10, 15, 24, 0], assessor_unit="市发展改革委"),
        # 回避: an assessor from 林州市 scoring 林州市 is rejected; counted it would make six assessors
        scores("林州市", "林己", [0, 0, 0, 0], assessor_unit="林州市人民政府"),
        # 安阳县: four assessors, one below trim_min → nothing dropped: 项目谋划 (10+20+22+24)/4 = 19
        # (trimmed it would be 21); the other items 20 → total 79.00
        scores("安阳县", "安甲", [10, 20, 20, 20]),
        scores("安阳县", "安乙", [20, 20, 20, 20]),
        scores("安阳县", "安丙", [22, 20, 20, 20]),
        scores("安阳县", "安丁", [24, 20, 20, 20], assessor_unit="汤阴县"),
        # 汤阴县: three assessors, each item 20, 20, 20.01 → mean 60.01/3 = 20.00333… shown 20.00;
        # total 4 × 60.01/3 = 80.01333… → 80.01, while the rounded means add up to 80.00
        scores("汤阴县", "汤甲", 20),
        scores("汤阴县", "汤乙", 20),
        scores("汤阴县", "汤丙", 20.01),
        # 滑县: three equal assessors, total 21 + 15 + 17 + 20.02 = 73.02, level with 林州市
        scores("滑县", "滑甲", [21, 15, 17, 20.02]),
        scores("滑县", "滑乙", [21, 15, 17, 20.02]),
        scores("滑县", "滑丙", [21, 15, 17, 20.02]),
        # 内黄县: nobody scored it
    ]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    root = tmp_path_factory.mktemp("review-county")
    dirs = (root / "raw", root / "out")
    write_review(dirs[0], H1, county_rows())
    results = run_review(dirs, H1)
    return dirs[1], results


def test_trimming_from_exactly_trim_min_with_tied_values(county):
    out, _ = county
    lz = results_of(out, H1)["林州市"]
    assert (lz["planning"], lz["attraction"], lz["construction"], lz["service"]) == (D("21"), D("15"), D("17"),
                                                                                      D("20.02"))
    assert lz["total"] == D("73.02")
    assert (lz["assessors"], lz["trimmed"]) == (5, 2)          # the 回避 row is not an assessor of the unit
    assert lz["untrimmed_total"] == D("69.01")


def test_below_trim_min_nothing_is_dropped(county):
    out, _ = county
    ay = results_of(out, H1)["安阳县"]
    assert ay["planning"] == D("19") and ay["total"] == D("79.00")
    assert (ay["assessors"], ay["trimmed"]) == (4, 0)


def test_only_the_total_is_rounded(county):
    out, _ = county
    ty = results_of(out, H1)["汤阴县"]
    assert [ty[f] for f in ("planning", "attraction", "construction", "service")] == [D("20.00")] * 4
    assert ty["total"] == D("80.01")                           # not 80.00, the sum of the rounded means


def test_ranking_within_the_group_ties_share_the_better_rank(county):
    out, _ = county
    res = results_of(out, H1)
    ranks = {u: res[u]["group_rank"] for u in ("汤阴县", "安阳县", "林州市", "滑县", "内黄县")}
    # 80.01, 79.00, 73.02 = 73.02; 内黄县 unranked
    assert ranks == {"汤阴县": 1, "安阳县": 2, "林州市": 3, "滑县": 3, "内黄县": None}


def test_a_unit_nobody_reviewed(county):
    out, _ = county
    nh = results_of(out, H1)["内黄县"]
    assert (nh["total"], nh["planning"], nh["assessors"], nh["trimmed"], nh["flags"]) == (None, None, 0, 0,
                                                                                         "not_reviewed")
    flagged = query(out, "select unit_code from data_flags where quarter = ? and flag = 'not_reviewed' order by 1",
                    [H1])
    # the district group was not reviewed in this half year at all
    assert [c for (c,) in flagged] == ["410502", "410503", "410505", "410506", "410527"]


def test_recusal_row_is_rejected_naming_file_sheet_row_and_column(county):
    out, results = county
    (res,) = results
    (rej,) = res.rejections
    assert (rej["row_number"], rej["column_name"], rej["cell"], rej["value"]) == (8, "评分人单位", "D8", "林州市人民政府")
    assert rej["message"].startswith("2020H1/zdxmb/R12-观摩评分.xlsx 工作表「Sheet1」第8行 D列「评分人单位」：")
    assert "回避" in rej["message"]
    (stored,) = query(out, "select row_number, column_name from rejected_rows where quarter = ?", [H1])
    assert stored == (8, "评分人单位")
    assert (res.rows_read, res.rows_loaded, res.rows_rejected, res.rows_skipped) == (16, 15, 1, 0)


def test_review_scores_keep_lineage_and_exact_scores(county):
    out, _ = county
    rows = query(out, "select assessor, assessor_unit, assessor_unit_name, service, total, source_file, sheet, "
                      "row_number from review_scores where period = ? and unit_code = '410581' order by row_number",
                 [H1])
    assert rows[0] == ("林甲", None, None, D("20.01"), D("72.01"), "2020H1/zdxmb/R12-观摩评分.xlsx", "Sheet1", 3)
    assert rows[4][1:3] == ("fgw", "市发展改革委")
    assert [r[7] for r in rows] == [3, 4, 5, 6, 7]


# ---- assessor consistency --------------------------------------------------------------------------------

def district_rows() -> list[dict]:
    return [
        # 文峰区: 甲 60 and 乙 44 → untrimmed mean 52: 甲 +8 and 乙 −8 exactly: not above 8
        scores("文峰区", "甲", 15), scores("文峰区", "乙", 11),
        # 北关区: 丙 60.02 and 丁 44 → mean 52.01: 丙 +8.01 (lenient), 丁 −8.01 (strict), both flagged
        scores("北关区", "丙", [15.02, 15, 15, 15]), scores("北关区", "丁", 11),
        # 殷都区: 戊 70, 己 56 → mean 63: 戊 +7, 己 −7; 龙安区: 戊 70, 庚 50 → mean 60: 戊 +10, 庚 −10.
        # 戊's mean over their two units (7 + 10)/2 = 8.5 → flagged; 己 −7 is not; 庚 −10 is
        scores("殷都区", "戊", 17.5), scores("殷都区", "己", 14),
        scores("龙安区", "戊", 17.5), scores("龙安区", "庚", 12.5),
    ]


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    root = tmp_path_factory.mktemp("review-district")
    dirs = (root / "raw", root / "out")
    write_review(dirs[0], H1, district_rows())
    run_review(dirs, H1)
    return dirs[1]


def test_outlier_threshold_on_both_sides(district):
    got = assessors_of(district, H1)
    assert got == {
        "甲": (1, D("8.00"), False), "乙": (1, D("-8.00"), False),
        "丙": (1, D("8.01"), True), "丁": (1, D("-8.01"), True),
        "戊": (2, D("8.50"), True), "己": (1, D("-7.00"), False), "庚": (1, D("-10.00"), True),
    }
    flags = query(district, "select detail from data_flags where quarter = ? and flag = 'outlier_assessor' "
                            "order by detail", [H1])
    assert len(flags) == 4
    assert any("评分人丙" in d and "偏宽" in d and "8.01" in d for (d,) in flags)
    assert any("评分人庚" in d and "偏严" in d and "10.00" in d for (d,) in flags)


def test_outliers_never_change_a_score(district):
    res = results_of(district, H1)
    # 文峰区 (60 + 44)/2 = 52; 北关区 104.02/2 = 52.01; 殷都区 63; 龙安区 60
    assert {u: (r["total"], r["group_rank"]) for u, r in res.items() if r["unit_group"] == "district"} == {
        "文峰区": (D("52.00"), 4), "北关区": (D("52.01"), 3), "殷都区": (D("63.00"), 1), "龙安区": (D("60.00"), 2)}


def test_outlier_is_decided_on_the_exact_deviation(dirs):
    # 文峰区: totals 60, 48, 47.99 → mean 155.99/3; 甲's deviation (2·60 − 48 − 47.99)/3 = 24.01/3 = 8.00333…
    # shown as 8.00 yet above 8; 乙 (96 − 107.99)/3 = −3.99666… → −4.00; 丙 (95.98 − 108)/3 = −4.00666… → −4.01
    write_review(dirs[0], H1, [scores("文峰区", "甲", 15), scores("文峰区", "乙", 12),
                               scores("文峰区", "丙", [11.99, 12, 12, 12])])
    run_review(dirs, H1)
    assert assessors_of(dirs[1], H1) == {"甲": (1, D("8.00"), True), "乙": (1, D("-4.00"), False),
                                         "丙": (1, D("-4.01"), False)}


# ---- one row per assessor and unit; re-runs -------------------------------------------------------------

def test_second_score_of_an_assessor_for_a_unit_is_rejected_across_files(dirs):
    raw, out = dirs
    write_review(raw, H1, [scores("林州市", "张三", 20), scores("汤阴县", "张三", 21)], name="A-第一组.xlsx")
    write_review(raw, H1, [scores("林州市", "李四", 22), scores("林州市", "张 三", 10, group="第二观摩组")],
                 name="B-第二组.xlsx")
    results = run_review(dirs, H1)
    first, second = results
    assert first.rejections == []
    (rej,) = second.rejections
    assert (rej["row_number"], rej["column_name"], rej["cell"]) == (4, "评分人", "C4")
    assert "2020H1/zdxmb/A-第一组.xlsx 第3行" in rej["message"] and "只能评分一次" in rej["message"]
    assert rej["message"].startswith("2020H1/zdxmb/B-第二组.xlsx 工作表「Sheet1」第4行 C列「评分人」：")
    # 林州市 keeps 张三's first score 80 and 李四's 88 → 84
    assert results_of(out, H1)["林州市"]["total"] == D("84.00")
    assert query(out, "select rows_read, rows_loaded, rows_rejected from source_files where quarter = ? "
                      "order by path", [H1]) == [(2, 2, 0), (2, 1, 1)]


def test_a_half_year_rerun_replaces_only_that_half_year(dirs):
    raw, out = dirs
    write_review(raw, H1, [scores("林州市", "甲", 20)])
    write_review(raw, "2020H2", [scores("林州市", "甲", 22)])
    run_review(dirs, H1)
    run_review(dirs, "2020H2")
    write_review(raw, H1, [scores("林州市", "甲", 21), scores("滑县", "乙", 19)])
    run_review(dirs, H1)
    assert query(out, "select period, count(*), sum(total) from review_scores group by period order by period") == [
        ("2020H1", 2, D("160.00")), ("2020H2", 1, D("88.00"))]
    assert results_of(out, "2020H2")["林州市"]["total"] == D("88.00")
    runs = query(out, "select kind, quarter, status from pipeline_runs order by started_at")
    assert runs == [("review", "2020H1", "done"), ("review", "2020H2", "done"), ("review", "2020H1", "done")]


@pytest.mark.parametrize("point", ["in-transaction", "before-replace"])
def test_a_review_killed_mid_publish_leaves_the_previous_results(dirs, point):
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    raw, out = dirs
    write_review(raw, H1, [scores("林州市", "甲", 20)])
    run_review(dirs, H1)
    before = query(out, "select * from review_results order by unit_code")
    write_review(raw, H1, [scores("林州市", "甲", 22), scores("滑县", "乙", 18)])
    tests = Path(__file__).resolve().parent
    code = (f"import sys; sys.path.insert(0, {str(tests)!r}); from pathlib import Path; "
            f"from review_builders import run_review; run_review((Path({str(raw)!r}), Path({str(out)!r})), {H1!r})")
    crashed = subprocess.run([sys.executable, "-c", code], env={**os.environ, "SBSK_CRASH_AT": point},
                             capture_output=True, text=True, timeout=120)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-500:]
    assert query(out, "select * from review_results order by unit_code") == before   # whole and readable
    run_review(dirs, H1)                                                               # the same run completes
    assert results_of(out, H1)["林州市"]["total"] == D("88.00")
    assert list(out.glob(".sbsk.duckdb.*")) == []
