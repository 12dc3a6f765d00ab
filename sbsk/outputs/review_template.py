"""The blank R12 观摩评分 form of a half year (`sbsk templates YYYYHn`): instructions, drop-downs for the
units, the assessor's unit and the review groups (a group or an assessor not in a list may be typed),
each item bounded by its maximum in the rubric's [review], and the return code in the hidden sheet."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.periods import HalfYear
from sbsk.config.level import load_level
from sbsk.config.registry import reference_set_registry
from sbsk.config.review_rubric import ReviewRubric
from sbsk.config.rubric_years import rubric_in_force
from sbsk.outputs.return_writer import put_text_safe
from sbsk.outputs.sheets import setup_page
from sbsk.outputs.templates import (DATA_SHEET, EXAMPLE_MARK, FIRST_DATA_ROW, GUIDE_SHEET, LAST_VALIDATED_ROW,
                                    META_SHEET, _EXAMPLE_FONT, _clip, _header_cell, _list_formula,
                                    _lock_headers, template_file_name, unit_header, write_guide)
from sbsk.schemas.definitions import Column, ReturnDef

_WIDTHS = {"unit": 14, "review_group": 14, "assessor": 12, "assessor_unit": 20, "projects": 36, "note": 30}
# Two example rows, by field (the template's columns in order).
_EXAMPLE_FIELDS = ("unit", "review_group", "assessor", "assessor_unit", "planning", "attraction", "construction",
                   "service", "projects", "note")
_EXAMPLES = tuple(dict(zip(_EXAMPLE_FIELDS, row)) for row in (
    (f"{EXAMPLE_MARK}林州市", "第一观摩组", "张三", "市发展改革委", 22.5, 21, 23, 20.5, "红旗渠经济技术开发区智能装备产业园",
     "项目谋划储备充足"),
    (f"{EXAMPLE_MARK}林州市", "第一观摩组", "李四", "安阳县", 20, 22, 21.5, 22, None, None),
))


def write_review_template(period: str, out_dir: Path, reference_dir: Path | None = None) -> Path:
    """out_dir/<YYYYHn>/templates/zdxmb/R12-观摩评分.xlsx, for the units, unit column and review items of
    the reference set (--reference DIR, default the shipped one)."""
    half = HalfYear.parse(period)
    level = load_level(reference_dir)
    defs = level.returns()
    ret = defs.half_year["R12"]
    review = rubric_in_force(half.year, reference_dir).review
    if review is None:
        raise ValueError("评分细则没有 [review] 部分（观摩评价的评分项目和满分），无法生成观摩评分表")
    units = [u.name for u in reference_set_registry(reference_dir).for_year(half.year)]
    depts = [d.name for d in defs.departments.values()]
    path = Path(out_dir) / str(half) / "templates" / ret.owner / template_file_name(ret)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_review_template(ret, half, review, units, depts, defs.template_version).save(path)
    return path


def build_review_template(ret: ReturnDef, half: HalfYear, review: ReviewRubric, units: list[str], depts: list[str],
                          version: str) -> Workbook:
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE_SHEET
    data = wb.create_sheet(DATA_SHEET)
    meta = wb.create_sheet(META_SHEET)
    for row, (key, value) in enumerate([("return_code", ret.code), ("template_version", version),
                                        ("period", str(half))], start=1):
        put_text_safe(meta.cell(row, 1), key)
        put_text_safe(meta.cell(row, 2), value)
    meta.sheet_state = "hidden"
    _guide(guide, ret, half, review, units)
    _data_sheet(data, ret, half)
    _validations(data, meta, ret, review, units, [*units, *depts])
    return wb


def _rule(col: Column, review: ReviewRubric, unit: str) -> str:
    """`unit`: what the level's units are called (县(市、区), 省辖市)."""
    if col.field == "unit":
        return f"从下拉列表选择被观摩的{unit}"
    if col.field == "review_group":
        return "从下拉列表选择，或填写观摩组名称（如 第一观摩组）"
    if col.field == "assessor":
        return f"评分人姓名；同一评分人对同一{unit}每半年只评一次（一行）"
    if col.field == "assessor_unit":
        return f"评分人所在的{unit}或市直部门，从下拉列表选择；评分人不得为本单位评分（回避）"
    if col.type == "number":
        item = review.item(col.field)
        return f"0至{_plain(item.max_points)}分的数字，最多两位小数"
    return "文字，没有的可留空"


def _plain(value) -> str:
    return str(int(value)) if value == int(value) else str(value)


GUIDE_WIDTHS = (6, 18, 10, 70)


def _guide(ws: Worksheet, ret: ReturnDef, half: HalfYear, review: ReviewRubric, units: list[str]) -> None:
    items = "、".join(f"{i.name}（满分{_plain(i.max_points)}分）" for i in review.items)
    unit = unit_header(ret)
    lines = [
        f"《{ret.title}》填报说明",
        f"报表代码：{ret.code}",
        "填报部门：市政府重点项目办（汇总各观摩组评分表）",
        f"观摩时段：{half.chinese}（{half}），请放入 {half}/{ret.owner}/ 目录报送",
        "",
        "填报要求：",
        f"1. 在“{DATA_SHEET}”工作表第{FIRST_DATA_ROW}行起逐行填写，每位评分人对每个{unit}一行；不要修改表头。",
        f"2. 评分项目：{items}。",
        f"3. 回避：评分人单位就是被评{unit}的，该行不计分并退回。",
        f"4. 同一评分人对同一{unit}填了两行的，第二行退回。",
        f"5. 某{unit}的评分人达到{review.trim_min}人时，每项去掉一个最高分和一个最低分后取平均。",
        f"6. 第一格以“{EXAMPLE_MARK}”开头的行是示例，系统读取时忽略。",
        "",
        "各列填写规则：",
    ]
    rows = [[i, col.label, "选填" if col.optional else "必填", _rule(col, review, unit)]
            for i, col in enumerate(ret.columns, start=1)]
    write_guide(ws, lines, ["序号", "列名", "是否必填", "填写规则"], rows, GUIDE_WIDTHS)


def _data_sheet(ws: Worksheet, ret: ReturnDef, half: HalfYear) -> None:
    put_text_safe(ws.cell(1, 1), f"{half.chinese} {ret.title}")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.merge_cells(f"A1:{get_column_letter(len(ret.columns))}1")
    for j, col in enumerate(ret.columns, start=1):
        _header_cell(ws.cell(2, j), col.label)
        ws.column_dimensions[get_column_letter(j)].width = _WIDTHS.get(col.field, 11)
    ws.row_dimensions[2].height = 32
    for i, example in enumerate(_EXAMPLES):
        for j, col in enumerate(ret.columns, start=1):
            value = example.get(col.field)
            if value is not None:
                cell = ws.cell(FIRST_DATA_ROW + i, j)
                put_text_safe(cell, value)
                cell.font = _EXAMPLE_FONT
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    setup_page(ws, "1:2")  # A4 landscape, fitted to the width, title and headers on every page
    _lock_headers(ws, ret, len(_EXAMPLES))


def _validations(ws: Worksheet, meta: Worksheet, ret: ReturnDef, review: ReviewRubric, units: list[str],
                 unit_or_dept: list[str]) -> None:
    lists = {"unit": (units, True), "assessor_unit": (unit_or_dept, True),
             "review_group": (list(review.review_groups), False)}
    list_column = 4
    for j, col in enumerate(ret.columns, start=1):
        if col.field in lists and lists[col.field][0]:
            values, strict = lists[col.field]
            formula = _list_formula(values, meta, list_column)
            if not formula.startswith('"'):
                list_column += 1
            dv = DataValidation(type="list", formula1=formula, allow_blank=True)
            dv.showErrorMessage = strict  # a review group not in the list may be typed
            dv.errorTitle, dv.error = "填写有误", "请从下拉列表中选择"
        elif col.type == "number":
            top = review.item(col.field).max_points
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=_plain(top),
                                allow_blank=True)
            dv.showErrorMessage = True
            dv.errorTitle, dv.error = "填写有误", f"{col.header}应为0至{_plain(top)}分"
        else:
            dv = DataValidation(allow_blank=True)
        dv.promptTitle = _clip(col.label, 32)
        dv.prompt = _clip(_rule(col, review, unit_header(ret)), 255)
        dv.showInputMessage = True
        letter = get_column_letter(j)
        dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_VALIDATED_ROW}")
        ws.add_data_validation(dv)
