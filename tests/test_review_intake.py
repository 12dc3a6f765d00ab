"""R12 观摩评分 as a return like any other (SPEC §3, §4, §11): recognised by its headers or its template's
code, read in Traditional characters, its row rules (items within their maxima, 评分人单位 a unit or a
department and never the unit scored), and kept to the half-year folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from openpyxl import Workbook, load_workbook

from builders import baseline, write_quarter
from conftest import evaluate
from review_builders import R12, scores, write_review
from sbsk.intake.check import check_paths
from sbsk.outputs.return_writer import put_text_safe, write_plain

H1 = "2020H1"


def _check(path: Path) -> dict:
    (verdict,) = check_paths([path])
    return verdict


def _messages(verdict: dict) -> list[str]:
    return [e["message"] for e in verdict["errors"]]


def test_items_above_their_maximum_or_below_zero_or_with_three_decimals_are_rejected(tmp_path):
    path = write_review(tmp_path, H1, [
        scores("林州市", "甲", [25, 25, 25, 25]),            # at the maximum: fine
        scores("林州市", "乙", [25.01, 20, 20, 20]),         # above 25
        scores("林州市", "丙", [20, -0.5, 20, 20]),          # below 0
        scores("林州市", "丁", [20, 20, 20.125, 20]),        # three decimals
        scores("林州市", "戊", [20, 20, 20, 20.1]),          # one decimal: fine
    ])
    v = _check(path)
    assert (v["return_code"], v["rows_read"], v["rows_loaded"], v["rows_rejected"]) == ("R12", 5, 2, 3)
    assert [(e["row_number"], e["column_name"], e["cell"]) for e in v["errors"]] == [
        (4, "项目谋划", "E4"), (5, "招商引资", "F5"), (6, "项目建设", "G6")]
    msgs = _messages(v)
    assert msgs[0].endswith("项目谋划(25.01)超过该项满分25")
    assert "不能小于0" in msgs[1]
    assert msgs[2].endswith("项目建设(20.125)最多保留两位小数")


def test_assessor_unit_is_a_unit_or_a_department_and_never_the_unit_scored(tmp_path):
    path = write_review(tmp_path, H1, [
        scores("林州市", "甲", 20, assessor_unit="发改委"),          # a department alias
        scores("林州市", "乙", 20, assessor_unit="汤阴"),            # another unit, by its short name
        scores("林州市", "丙", 20, assessor_unit="林洲市"),          # a typo: neither
        scores("湯陰縣", "丁", 20, assessor_unit="湯陰縣"),          # 回避, in Traditional characters
        scores("林州市", "戊", 20),                                 # not given: optional
    ])
    v = _check(path)
    assert (v["rows_loaded"], v["rows_rejected"]) == (3, 2)
    (typo, recusal) = v["errors"]
    assert (typo["row_number"], typo["cell"], typo["value"]) == (5, "D5", "林洲市")
    assert "不是县(市、区)或市直部门名称" in typo["message"]
    assert (recusal["row_number"], recusal["cell"]) == (6, "D6")
    assert "回避" in recusal["message"] and recusal["message"].startswith(str(path))


def test_traditional_headers_and_spaced_names_are_read(tmp_path):
    wb = Workbook()
    ws = wb.active
    put_text_safe(ws.cell(1, 1), "2020年上半年觀摩評分表")
    headers = ["縣（市、區）", "觀摩組", "評分人", "評分人單位", "項目謀劃", "招商引資", "項目建設", "服務保障", "評分說明"]
    for j, h in enumerate(headers, start=1):
        put_text_safe(ws.cell(3, j), h)
    for i, row in enumerate([["內黃縣", "第一 觀摩組", "張 三", "市財政局", "20", "21.5", "22", "23", "好"],
                             ["龍安區", "第一觀摩組", "張三", "", 18, 19, 20, 21, None]], start=4):
        for j, value in enumerate(row, start=1):
            if value is not None:
                put_text_safe(ws.cell(i, j), value)
    path = tmp_path / H1 / "zdxmb" / "繁体.xlsx"
    path.parent.mkdir(parents=True)
    wb.save(path)
    from sbsk.intake.discover import discover
    from sbsk.intake.ingest import ingest
    from sbsk.intake.validate import context_for
    from sbsk.config.registry import load_registry
    from sbsk.config.rubric import load_rubric
    from sbsk.schemas import load_returns

    defs = load_returns()
    ctx = context_for(2020, load_rubric(), load_registry())
    (source,) = discover(tmp_path, H1, defs)
    res = ingest(source, defs, ctx)
    assert (res.return_code, res.rows_loaded, res.rejections) == ("R12", 2, [])
    rows = res.loaded.to_dict("records")
    # a person's name keeps its characters (no table converts every name), only its spaces go
    assert [(r["unit"], r["review_group"], r["assessor"], r["assessor_unit"]) for r in rows] == [
        ("410527", "第一观摩组", "張三", "czj"), ("410506", "第一观摩组", "張三", None)]
    assert [r["attraction"] for r in rows] == [21.5, 19]


def test_r12_in_a_quarter_folder_is_rejected_whole(dirs):
    raw, out = dirs
    data = baseline()
    write_quarter(raw, "2020Q2", data)
    write_review(raw, "2020Q2", [scores("林州市", "甲", 20)])
    res = evaluate(raw, out, "2020Q2")
    (r12,) = [r for r in res["results"] if r.return_code == "R12"]
    assert r12.status == "rejected"
    assert "每半年报送一次" in r12.file_message and "2020H1" in r12.file_message
    assert res["status"] == "done"  # the quarter's own returns are all there: R12 is never missing from a quarter


def test_a_quarter_return_in_a_half_year_folder_is_rejected_whole(tmp_path):
    data = baseline()
    ret_rows = data["R10"]
    from sbsk.schemas import load_returns

    path = write_plain(tmp_path / H1 / "zdxmb" / "R10.xlsx", load_returns().returns["R10"], ret_rows)
    v = _check(path)
    assert (v["return_code"], v["status"]) == ("R10", "rejected")
    assert "是季度报表" in _messages(v)[0] and "2020Q2/zdxmb/" in _messages(v)[0]


def test_the_template_guide_lists_the_rules_then_one_row_a_column(tmp_path):
    from sbsk.outputs.review_template import write_review_template

    ws = load_workbook(write_review_template(H1, tmp_path / "out"))["填报说明"]
    assert ws["A1"].value == "《观摩评分》填报说明" and ws["A1"].font.sz == 14
    assert ws["A6"].value == "填报要求：" and ws["A6"].font.b and ws["A14"].value == "各列填写规则："
    assert ws["A11"].value == "5. 某县(市、区)的评分人达到5人时，每项去掉一个最高分和一个最低分后取平均。"
    assert "A11:D11" in {str(r) for r in ws.merged_cells.ranges}                # across the table, wrapped
    assert [c.value for c in ws[15]] == ["序号", "列名", "是否必填", "填写规则"]
    first = [c.value for c in ws[16]]
    assert first[:3] == [1, R12.columns[0].label, "必填"] and ws["D16"].alignment.wrap_text
    assert [c.value for c in ws[15 + len(R12.columns)]][0] == len(R12.columns)
    assert [ws.column_dimensions[x].width for x in "ABCD"] == [6, 18, 10, 70]


def test_the_template_is_recognised_by_its_code_and_has_its_drop_downs(tmp_path):
    from sbsk.outputs.review_template import write_review_template

    path = write_review_template(H1, tmp_path / "out")
    assert path == tmp_path / "out" / H1 / "templates" / "zdxmb" / "R12-观摩评分.xlsx"
    wb = load_workbook(path)
    assert wb["_sbsk"]["A1"].value == "return_code" and wb["_sbsk"]["B1"].value == "R12"
    ws = wb["数据"]
    headers = [c.value for c in ws[2]]
    assert headers == [c.label for c in R12.columns]
    dvs = {str(dv.sqref)[0]: dv for dv in ws.data_validations.dataValidation}
    assert dvs["A"].type == "list" and dvs["A"].showErrorMessage           # units: only the year's units
    assert dvs["B"].type == "list" and not dvs["B"].showErrorMessage       # review groups: may be typed
    assert "第一观摩组" in dvs["B"].formula1
    assert dvs["C"].type is None                                           # assessors: typed
    assert dvs["D"].type == "list" and dvs["D"].showErrorMessage           # units and departments
    assert (dvs["E"].type, dvs["E"].formula1, dvs["E"].formula2) == ("decimal", "0", "25")
    # filled in under a new title, it is recognised by the code it carries
    ws["A1"] = "某观摩组评分"
    for j, value in enumerate(["汤阴县", "第二观摩组", "王五", "市商务局", 20, 21, 22, 23], start=1):
        ws.cell(5, j, value)
    filled = tmp_path / "raw" / H1 / "zdxmb" / "filled.xlsx"
    filled.parent.mkdir(parents=True)
    wb.save(filled)
    v = _check(filled)
    assert (v["return_code"], v["recognised_by"], v["rows_loaded"], v["rows_skipped"]) == (
        "R12", "模板报表代码 R12", 1, 2)   # the two example rows are skipped


# ---- messy layouts (sbsk/samples/layouts.py): read exactly like the plain file of the same rows ----

MESSY_ROWS = [
    dict(scores("林州市", "张三", [20, 21.5, 22, 23.25], assessor_unit="市发展改革委"), projects="智能装备产业园"),
    dict(scores("汤阴县", "张三", [18, 19, 20.5, 21]), note="基础扎实"),
    dict(scores("龙安区", "李四", [24, 23, 22, 21], group="第二观摩组", assessor_unit="汤阴县")),
    dict(scores("北关区", "李四", [0, 25, 12.5, 7], group="第二观摩组")),
]
MESSY_TRAITS = [
    {"title_rows", "filler_rows", "notes_below"},
    {"merged_header", "header_noise", "extra_columns"},
    {"traditional_text", "unit_variants", "numbers_as_text"},
    {"shuffled_columns", "hidden_column", "notes_sheet", "merged_header"},
    {"xls", "title_rows", "unit_variants"},
]


def _typed(path: Path) -> list[dict]:
    from sbsk.intake.discover import SourceFile, sha256_of
    from sbsk.intake.ingest import ingest
    from sbsk.intake.validate import context_for
    from sbsk.config.registry import load_registry
    from sbsk.config.rubric import load_rubric
    from sbsk.schemas import load_returns

    source = SourceFile(path, path.name, "zdxmb", "zdxmb", sha256_of(path))
    res = ingest(source, load_returns(), context_for(2020, load_rubric(), load_registry()))
    assert res.status == "loaded" and res.rejections == [], [e["message"] for e in res.rejections]
    return res.loaded.drop(columns="_row").to_dict("records")


@pytest.mark.parametrize("traits", MESSY_TRAITS, ids=["+".join(sorted(t)) for t in MESSY_TRAITS])
def test_messy_layouts_read_like_the_plain_file(tmp_path, traits):
    from sbsk.samples.layouts import write_messy

    messy = write_messy(tmp_path / "messy" / "zdxmb" / "R12.xlsx", "R12", MESSY_ROWS, traits, quarter=H1)
    plain = write_review(tmp_path / "plain", H1, MESSY_ROWS)
    v = _check(messy.path)
    assert (v["return_code"], v["rows_loaded"], v["rows_rejected"]) == ("R12", 4, 0), _messages(v)
    assert v["rows_read"] == 4 + sum(messy.skipped.values())
    assert _typed(messy.path) == _typed(plain)


# ---- the rubric's [review] is validated on load ----

def _review_doc(**changes) -> dict:
    import tomllib

    from sbsk.config.rubric import RUBRIC_FILE

    with open(RUBRIC_FILE, "rb") as fh:
        doc = tomllib.load(fh)
    doc["review"].update(changes)
    return doc


@pytest.mark.parametrize("changes, message", [
    ({"items": [{"field": "planning", "name": "项目谋划", "max_points": 25}]}, "must be the same"),
    ({"items": [{"field": f, "name": f, "max_points": 25} for f in ("planning", "attraction", "construction",
                                                                   "service", "extra")]}, "must be the same"),
    ({"items": [{"field": f, "name": f, "max_points": 0} for f in ("planning", "attraction", "construction",
                                                                  "service")]}, "max_points must be positive"),
    ({"trim_min": 2}, "trim_min"),
    ({"annual_review_weight": 1.5}, "annual_review_weight"),
    ({"annual_review_weight": 0.12345}, "annual_review_weight"),
    ({"outlier_points": -1}, "outlier_points"),
    ({"trimmed": 5}, "unknown key"),
])
def test_a_broken_review_section_is_refused(changes, message):
    from sbsk.config.rubric import RubricError, parse_rubric
    from sbsk.schemas import load_returns

    with pytest.raises(RubricError, match=message):
        parse_rubric(_review_doc(**changes), set(load_returns().returns))


def test_the_default_review_section():
    from decimal import Decimal

    from sbsk.config.rubric import load_rubric

    review = load_rubric().review
    assert [(i.field, i.name, i.max_points) for i in review.items] == [
        ("planning", "项目谋划", 25), ("attraction", "招商引资", 25), ("construction", "项目建设", 25),
        ("service", "服务保障", 25)]
    assert (review.trim_min, review.outlier_points, review.annual_review_weight) == (5, Decimal(8), Decimal(0))
