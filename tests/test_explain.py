"""`sbsk explain`: one small 2020Q3 (time progress 0.75) scored end to end, then explained.

builders.baseline() gives every unit one row in every return; the county group is changed so that
内黄县 has non-trivial numbers on a relative (A2), a progress (C6), a threshold (C1, with 滑县
missing the threshold), a graded (D1) and the C2 deduction. Every expected number below is worked
out by hand in the comment next to it.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from builders import baseline, reference_set, write_quarter
from conftest import evaluate
from review_builders import run_review, scores, write_review
from sbsk import pipeline
from sbsk.cli import main
from sbsk.config.registry import load_registry
from sbsk.config.rubric import load_rubric
from sbsk.outputs.explain import build_explanation, explain_command
from sbsk.config.periods import Quarter

Q = "2020Q3"
NH, LZ, TY, HX = "内黄县", "林州市", "汤阴县", "滑县"
CODES = ["A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8",
         "D1", "D2", "D3"]
R04_FILE = "2020Q3/tjj/R04-major_projects.xlsx"


def _returns() -> dict:
    data = baseline()  # 林州 i=1, 安阳 2, 汤阴 3, 滑县 4, 内黄 5: R01 省重大 1000 × i listed 2020-08-01
    r01 = dict(data["R01"][0])
    # A2 林州: 3 省重大 rows, Σ 1000 + 20000 + 9000 = 30000 (the county maxima); 内黄 1 row, 5000
    data["R01"] += [dict(r01, project_name="储备林州2", total_investment=20000),
                    dict(r01, project_name="储备林州3", total_investment=9000)]
    # C1 内黄: two events in the quarter (2500 + 1500 = 4000); 汤阴 one event of 8000 (the max);
    # 滑县: its only event is in Q2, so its count in the quarter is 0
    for row in data["R03"]:
        if row["unit"] == TY:
            row["total_investment"] = 8000
        if row["unit"] == HX:
            row["event_on"] = date(2020, 5, 1)
    data["R03"].append(dict(unit=NH, event_on=date(2020, 9, 1), project_count=1, total_investment=1500,
                            projects_over_100m=0))
    # C2 内黄: one real new start (30000) and one 开而未动 (ytd 0); nobody else starts anything new
    data["R04"] += [
        dict(unit=NH, project_name="新开工1", project_code="2020-410527-47-03-900001", total_investment=30000,
             nature="新开工", started_on=date(2020, 6, 1), annual_plan=1000, ytd_completed=200),
        dict(unit=NH, project_name="未动1", project_code="2020-410527-47-03-900002", total_investment=40000,
             nature="新开工", started_on=date(2020, 7, 10), annual_plan=1000, ytd_completed=0),
    ]
    # C6 内黄: paid 78 of 200 allocated
    for row in data["R06"]:
        if row["unit"] == NH:
            row.update(allocated=200, paid=78)
    # D1 内黄: 良 + 优 + 一般 = 0.6 + 1.0 + 0.3 = 1.9; 林州: 良 + 优 + 优 = 2.6, capped at 2
    doc = dict(data["R11"][0])
    data["R11"] += [dict(doc, unit=NH, title="内黄优", doc_number="内政〔2020〕1号", grade="优"),
                    dict(doc, unit=NH, title="内黄一般", doc_number="内政〔2020〕2号", grade="一般"),
                    dict(doc, unit=LZ, title="林州优1", doc_number="林政〔2020〕1号", grade="优"),
                    dict(doc, unit=LZ, title="林州优2", doc_number="林政〔2020〕2号", grade="优")]
    # A1: 滑县 gets no assessment
    data["R10"] = [r for r in data["R10"] if r["unit"] != HX]
    return data


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("explain")
    raw, out = root / "raw", root / "out"
    write_quarter(raw, Q, _returns())
    res = evaluate(raw, out, Q)
    assert res["status"] == "done", res["missing"]
    assert not [r["message"] for f in res["results"] for r in f.rejections]
    # 2020Q2 without the finance bureau's R07, scored as provisional
    q2 = baseline(day=date(2020, 5, 10))
    del q2["R07"]
    write_quarter(raw, "2020Q2", q2)
    assert evaluate(raw, out, "2020Q2", continue_on_missing=True)["status"] == "provisional"
    return out


def _json(out: Path, unit: str, capsys) -> dict:
    assert explain_command(Q, unit, out, True) == 0
    return json.loads(capsys.readouterr().out)


def _ind(ex: dict, code: str) -> dict:
    return next(i for i in ex["indicators"] if i["code"] == code)


# 内黄县's points, worked out by hand from _returns() (2020Q3, t = 0.75; county group 林州 … 内黄):
NH_POINTS = {
    "A1": 2.0,    # R10 score 2
    "A2": 2.5,    # 5 × 1/3 + 5 × 5000/30000 (林州 leads: 3 rows, Σ 30000)
    "A3": 0.0,    # every sector 其他, every project < 100000: a share of 0 everywhere
    "A4": 0.0,    # nothing implemented
    "A5": 0.0,    # no 省重点 row
    "B1": 3.0,    # 3 × 50/50: 内黄's 省外 paid_in 10 × 5 is the county maximum
    "B2": 5.0,    # 2.5 × 1/1 + 2.5 × 500/500
    "B3": 0.0,    # no contract ≥ 200000, no top investor
    "B4": 0.0,    # nothing landed
    "C1": 4.0,    # 3 (2 events ≥ 1) + 2 × 4000/8000
    "C2": 4.5,    # 2.5 + 2.5 − 0.5 for the one 开而未动
    "C3": 0.0,    # nothing completed
    "C4": 1.56,   # 5 × (700/3000)/0.75 = 1.5556
    "C5": 2.8,    # 4.2 × (50/100)/0.75; 市重点: no base, 0
    "C6": 2.6,    # 5 × (78/200)/0.75
    "C7": 3.33,   # 5 × (50/100)/0.75 = 3.3333
    "C8": 3.33,   # the same
    "D1": 1.9,    # 良 0.6 + 优 1.0 + 一般 0.3
    "D2": 0.0,    # no 推进项目 document
    "D3": 10.0,   # 7 × 1/1 + 3 × 1/1: accepted 07-01, done 07-20, 13 working days ≤ 50
}
NH_TOTAL = 46.52  # A 4.5 + B 8 + C 22.12 + D 11.9


def test_every_indicator_is_explained(out, capsys):
    ex = _json(out, "410527", capsys)
    assert (ex["quarter"], ex["unit_code"], ex["unit_name"]) == (Q, "410527", NH)
    assert [i["code"] for i in ex["indicators"]] == CODES
    for ind in ex["indicators"]:
        assert ind["points"] is not None and ind["parts"], ind["code"]
        assert ind["points"] <= ind["max_points"]
        for part in ind["parts"]:
            assert part["formula"] and part["metric_text"], (ind["code"], part["part"])
            assert part["source"]["return_code"]
    assert {i["code"]: i["points"] for i in ex["indicators"]} == pytest.approx(NH_POINTS)
    assert ex["total"] == pytest.approx(NH_TOTAL)
    assert set(ex) >= {"quarter", "unit_code", "unit_name", "total", "group_rank", "indicators"}


def test_relative_formula_and_group_leader(out, capsys):
    a2 = _ind(_json(out, "内黄", capsys), "A2")
    count, money = a2["parts"]
    # 内黄 1 row of 5000; the county leader 林州 has 3 rows, Σ 30000
    assert count["formula"] == "5 × 1 ÷ 3 = 1.6667"
    assert count["basis_text"] == "组内最高 3个（林州市）"
    assert money["formula"] == "5 × 5000 ÷ 30000 = 0.8333"
    assert money["source"] == {"return_code": "R01", "title": "项目谋划储备", "table": "stg_project_reserve",
                               "rows": 1, "files": ["2020Q3/fgw/R01-project_reserve.xlsx"]}
    assert a2["points"] == 2.5  # 5/3 + 5/6 = 15/6
    assert a2["lost"] == 7.5


def test_tied_leaders_are_named_in_unit_code_order_whatever_the_row_order(out, tmp_path):
    # every county unit signed one project (builders.baseline), so all five lead B2's count; the
    # database's rows are put in reverse order first, as a run's parallel inserts may leave them
    db = tmp_path / "sbsk.duckdb"
    shutil.copy(out / "sbsk.duckdb", db)
    con = duckdb.connect(str(db))
    try:
        con.execute("create temp table t as select * from indicator_scores order by unit_code desc")
        con.execute("delete from indicator_scores")
        con.execute("insert into indicator_scores select * from t")
        count = _ind(build_explanation(con, Quarter.parse(Q), "410527"), "B2")["parts"][0]
    finally:
        con.close()
    assert count["leaders"] == ["410522", "410523", "410526", "410527", "410581"]
    assert count["basis_text"] == "组内最高 1个（安阳县、汤阴县、滑县、内黄县、林州市）"


def test_progress_formula(out, capsys):
    c6 = _ind(_json(out, "410527", capsys), "C6")
    (part,) = c6["parts"]
    # 78 ÷ 200 = 0.39; 5 × 0.39 / 0.75 = 2.6
    assert part["metric_text"] == "已支付资金 78万元 ÷ 下达中央预算内资金 200万元 = 39%"
    assert part["formula"] == "5 × min(0.39 ÷ 0.75, 1) = 2.60"
    assert c6["points"] == 2.6
    c4 = _ind(_json(out, "410527", capsys), "C4")
    # started by the quarter end: (500 + 200 + 0) / (1000 + 1000 + 1000) = 0.2333…; 5 × 0.2333…/0.75 = 1.5556
    assert c4["parts"][0]["formula"] == "5 × min(0.2333 ÷ 0.75, 1) = 1.5556"
    assert c4["points"] == 1.56


def test_threshold_formula_met_and_missed(out, capsys):
    c1 = _ind(_json(out, "内黄县", capsys), "C1")
    threshold, relative = c1["parts"]
    assert threshold["formula"] == "活动次数 2 ≥ 1 → 3"
    assert relative["formula"] == "2 × 4000 ÷ 8000 = 1.00"  # 2500 + 1500 against 汤阴's 8000
    assert c1["points"] == 4.0
    hx = _ind(_json(out, "滑县", capsys), "C1")
    assert hx["parts"][0]["formula"] == "活动次数 0 < 1 → 0"
    assert hx["points"] == 0.0  # no event in the quarter: 0 + 2 × 0 / 8000


def test_graded_formula_and_cap(out, capsys):
    d1 = _ind(_json(out, "內黃縣", capsys), "D1")
    assert d1["parts"][0]["formula"] == "min(2, Σ等级分 1.9) = 1.90"
    assert d1["points"] == 1.9
    lz = _ind(_json(out, "林州", capsys), "D1")
    assert lz["parts"][0]["formula"] == "min(2, Σ等级分 2.6) = 2.00"


def test_c2_deduction_and_flag(out, capsys):
    c2 = _ind(_json(out, "410527", capsys), "C2")
    # 内黄 leads alone: 2.5 × 1/1 + 2.5 × 30000/30000 = 5; minus 0.5 for the one 开而未动
    assert [p["formula"] for p in c2["parts"]] == ["2.5 × 1 ÷ 1 = 2.50", "2.5 × 30000 ÷ 30000 = 2.50"]
    assert c2["deduction"] == 0.5
    assert c2["points"] == 4.5
    assert "5.00 − 0.5 = 4.50" in c2["formula"]
    assert c2["parts"][0]["source"]["rows"] == 3 and c2["parts"][0]["source"]["files"] == [R04_FILE]
    (flag,) = c2["data_flags"]
    assert flag["flag"] == "suspect_start" and flag["source_file"] == R04_FILE and "未动1" in flag["detail"]
    assert _ind(_json(out, "410527", capsys), "C3")["data_flags"] == []  # the deduction flag stays with C2


def test_missing_assessment(out, capsys):
    a1 = _ind(_json(out, "滑县", capsys), "A1")
    assert a1["points"] == 0.0 and a1["flags"] == ["missing_assessment"]
    assert a1["parts"][0]["formula"] == "专班未评分，计0分"
    assert _ind(_json(out, "内黄县", capsys), "A1")["parts"][0]["formula"] == "专班评分 2 → 2.00"


def test_text_output(out, capsys):
    assert explain_command(Q, "内黄", out, False) == 0
    text = capsys.readouterr().out
    assert text.startswith("2020年第三季度 内黄县（410527，县(市)组）")
    for code in CODES:
        assert f"\n{code} " in text, code
    assert "计算：5 × 1 ÷ 3 = 1.6667" in text
    assert "计算：5 × min(0.39 ÷ 0.75, 1) = 2.60" in text
    assert "计算：活动次数 2 ≥ 1 → 3" in text
    assert "计算：min(2, Σ等级分 1.9) = 1.90" in text
    assert f"数据来源：R04 亿元以上项目，本单位本季度 3 行（文件：{R04_FILE}）" in text
    assert "扣分：开而未动项目 1 个 × 0.5 = 扣 0.5 分" in text
    assert "A2 纳入省重大项目储备库项目情况（满分10）：得分 2.50，失分 7.50" in text


def test_the_database_the_json_and_the_text_give_the_hand_worked_points(out, capsys):
    from sbsk.store.warehouse import read_only

    con = read_only(out)
    try:
        db = dict(con.execute("select indicator_code, points from indicator_scores "
                              "where quarter = ? and unit_code = '410527'", [Q]).fetchall())
        (total,), = con.execute("select total from quarter_results where quarter = ? and unit_code = '410527'",
                                [Q]).fetchall()
    finally:
        con.close()
    assert {k: float(v) for k, v in db.items()} == pytest.approx(NH_POINTS)
    assert float(total) == pytest.approx(NH_TOTAL)
    assert explain_command(Q, "内黄县", out, False) == 0
    text = capsys.readouterr().out
    for code, points in NH_POINTS.items():
        assert re.search(rf"\n{code} [^\n]*得分 {points:.2f}", text), (code, points)


def test_exit_codes(out, tmp_path, capsys):
    assert explain_command(Q, "北京市", out, False) == 2
    assert "无法识别" in capsys.readouterr().err
    assert explain_command("2020Q1", "内黄县", out, False) == 1
    assert "没有考评结果" in capsys.readouterr().err
    assert explain_command(Q, "内黄县", tmp_path, False) == 1  # no database at all
    assert "找不到数据库" in capsys.readouterr().err


def test_database_from_before_numerators_is_refused(out, tmp_path, capsys):
    old = tmp_path / "old"
    old.mkdir()
    shutil.copyfile(out / "sbsk.duckdb", old / "sbsk.duckdb")
    con = duckdb.connect(str(old / "sbsk.duckdb"))
    for col in ("numerator_1", "denominator_1", "numerator_2", "denominator_2"):
        con.execute(f"alter table indicator_scores drop column {col}")
    con.close()
    assert explain_command(Q, "内黄县", old, False) == 1
    assert "旧版本" in capsys.readouterr().err


def test_missing_return_is_named(out, capsys):
    assert explain_command("2020Q2", "内黄县", out, True) == 0
    ex = json.loads(capsys.readouterr().out)
    assert ex["status"] == "provisional"
    c7 = _ind(ex, "C7")
    assert c7["points"] == 0.0 and c7["flags"] == ["missing_return"]
    assert c7["parts"][0]["formula"] == "R07本季度缺报，本分项计0分"
    assert c7["parts"][0]["source"]["rows"] == 0
    # the other returns were there: 50 ÷ 100 paid against a time progress of 0.5 gives the full 5
    assert _ind(ex, "C6")["parts"][0]["formula"] == "5 × min(0.5 ÷ 0.5, 1) = 5.00"


# The made-up registry of tests/test_reference_sets.py (three groups, six units), 甲县 also called 甲城,
# and a review rubric that trims from 3 assessors on (the shipped one: from 5).
THREE_GROUPS = "unit_group,label,sort_order\nnorth,北组,1\nmiddle,中组,2\nsouth,南组,3\n"
SIX_UNITS = """unit_code,unit_name,unit_group,valid_from,valid_to,aliases
990101,甲县,north,2020,,甲城
990102,乙县,north,2020,,
990103,丙县,middle,2020,,
990104,丁县,middle,2020,,
990105,戊县,middle,2020,,
990106,己县,south,2020,,
"""


def test_explain_knows_the_units_of_the_reference_set_it_is_given(tmp_path, capsys):
    """--reference DIR: a unit is found by a name only that set knows (甲城), and a half year's review is
    explained by that set's rubric (trim_min 3). Without it the shipped registry knows no 甲城, and the
    shipped rubric's trim_min (5) is the one said."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    ref = reference_set(tmp_path / "ref", SIX_UNITS, THREE_GROUPS, rubric={"trim_min = 5": "trim_min = 3"})
    units = {"990101": "甲县", "990102": "乙县", "990103": "丙县", "990104": "丁县", "990105": "戊县", "990106": "己县"}
    write_quarter(raw, Q, baseline(units))
    assert pipeline.evaluate(Q, raw, out, up_to="publish", reference_dir=ref)["status"] == "done"
    # 甲县 is unit 1 of north's 1 and 2 (tests/test_reference_sets.py): i/M = 1/2, so A2 5 + 2.5 = 7.5 and
    # 28.72 + 7.5 + B1 1.5 + B2 3.75 + C1 4 = 45.47, second of north's two
    assert main(["explain", Q, "甲城", "--json", "--out-dir", str(out), "--reference", str(ref)]) == 0
    ex = json.loads(capsys.readouterr().out)
    assert (ex["unit_code"], ex["unit_name"], ex["group_label"]) == ("990101", "甲县", "北组")
    assert (ex["total"], ex["group_rank"], ex["group_size"], _ind(ex, "A2")["points"]) == (45.47, 2, 2, 7.5)
    assert main(["explain", Q, "甲城", "--out-dir", str(out)]) == 2
    assert "无法识别的县(市、区)「甲城」" in capsys.readouterr().err

    # three assessors score 甲县 20, 21 and 25 on every item: from 3 on, the 25 and the 20 are dropped,
    # so every item is 21 and the total 84
    write_review(raw, "2020H1", [scores("甲县", a, v) for a, v in (("张", 20), ("王", 21), ("李", 25))])
    run_review((raw, out), "2020H1", load_rubric(ref / "rubric-2020.1.toml"),
               load_registry(ref / "units.csv", ref / "unit_groups.csv"))
    assert main(["explain", "2020H1", "甲城", "--out-dir", str(out), "--reference", str(ref)]) == 0
    text = capsys.readouterr().out
    assert "观摩总分 84.00，组内第1名（组内1个单位有观摩评分）" in text and "计算：(21) ÷ 1 = 21" in text
    assert "评分人3名，达到3名，每项去掉一个最高分和一个最低分后取平均" in text
    assert main(["explain", "2020H1", "990101", "--out-dir", str(out)]) == 0   # by code: the stored units
    assert "评分人3名，达到5名，每项去掉一个最高分和一个最低分后取平均" in capsys.readouterr().out
