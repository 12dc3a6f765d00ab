"""红黑榜 by the rubric's [honour_roll] rules (SPEC §13): validated on load, applied in one place
(config/honour_roll.py through tongbao/facts.py) and shown alike in the workbook, the 通报 and the page.

Known answers on test_analyst_views' two hand-built quarters, where every total is the unit's A1 score:

  2020Q1  county  林州 3, 安阳 2, 汤阴 1, 滑县 0.5, 内黄 0     (no previous quarter: rank_change null)
          district 文峰 2, 北关 1, 殷都 0.5, 龙安 0
  2020Q2  county  内黄 3 (5 → 1, up 4), …, 滑县 0 (4 → 5, down 1)
          district as in 2020Q1: 文峰 first and 龙安 last, neither moved (rank_change 0)

The rules of this module's rubric: 红榜 = first with a total ≥ 2.5 and a rise of at least 1 place;
黑榜 = last with a total ≤ 0 and a fall of at least 1 place (max_rank_change −1). So in 2020Q2:
红榜 county 内黄 (3 ≥ 2.5, up 4), district nobody (文峰 2 < 2.5 and did not move);
黑榜 county 滑县 (0, down 1), district nobody (龙安 0 but did not move). In 2020Q1 no rank changed
(null), so both rolls are empty although 林州 (3) is first.
"""

from __future__ import annotations

from decimal import Decimal

import docx
import pytest
from openpyxl import load_workbook

from builders import write_quarter
from conftest import evaluate
from sbsk.config.honour_roll import HonourRoll, RollRule, parse_honour_roll
from sbsk.config.rubric import RUBRIC_FILE, RubricError, load_rubric
from sbsk.store.warehouse import read_only
from test_analyst_views import Q1_A1, Q2_A1
from test_ranking import quarter_data

RULES = """[honour_roll.red]
rank = "first"
min_total = 2.5
min_rank_change = 1

[honour_roll.black]
rank = "last"
max_total = 0
max_rank_change = -1
"""
SHIPPED = '[honour_roll.red]\nrank = "first"\n\n[honour_roll.black]\nrank = "last"\n'


def _rubric(tmp_path, rules: str):
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    assert SHIPPED in text
    path = tmp_path / "rubric-honour.toml"
    path.write_text(text.replace(SHIPPED, rules), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    root = tmp_path_factory.mktemp("honour")
    raw, out = root / "raw", root / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SBSK_RUBRIC", str(_rubric(root, RULES)))
        for quarter, a1 in (("2020Q1", Q1_A1), ("2020Q2", Q2_A1)):
            write_quarter(raw, quarter, quarter_data(a1=a1))
            assert evaluate(raw, out, quarter)["status"] == "done"
    return out


def test_the_shipped_rubric_says_the_default_rolls():
    assert load_rubric().honour_roll == HonourRoll(RollRule("first"), RollRule("last"))
    assert parse_honour_roll(None, Decimal(100)) == HonourRoll()


@pytest.mark.parametrize("rules, words", [
    ('[honour_roll.red]\nrank = "top"\n', "honour_roll.red.rank: 'top'"),
    ('[honour_roll.red]\nmin_totl = 80\n', "honour_roll.red: unknown key(s) ['min_totl']"),
    ('[honour_roll.black]\nmax_total = 120\n', "honour_roll.black.max_total: 120 is outside 0 … total_points 100"),
    ('[honour_roll.black]\nmax_total = "60"\n', "honour_roll.black.max_total: '60' is not a number"),
    ('[honour_roll.red]\nmin_rank_change = 1.5\n', "honour_roll.red.min_rank_change: 1.5 is not a whole number"),
    ('[honour_roll.red]\nmin_total = 80\nmax_total = 60\n', "min_total 80 is above max_total 60"),
    ('[honour_roll.gold]\nrank = "first"\n', "honour_roll: unknown key(s) ['gold']"),
])
def test_a_broken_rule_is_refused_on_load(tmp_path, rules, words):
    with pytest.raises(RubricError) as err:
        load_rubric(_rubric(tmp_path, rules))
    assert words in str(err.value)


def test_the_rule_in_words():
    assert RollRule("first", min_total=Decimal("2.5"), min_rank_change=1).describe() == \
        "各组第一名，且总分不低于2.5分、进位至少1位"
    assert RollRule("last", max_total=Decimal(0), max_rank_change=-1).describe() == "各组末位，且总分不高于0分、退位至少1位"
    assert RollRule("last").describe() == "各组末位"


def _facts(out, quarter):
    from sbsk.outputs.tongbao.facts import quarter_facts
    with read_only(out) as con:
        return quarter_facts(con, quarter)


def test_the_rolls_follow_the_rubric(out):
    q2 = {g["label"]: (g["red"], g["black"]) for g in _facts(out, "2020Q2")["groups"]}
    assert q2 == {"县(市)组": (["内黄县"], ["滑县"]), "区组": ([], [])}
    # 2020Q1 has no previous quarter: a rank-change condition is met by nobody
    q1 = {g["label"]: (g["red"], g["black"]) for g in _facts(out, "2020Q1")["groups"]}
    assert q1 == {"县(市)组": ([], []), "区组": ([], [])}


def test_the_workbook_the_tongbao_and_the_page_show_the_same_rolls(out, tmp_path):
    from sbsk.outputs.bulletin import write_quarter_bulletin
    from sbsk.outputs.bulletin_html import write_quarter_html
    from sbsk.outputs.tongbao import write_quarter_tongbao

    with read_only(out) as con:
        book = write_quarter_bulletin(con, "2020Q2", tmp_path / "bulletin-2020Q2.xlsx")
        doc = write_quarter_tongbao(con, "2020Q2", tmp_path / "tongbao-2020Q2.docx")
        page = write_quarter_html(con, "2020Q2", tmp_path / "bulletin-2020Q2.html")
    rows = [[c.value for c in row] for row in load_workbook(book)["名次变化"].iter_rows(min_row=3)]
    assert ["县(市)组", "红榜", "内黄县", "3.00"] == rows[next(i for i, r in enumerate(rows) if r[1] == "红榜")][:4]
    assert ["区组", "红榜", "无", "—"] in [r[:4] for r in rows]
    assert ["县(市)组", "黑榜", "滑县", "0.00"] in [r[:4] for r in rows]
    assert ["区组", "黑榜", "无", "—"] in [r[:4] for r in rows]
    rule = "红榜为各组第一名，且总分不低于2.5分、进位至少1位；黑榜为各组末位，且总分不高于0分、退位至少1位"
    assert any(rule in str(r[0]) for r in rows)

    text = "\n".join(p.text for p in docx.Document(str(doc)).paragraphs)
    assert "列入红榜的是县(市)组内黄县，区组（无）；列入黑榜的是县(市)组滑县，区组（无）" in text

    html = page.read_text(encoding="utf-8")
    assert "<li>县(市)组：内黄县（3.00分）</li>" in html and "<li>县(市)组：滑县（0.00分）</li>" in html
    assert html.count("<li>区组：无</li>") == 2 and rule in html


def test_each_condition_alone_decides():
    """One group of three, worked by hand: 甲 first (80, up 2), 乙 second (70, no previous rank), 丙 and
    丁 tied last (50, down 1 and unmoved)."""
    group = [dict(group_rank=1, total=Decimal("80.00"), rank_change=2),
             dict(group_rank=2, total=Decimal("70.00"), rank_change=None),
             dict(group_rank=3, total=Decimal("50.00"), rank_change=-1),
             dict(group_rank=3, total=Decimal("50.00"), rank_change=0)]
    first, second, last, tied = group

    def admitted(rule):
        return [group.index(r) for r in group if rule.admits(r, group)]

    assert admitted(RollRule("first")) == [0] and admitted(RollRule("last")) == [2, 3]  # ties together
    assert admitted(RollRule("first", min_total=Decimal("80"))) == [0]          # 80 ≥ 80
    assert admitted(RollRule("first", min_total=Decimal("80.01"))) == []
    assert admitted(RollRule("first", max_total=Decimal("79.99"))) == []
    assert admitted(RollRule("first", min_rank_change=2)) == [0]
    assert admitted(RollRule("first", min_rank_change=3)) == []
    assert admitted(RollRule("first", max_rank_change=1)) == []
    assert admitted(RollRule("last", max_total=Decimal("50"))) == [2, 3]
    assert admitted(RollRule("last", min_total=Decimal("50.01"))) == []
    assert admitted(RollRule("last", max_rank_change=-1)) == [2]                # 丁 did not fall
    assert admitted(RollRule("last", min_rank_change=0)) == [3]
    assert RollRule("last").admits(first, [first]) is False                    # a group of one has no last
    assert RollRule("first").admits(first, [first]) is True
