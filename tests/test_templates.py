"""Blank templates: one per return, recognisable, with the headers and drop-downs the reader expects."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from builders import reference_set
from sbsk.cli import main
from sbsk.outputs.templates import _list_formula, template_file_name, write_templates
from sbsk.schemas import load_returns

QUARTER = "2020Q3"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("out")
    paths = write_templates(QUARTER, out)
    return {p.name.split("-")[0]: p for p in paths}


def _inline_list(dv) -> list[str]:
    assert dv.formula1.startswith('"') and dv.formula1.endswith('"'), dv.formula1
    return dv.formula1[1:-1].split(",")


def _validation_at(ws, coord: str):
    found = [dv for dv in ws.data_validations.dataValidation if coord in dv.sqref]
    assert len(found) == 1, f"{coord}: {len(found)} validations"
    return found[0]


def test_one_file_per_return_under_its_department(written, tmp_path_factory):
    defs = load_returns()
    assert sorted(written) == sorted(defs.returns)
    for code, path in written.items():
        ret = defs.returns[code]
        assert path.parent.name == ret.owner
        assert path.parent.parent.name == "templates"
        assert path.parent.parent.parent.name == QUARTER
        assert path.name == template_file_name(ret)
    assert written["R01"].name == "R01-项目谋划储备.xlsx"
    assert '"' not in written["R08"].name


def test_hidden_sheet_carries_the_return_code(written):
    defs = load_returns()
    for code, path in written.items():
        wb = load_workbook(path)
        assert wb.sheetnames[:2] == ["填报说明", "数据"]
        meta = wb["_sbsk"]
        assert meta.sheet_state == "hidden"
        assert [[c.value for c in row] for row in meta["A1:B3"]] == [
            ["return_code", code], ["template_version", defs.template_version], ["quarter", QUARTER],
        ]


def test_data_sheet_title_headers_and_examples(written):
    defs = load_returns()
    for code, path in written.items():
        ret = defs.returns[code]
        ws = load_workbook(path)["数据"]
        assert ws["A1"].value == f"2020年第三季度 {ret.title}"
        assert [ws.cell(2, j).value for j in range(1, len(ret.columns) + 1)] == [c.label for c in ret.columns]
        assert ws.cell(2, len(ret.columns) + 1).value is None
        assert ws.cell(2, 1).font.b
        assert ws.freeze_panes == "A3"
        assert ws["A3"].value == "（示例）林州市" and ws["A4"].value == "（示例）林州市"
        assert ws["A5"].value is None
        for j, col in enumerate(ret.columns, start=1):
            for row in (3, 4):
                value = ws.cell(row, j).value
                if col.type == "enum" and value is not None:
                    assert value in col.values
                if col.type == "bool" and value is not None:
                    assert value in ("是", "否")


def test_unit_column_drop_down_lists_active_units(written):
    for path in written.values():
        ws = load_workbook(path)["数据"]
        dv = _validation_at(ws, "A3")
        assert dv.type == "list"
        assert "A1000" in dv.sqref
        units = _inline_list(dv)
        assert "林州市" in units and "龙安区" in units and len(units) == 9
        assert dv.showInputMessage and dv.prompt


def test_every_enum_and_bool_column_has_its_drop_down(written):
    defs = load_returns()
    checked = 0
    for code, path in written.items():
        ws = load_workbook(path)["数据"]
        for j, col in enumerate(defs.returns[code].columns, start=1):
            letter = ws.cell(2, j).column_letter
            dv = _validation_at(ws, f"{letter}3")
            assert dv.promptTitle and dv.prompt, (code, col.field)
            if col.type == "enum":
                assert dv.type == "list" and _inline_list(dv) == list(col.values), (code, col.field)
                checked += 1
            elif col.type == "bool":
                assert dv.type == "list" and _inline_list(dv) == ["是", "否"]
            elif col.type == "amount":
                assert dv.type == "decimal" and dv.operator in ("greaterThanOrEqual", "greaterThan")
            elif col.type == "integer":
                assert dv.type == "whole"
            elif col.type == "date":
                assert dv.type == "date"
    assert checked == sum(c.type == "enum" for r in defs.returns.values() for c in r.columns)


def test_guide_sheet_describes_every_column(written):
    defs = load_returns()
    wb = load_workbook(written["R01"])
    text = [c.value for row in wb["填报说明"].iter_rows() for c in row if isinstance(c.value, str)]
    joined = "\n".join(text)
    assert "市发展改革委" in joined and "2020年第三季度" in joined and "（示例）" in joined
    assert "万元" in joined and "2020-07-03" in joined
    for col in defs.returns["R01"].columns:
        assert col.label in text
    assert any("省重大、省重点" in t for t in text)


def test_no_formulas_in_templates(written):
    for path in written.values():
        for ws in load_workbook(path).worksheets:
            for row in ws.iter_rows():
                assert all(c.data_type != "f" for c in row), (path.name, ws.title)


def test_long_lists_go_to_the_hidden_sheet():
    meta = Workbook().active
    names = [f"很长的单位名称第{i}号" for i in range(40)]
    formula = _list_formula(names, meta, 4)
    assert formula == "'_sbsk'!$D$1:$D$40"
    assert meta["D1"].value == names[0] and meta["D40"].value == names[-1]


def test_headers_are_locked_and_data_rows_open(tmp_path):
    from openpyxl import load_workbook

    from sbsk.outputs.templates import write_templates

    path = next(p for p in write_templates("2020Q3", tmp_path) if p.name.startswith("R06"))
    ws = load_workbook(path)["数据"]
    assert ws.protection.sheet is True
    assert ws["A2"].protection.locked and ws["D2"].protection.locked and ws["A1"].protection.locked
    assert not ws["A3"].protection.locked            # an example row, to be overwritten
    assert not ws.column_dimensions["D"].protection.locked  # every row below takes its column's style
    assert ws.protection.insertRows is False and ws.protection.deleteRows is False  # allowed


def test_guide_names_each_column_type(written):
    """The 类型 column of the guide (schemas/types.py labels), read for R01 and R03 whose columns
    cover text, enum, amount, date, bool, integer and unit."""
    types = {}
    for code in ("R01", "R03", "R10"):
        ws = load_workbook(written[code])["填报说明"]
        for row in ws.iter_rows(min_col=2, max_col=3, values_only=True):
            if row[0] and row[1]:
                types[(code, row[0])] = row[1]
    assert types[("R01", "县(市、区)")] == "单位"
    assert types[("R01", "项目名称")] == "文字"
    assert types[("R01", "储备库")] == "下拉选择"
    assert types[("R01", "总投资(万元)")] == "金额(万元)"
    assert types[("R01", "入库日期")] == "日期"
    assert types[("R01", "是否落地实施")] == "是/否"
    assert types[("R03", "开工项目个数")] == "整数"
    assert types[("R10", "指标")] == "指标"
    assert types[("R10", "得分")] == "数字"


def test_staging_tables_store_each_column_type():
    """The DuckDB type of each kind of staging column (schemas/types.py)."""
    import duckdb

    from sbsk.store.warehouse import ensure_schema

    con = duckdb.connect()
    ensure_schema(con, load_returns())
    got = dict(con.execute("select table_name || '.' || column_name, data_type from duckdb_columns() "
                           "where table_name in ('stg_project_reserve', 'stg_groundbreaking_events', "
                           "'stg_assessor_scores')").fetchall())
    con.close()
    assert got["stg_project_reserve.unit_code"] == "VARCHAR"
    assert got["stg_project_reserve.reserve_level"] == "VARCHAR"
    assert got["stg_project_reserve.total_investment"] == "DECIMAL(18,4)"
    assert got["stg_project_reserve.listed_on"] == "DATE"
    assert got["stg_project_reserve.implemented"] == "BOOLEAN"
    assert got["stg_groundbreaking_events.project_count"] == "INTEGER"
    assert got["stg_assessor_scores.indicator"] == "VARCHAR"
    assert got["stg_assessor_scores.score"] == "DECIMAL(9,2)"


# A reference set one level up (SPEC §10): two cities active in 2020 (丙市 left in 2019), the returns'
# unit column 省辖市, and a review rubric that trims from 3 assessors on (the shipped one: 5).
CITIES = """unit_code,unit_name,unit_group,valid_from,valid_to,aliases
990100,甲市,city,2020,,
990200,乙市,city,2020,,
990300,丙市,city,2019,2019,
"""
CITY_LEVEL = 'name = "全省"\nunit_name = "省辖市"\nunit_header = "省辖市"\nunit_aliases = ["地市"]\n'


def _templates(capsys, *args) -> dict[str, Path]:
    assert main(["templates", *args]) == 0
    return {Path(p).name.split("-")[0]: Path(p) for p in capsys.readouterr().out.split()}


def test_templates_are_made_for_the_reference_set_they_are_given(tmp_path, capsys):
    """With --reference DIR the unit column is the set's (省辖市) and its drop-down the set's cities of
    the year; the half year's R12 form says the set's review rule. Without it: the shipped counties."""
    ref = reference_set(tmp_path / "cities", CITIES, "unit_group,label,sort_order\ncity,省辖市,1\n",
                        level=CITY_LEVEL, rubric={"trim_min = 5": "trim_min = 3"})
    mine = _templates(capsys, QUARTER, "--out-dir", str(tmp_path / "mine"), "--reference", str(ref))
    shipped = _templates(capsys, QUARTER, "--out-dir", str(tmp_path / "shipped"))
    for code in ("R01", "R09", "R10"):
        ws = load_workbook(mine[code])["数据"]
        assert (ws["A2"].value, _inline_list(_validation_at(ws, "A3"))) == ("省辖市", ["甲市", "乙市"])
        ws = load_workbook(shipped[code])["数据"]
        assert ws["A2"].value == "县(市、区)"
        assert _inline_list(_validation_at(ws, "A3")) == ["林州市", "安阳县", "汤阴县", "滑县", "内黄县", "文峰区",
                                                          "北关区", "殷都区", "龙安区"]

    form = _templates(capsys, "2020H1", "--out-dir", str(tmp_path / "mine"), "--reference", str(ref))["R12"]
    book = load_workbook(form)
    assert book["填报说明"]["A11"].value == "5. 某省辖市的评分人达到3人时，每项去掉一个最高分和一个最低分后取平均。"
    ws = book["数据"]
    assert (ws["A2"].value, _inline_list(_validation_at(ws, "A3"))) == ("省辖市", ["甲市", "乙市"])
    form = _templates(capsys, "2020H1", "--out-dir", str(tmp_path / "shipped"))["R12"]
    book = load_workbook(form)
    assert book["填报说明"]["A11"].value == "5. 某县(市、区)的评分人达到5人时，每项去掉一个最高分和一个最低分后取平均。"
    assert book["数据"]["A2"].value == "县(市、区)"
