"""The comparison of two result sets of a quarter (sbsk.store.diff), on hand-made sets: a unit is
changed when its total, rank or reward differs; moved points without such a change are listed apart."""

from __future__ import annotations

from decimal import Decimal as D

from sbsk.store.diff import ResultSet, compare, diff_lines

LABELS = {"county": "县(市)组", "district": "区组"}


def row(code, name, group, total, rank, reward, c="0.00", a="0.00"):
    return {"unit_code": code, "unit_name": name, "unit_group": group, "score_a": D(a), "score_b": D("0.00"),
            "score_c": D(c), "score_d": D("0.00"), "total": D(total), "group_rank": rank, "reward_yuan": reward,
            "tie": False, "status": "final"}


BEFORE = ResultSet("第1版", {
    "410581": row("410581", "林州市", "county", "10.00", 1, 200000, c="10.00"),
    "410522": row("410522", "安阳县", "county", "9.50", 2, 0, c="9.50"),
    "410523": row("410523", "汤阴县", "county", "3.00", 3, -200000, c="3.00"),
    "410502": row("410502", "文峰区", "district", "5.00", 1, 200000, c="5.00"),
    # 北关 and 殷都 tie at 4.00; C 4.00 > 3.00: 殷都 is last
    "410503": row("410503", "北关区", "district", "4.00", 2, 0, c="4.00"),
    "410505": row("410505", "殷都区", "district", "4.00", 2, -200000, c="3.00", a="1.00"),
}, {("410581", "C6"): D("5.00"), ("410522", "C6"): D("4.50"), ("410523", "C6"): D("3.00"),
    ("410502", "C6"): D("5.00"), ("410502", "C7"): D("0.00"), ("410503", "C6"): D("4.00"),
    ("410505", "C6"): D("3.00"), ("410505", "A1"): D("1.00")})


def test_changed_units_and_moved_points():
    after = ResultSet("第2版", {
        # 安阳 overtakes 林州: C6 4.50 → 5.00 and C7 0 → 0.60: 9.50 + 0.50 + 0.60 = 10.60
        "410581": row("410581", "林州市", "county", "10.00", 2, 0, c="10.00"),
        "410522": row("410522", "安阳县", "county", "10.60", 1, 200000, c="10.60"),
        "410523": row("410523", "汤阴县", "county", "3.00", 3, -200000, c="3.00"),
        # 文峰: C6 5.00 → 4.40 and C7 0 → 0.60, the same total: not a headline change
        "410502": row("410502", "文峰区", "district", "5.00", 1, 200000, c="5.00"),
        # 殷都: C6 3.00 → 4.00, A1 1.00 → 0.00, the same 4.00: now C, A, B, D all tie with 北关 → both last;
        # 北关's reward alone changes
        "410503": row("410503", "北关区", "district", "4.00", 2, -200000, c="4.00"),
        "410505": row("410505", "殷都区", "district", "4.00", 2, -200000, c="4.00"),
    }, {("410581", "C6"): D("5.00"), ("410522", "C6"): D("5.00"), ("410522", "C7"): D("0.60"),
        ("410523", "C6"): D("3.00"), ("410502", "C6"): D("4.40"), ("410502", "C7"): D("0.60"),
        ("410503", "C6"): D("4.00"), ("410505", "C6"): D("4.00"), ("410505", "A1"): D("0.00")})
    diff = compare("2020Q3", BEFORE, after)
    assert [c.unit_name for c in diff.headline] == ["安阳县", "林州市", "北关区"]   # group, then unit code
    assert [c.unit_name for c in diff.minor] == ["文峰区", "殷都区"]
    assert diff_lines(diff, LABELS) == [
        "2020Q3 第1版 → 第2版：3个单位的总分、排名或奖惩有变化",
        "  县(市)组 安阳县：总分 9.50 → 10.60（+1.10），排名 2 → 1，奖惩 0 → +200000元，指标 C6 4.50 → 5.00、C7 — → 0.60",
        "  县(市)组 林州市：总分 10.00 不变，排名 1 → 2，奖惩 +200000 → 0元",
        "  区组 北关区：总分 4.00 不变，奖惩 0 → -200000元",
        "  另有2个单位分项得分变化，总分、排名、奖惩不变：",
        "    文峰区：指标 C6 5.00 → 4.40、C7 0.00 → 0.60",
        "    殷都区：指标 A1 1.00 → 0.00、C6 3.00 → 4.00",
    ]
    anyang = diff.headline[0]
    assert anyang.categories == [("C", D("9.50"), D("10.60"))]


def test_the_same_results_have_no_change():
    diff = compare("2020Q3", BEFORE, ResultSet("草稿", dict(BEFORE.results), dict(BEFORE.points)))
    assert diff.changes == []
    assert diff_lines(diff, LABELS) == ["2020Q3 第1版 → 草稿：没有变化"]


def test_a_unit_in_one_set_only_is_a_change():
    results = dict(BEFORE.results)
    del results["410503"]
    results["410506"] = row("410506", "龙安区", "district", "1.00", 3, 0, c="1.00")
    diff = compare("2020Q3", BEFORE, ResultSet("草稿", results, {k: v for k, v in BEFORE.points.items()
                                                                  if k[0] != "410503"}))
    assert diff_lines(diff, LABELS) == [
        "2020Q3 第1版 → 草稿：2个单位的总分、排名或奖惩有变化",
        "  区组 北关区：不再计分（原总分 4.00，排名 2）",
        "  区组 龙安区：新增（总分 1.00，排名 3）",
    ]


def test_a_rank_that_moves_alone_is_a_change():
    # 汤阴 overtakes 安阳 (C6 3.00 → 5.00: 7.00 → 9.00); 安阳's total (8.00) and reward (0) stay, its
    # rank alone goes 2 → 3: still a change the office must see
    county = lambda ay, ty, ty_c6: ResultSet("x", {
        "410581": row("410581", "林州市", "county", "10.00", 1, 200000, c="10.00"),
        "410522": row("410522", "安阳县", "county", "8.00", ay, 0, c="8.00"),
        "410523": row("410523", "汤阴县", "county", ty_c6, ty, 0, c=ty_c6),
        "410526": row("410526", "滑县", "county", "3.00", 4, -200000, c="3.00"),
    }, {("410523", "C6"): D(ty_c6) - D("4.00")})
    before, after = county(2, 3, "7.00"), county(3, 2, "9.00")
    diff = compare("2020Q3", ResultSet("第1版", before.results, before.points),
                   ResultSet("第2版", after.results, after.points))
    assert diff_lines(diff, LABELS) == [
        "2020Q3 第1版 → 第2版：2个单位的总分、排名或奖惩有变化",
        "  县(市)组 安阳县：总分 8.00 不变，排名 2 → 3",
        "  县(市)组 汤阴县：总分 7.00 → 9.00（+2.00），排名 3 → 2，指标 C6 3.00 → 5.00",
    ]
