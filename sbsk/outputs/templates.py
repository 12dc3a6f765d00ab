"""Blank returns (填报模板) for every department: instructions, drop-downs, and the return code.

Each workbook carries its return code in the hidden sheet "_sbsk", so the reader recognises a
filled-in template at once whatever the clerk did to the title.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.periods import Quarter
from sbsk.config.level import load_level
from sbsk.config.registry import reference_set_registry
from sbsk.outputs.return_writer import put_text_safe
from sbsk.outputs.sheets import fit_rows, setup_page
from sbsk.config.rubric_years import rubric_for_year
from sbsk.schemas.definitions import Column, Definitions, ReturnDef
from sbsk.schemas.types import COLUMN_TYPES

GUIDE_SHEET = "填报说明"
DATA_SHEET = "数据"
META_SHEET = "_sbsk"
EXAMPLE_MARK = "（示例）"
FIRST_DATA_ROW = 3
LAST_VALIDATED_ROW = 1000
DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "0.00"

# Excel caps an inline list (formula1 in quotes) at 255 characters; longer lists go to a range.
_INLINE_LIST_LIMIT = 255
_PROMPT_TITLE_LIMIT = 32
_PROMPT_LIMIT = 255
_DATE_MIN, _DATE_MAX = date(2000, 1, 1), date(2099, 12, 31)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_TITLE_FONT = Font(bold=True, size=14)
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

_UNSAFE_FILE_CHARS = str.maketrans({c: None for c in '<>:/\\|?*'})

# Plausible values for the two example rows, by field; other fields fall back on their type.
_EXAMPLES: dict[str, tuple] = {
    "project_name": ("智能装备制造产业园项目", "城区污水管网改造工程"),
    "project_code": ("2020-410581-34-03-012345", "2020-410581-48-01-023456"),
    "total_investment": (120000, 35000),
    "annual_plan": (30000, 8000),
    "ytd_completed": (22000, 5600),
    "contract_amount": (250000, 60000),
    "paid_in": (80000, 15000),
    "allocated": (2000, 800),
    "paid": (1500, 600),
    "allocation_doc": ("豫发改投资〔2020〕123号", "豫发改投资〔2020〕456号"),
    "bond_amount": (10000, 5000),
    "spent": (7000, 3200),
    "project_count": (12, 6),
    "projects_over_100m": (5, 2),
    "area": ("城镇老旧小区改造", "农村饮水安全"),
    "item_name": ("建设工程施工许可", "建设用地规划许可"),
    "indicator": ("A1", "D2"),
    "score": (2.5, 2.0),
    "note": ("项目谋划工作扎实，储备充足", "出台措施针对性强"),
    "title": ("关于进一步优化营商环境的若干措施", "关于加快推进重点项目建设的实施意见"),
    "doc_number": ("安政〔2020〕15号", "安政办〔2020〕8号"),
}
# Days after the quarter start, so dates fall inside the quarter and keep their order.
_DATE_OFFSETS: dict[str, tuple[int, int]] = {
    "listed_on": (5, 12), "signed_on": (8, 20), "event_on": (15, 30), "issued_on": (10, 25),
    "accepted_on": (6, 18), "started_on": (20, 35), "completed_on": (60, 70), "due_on": (75, 80),
}


def write_templates(quarter: str, out_dir: Path, reference_dir: Path | None = None) -> list[Path]:
    """Write one blank return per return type under out_dir/<quarter>/templates/<dept>/, for the units,
    unit column and rubric of the reference set (--reference DIR, default the shipped one)."""
    q = Quarter.parse(quarter)
    level = load_level(reference_dir)
    defs = level.returns()
    units = [u.name for u in reference_set_registry(reference_dir).for_year(q.year)]
    # the rubric governing the quarter, as a run would choose it
    indicators = [i.code for i in rubric_for_year(q.year, None, reference_dir).indicators]
    base = Path(out_dir) / str(q) / "templates"
    paths = []
    for ret in defs.returns.values():
        path = base / ret.owner / template_file_name(ret)
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = build_template(ret, defs, q, units, indicators)
        wb.save(path)
        paths.append(path)
    return paths


def template_file_name(ret: ReturnDef) -> str:
    """`R08-补短板“982”工程项目.xlsx`: ASCII quotes become Chinese ones, path characters go."""
    title = ret.title.translate(_UNSAFE_FILE_CHARS)
    parts = title.split('"')
    title = "".join(p + ("“" if i % 2 == 0 else "”") for i, p in enumerate(parts[:-1])) + parts[-1]
    return f"{ret.code}-{title}.xlsx"


def build_template(ret: ReturnDef, defs: Definitions, q: Quarter, units: list[str],
                   indicators: list[str]) -> Workbook:
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE_SHEET
    data = wb.create_sheet(DATA_SHEET)
    meta = wb.create_sheet(META_SHEET)
    _write_meta(meta, ret, defs, q)
    choices = _choices(ret, units, indicators)
    _write_guide(guide, ret, defs, q, choices)
    _write_data_sheet(data, ret, q)
    _add_validations(data, meta, ret, choices)
    return wb


def _choices(ret: ReturnDef, units: list[str], indicators: list[str]) -> dict[str, list[str]]:
    """The drop-down values of each column that has them, by field."""
    found = {}
    for col in ret.columns:
        if col.type == "unit":
            found[col.field] = list(units)
        elif col.type == "enum":
            found[col.field] = list(col.values)
        elif col.type == "bool":
            found[col.field] = ["是", "否"]
        elif col.type == "indicator":
            found[col.field] = list(indicators)
    return found


# --- hidden sheet ---------------------------------------------------------------------------

GUIDE_WIDTHS = (6, 26, 12, 12, 70)


def _write_meta(ws: Worksheet, ret: ReturnDef, defs: Definitions, q: Quarter) -> None:
    for row, (key, value) in enumerate(
        [("return_code", ret.code), ("template_version", defs.template_version), ("quarter", str(q))],
        start=1,
    ):
        put_text_safe(ws.cell(row, 1), key)
        put_text_safe(ws.cell(row, 2), value)
    ws.sheet_state = "hidden"


# --- guide sheet ----------------------------------------------------------------------------

def _write_guide(ws: Worksheet, ret: ReturnDef, defs: Definitions, q: Quarter,
                 choices: dict[str, list[str]]) -> None:
    dept = defs.departments[ret.owner].name
    end = q.end.isoformat()
    unit = unit_header(ret)
    lines = [
        f"《{ret.title}》填报说明",
        f"报表代码：{ret.code}（模板版本 {defs.template_version}）",
        f"填报部门：{dept}",
        f"填报季度：{q.chinese}（{q}），数据截至 {end}",
        "",
        "填报要求：",
        f"1. 请在“{DATA_SHEET}”工作表第{FIRST_DATA_ROW}行起逐行填写，每行一条记录；不要修改表头、增删列或修改工作表名称。",
        f"2. 第一列“{unit}”请从下拉列表选择；每个{unit}的记录都填在本表中。",
        f"3. 金额单位为万元，只填数字（如 1234.5），不要填写“万元”等文字；本年计划、本年累计等金额按截至 {end} 的本年累计数填写。",
        "4. 日期请按 2020-07-03 的格式填写。",
        "5. “是否……”列填写“是”或“否”，请从下拉列表选择。",
        f"6. 第一格以“{EXAMPLE_MARK}”开头的行是示例，系统读取时忽略，可以保留或删除。",
        f"7. 请勿修改或删除隐藏工作表“{META_SHEET}”，系统据此识别报表。",
        "",
        "各列填写规则：",
    ]
    rows = [[i, col.label, COLUMN_TYPES[col.type].label, _required_text(col),
             column_rule(col, ret, choices.get(col.field))] for i, col in enumerate(ret.columns, start=1)]
    write_guide(ws, lines, ["序号", "列名", "类型", "是否必填", "填写规则"], rows, GUIDE_WIDTHS)


def write_guide(ws: Worksheet, lines: list[str], headers: list[str], rows: list[list],
                widths: tuple[int, ...]) -> None:
    """A guide sheet as every template has it (the quarterly returns' and the review's): the lines of
    requirements, the title large and the two headings bold; then a table, one row a column of the
    return, its last column (the rule) wrapped; on an A4 page."""
    for row, text in enumerate(lines, start=1):
        put_text_safe(ws.cell(row, 1), text)
        if text:  # across the table's width and wrapped: a long requirement prints whole on A4
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
            ws.cell(row, 1).alignment = Alignment(vertical="top", wrap_text=True)
    ws.cell(1, 1).font = _TITLE_FONT
    for row, text in enumerate(lines, start=1):
        if text in ("填报要求：", "各列填写规则："):
            ws.cell(row, 1).font = _HEADER_FONT
    header_row = len(lines) + 1
    for j, text in enumerate(headers, start=1):
        _header_cell(ws.cell(header_row, j), text)
    for i, values in enumerate(rows, start=1):
        for j, value in enumerate(values, start=1):
            cell = ws.cell(header_row + i, j)
            put_text_safe(cell, value)
            cell.border = _BOX
            cell.alignment = Alignment(vertical="top", wrap_text=(j == len(widths)))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    fit_rows(ws, list(widths))
    setup_page(ws, None)


def _required_text(col: Column) -> str:
    if col.required_if:
        return "条件必填"
    return "选填" if col.optional else "必填"


def column_rule(col: Column, ret: ReturnDef, choices: list[str] | None) -> str:
    """One sentence in Chinese saying how to fill the column."""
    rule = _type_rule(col, choices, unit_header(ret))
    extra = []
    if col.max_field:
        extra.append(f"不得大于“{ret.column(col.max_field).label}”")
    if col.min_field:
        extra.append(f"不得早于“{ret.column(col.min_field).label}”")
    if col.requires:
        extra.append(f"填写时须同时填写“{ret.column(col.requires).label}”")
    if col.required_if:
        extra.append(f"“{ret.column(col.required_if).label}”为“是”时必填，否则留空")
    elif col.optional and col.type == "date":
        extra.append("尚未发生的留空")
    elif col.optional:
        extra.append("没有的可留空")
    if col.type == "date" and col.may_be_future:
        extra.append("可以晚于季度末")
    return "；".join([rule, *extra])


def _type_rule(col: Column, choices: list[str] | None, unit: str) -> str:
    if col.type == "unit":
        return "从下拉列表选择：" + "、".join(choices or [])
    if col.type in ("enum", "bool"):
        return "从下拉列表选择：" + "、".join(choices or col.values)
    if col.type == "amount":
        return f"数字，单位万元，{_bound_text(col)}"
    if col.type == "integer":
        return f"整数，{_bound_text(col)}"
    if col.type == "number":
        text = f"数字，{_bound_text(col)}"
        return text + "，不超过该指标满分" if col.max_rubric else text
    if col.type == "metric":
        return "数字：个数、金额（万元）或占比（如 0.81 或 81%），见下方各分项的含义"
    if col.type == "date":
        return "日期，格式如 2020-07-03"
    if col.type == "indicator":
        first, last = (choices[0], choices[-1]) if choices else ("A1", "D3")
        return f"填写指标代码（{first}…{last}，可从下拉列表选择），每个{unit}每个指标一行"
    if col.pattern and col.field == "project_code":
        return "文字，格式如 2020-410581-34-03-012345（年份-行政区划代码-行业代码-类型-流水号）"
    return "文字"


def unit_header(ret: ReturnDef) -> str:
    """The return's unit column as the level names it (Definitions.with_unit_column: 县(市、区), 省辖市),
    also the word for a unit in the guide: the shipped levels' unit_header is their unit_name."""
    return next((c.header for c in ret.columns if c.type == "unit"), "县(市、区)")


def _bound_text(col: Column) -> str:
    if col.min_exclusive is not None:
        return f"大于 {_plain(col.min_exclusive)}"
    return f"不小于 {_plain(col.min if col.min is not None else 0)}"


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


# --- data sheet -----------------------------------------------------------------------------

def _write_data_sheet(ws: Worksheet, ret: ReturnDef, q: Quarter) -> None:
    last = get_column_letter(len(ret.columns))
    put_text_safe(ws.cell(1, 1), f"{q.chinese} {ret.title}")
    ws.cell(1, 1).font = _TITLE_FONT
    ws.merge_cells(f"A1:{last}1")
    for j, col in enumerate(ret.columns, start=1):
        _header_cell(ws.cell(2, j), col.label)
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = _column_width(col)
        if col.type == "date":
            ws.column_dimensions[letter].number_format = DATE_FORMAT
        elif col.type == "amount":
            ws.column_dimensions[letter].number_format = AMOUNT_FORMAT
    ws.row_dimensions[2].height = 32
    examples = example_rows(ret, q)
    for i, row in enumerate(examples):
        _write_example(ws, FIRST_DATA_ROW + i, ret, row)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    setup_page(ws, "1:2")  # A4 landscape, fitted to the width, title and headers on every page
    _lock_headers(ws, ret, len(examples))


def _lock_headers(ws: Worksheet, ret: ReturnDef, examples: int) -> None:
    """Title and headers are locked; every row below stays open for entry (no password: the lock
    guards against slips, not people), and rows may still be inserted and deleted."""
    for j in range(1, len(ret.columns) + 1):
        ws.column_dimensions[get_column_letter(j)].protection = Protection(locked=False)
        for i in range(FIRST_DATA_ROW, FIRST_DATA_ROW + examples):
            ws.cell(i, j).protection = Protection(locked=False)
        ws.cell(1, j).protection = Protection(locked=True)
        ws.cell(2, j).protection = Protection(locked=True)
    ws.protection.sheet = True
    ws.protection.insertRows = False
    ws.protection.deleteRows = False
    ws.protection.formatColumns = False
    ws.protection.autoFilter = False


def _header_cell(cell, text: str) -> None:
    put_text_safe(cell, text)
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.border = _BOX
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _column_width(col: Column) -> float:
    wide = {"project_name": 32, "title": 36, "item_name": 22, "note": 30, "project_code": 26}
    if col.field in wide:
        return wide[col.field]
    # CJK characters take about two character widths.
    label = sum(2 if ord(ch) > 0x2E80 else 1 for ch in col.label)
    return max(12, min(label + 2, 24))


def example_rows(ret: ReturnDef, q: Quarter) -> list[dict]:
    """Two example rows (field → value); the unit cell carries the （示例） mark."""
    rows = []
    for i in range(2):
        row = {}
        for col in ret.columns:
            row[col.field] = _example_value(col, i, q)
        for col in ret.columns:
            if col.required_if and row.get(col.required_if) == "否":
                row[col.field] = None
        if row.get("nature") == "续建" and row.get("started_on"):
            row["started_on"] = date(q.year - 1, 3, 15)  # a continuing project began in an earlier year
        rows.append(row)
    return rows


def _example_value(col: Column, i: int, q: Quarter):
    if col.type == "unit":
        return f"{EXAMPLE_MARK}林州市"
    if col.field in _EXAMPLES:
        return _EXAMPLES[col.field][i]
    if col.type == "enum":
        return col.values[i % len(col.values)]
    if col.type == "bool":
        return ("是", "否")[i]
    if col.type == "date":
        offset = _DATE_OFFSETS.get(col.field, (10, 40))[i]
        return min(q.start + timedelta(days=offset), q.end)
    if col.type == "amount":
        return (5000, 1200)[i]
    if col.type in ("integer", "number"):
        return (3, 1)[i]
    return ("示例文字", "示例文字")[i]


def _write_example(ws: Worksheet, row: int, ret: ReturnDef, values: dict) -> None:
    for j, col in enumerate(ret.columns, start=1):
        value = values.get(col.field)
        if value is None:
            continue
        cell = ws.cell(row, j)
        put_text_safe(cell, value)
        cell.font = _EXAMPLE_FONT
        if col.type == "date":
            cell.number_format = DATE_FORMAT
        elif col.type == "amount":
            cell.number_format = AMOUNT_FORMAT


# --- data validation ------------------------------------------------------------------------

def _add_validations(ws: Worksheet, meta: Worksheet, ret: ReturnDef,
                     choices: dict[str, list[str]]) -> None:
    list_column = 4  # lists too long to write inline go to the hidden sheet, from column D
    for j, col in enumerate(ret.columns, start=1):
        if col.field in choices:
            formula = _list_formula(choices[col.field], meta, list_column)
            if not formula.startswith('"'):
                list_column += 1
            dv = DataValidation(type="list", formula1=formula, allow_blank=True)
            dv.error = "请从下拉列表中选择"
        else:
            dv = _value_validation(col)
        dv.promptTitle = _clip(col.label, _PROMPT_TITLE_LIMIT)
        dv.prompt = _clip(_prompt(col, ret, choices.get(col.field)), _PROMPT_LIMIT)
        dv.showInputMessage = True
        if dv.type:
            dv.errorTitle = "填写有误"
            dv.error = _clip(dv.error or dv.prompt, _PROMPT_LIMIT)
            dv.showErrorMessage = True
        letter = get_column_letter(j)
        dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_VALIDATED_ROW}")
        ws.add_data_validation(dv)


def _list_formula(values: list[str], meta: Worksheet, column: int) -> str:
    inline = ",".join(values)
    if len(inline) + 2 <= _INLINE_LIST_LIMIT and not any("," in v for v in values):
        return f'"{inline}"'
    for i, value in enumerate(values, start=1):
        put_text_safe(meta.cell(i, column), value)
    letter = get_column_letter(column)
    return f"{quote_sheetname(META_SHEET)}!${letter}$1:${letter}${len(values)}"


def _value_validation(col: Column) -> DataValidation:
    if col.type in ("amount", "number"):
        return _bounded("decimal", col)
    if col.type == "integer":
        return _bounded("whole", col)
    if col.type == "date":
        return DataValidation(type="date", operator="between", allow_blank=True,
                              formula1=str(int(to_excel(_DATE_MIN))),
                              formula2=str(int(to_excel(_DATE_MAX))))
    return DataValidation(allow_blank=True)  # text: an input prompt only


def _bounded(kind: str, col: Column) -> DataValidation:
    if col.min_exclusive is not None:
        return DataValidation(type=kind, operator="greaterThan", allow_blank=True,
                              formula1=_plain(col.min_exclusive))
    return DataValidation(type=kind, operator="greaterThanOrEqual", allow_blank=True,
                          formula1=_plain(col.min if col.min is not None else 0))


def _prompt(col: Column, ret: ReturnDef, choices: list[str] | None) -> str:
    if col.type == "unit":
        return f"请从下拉列表选择{col.header}"
    return column_rule(col, ret, choices)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
