"""review-<YYYYHn>.xlsx, the half year's on-site review (观摩评价, SPEC §11): the rankings by group with
item means, how many assessors scored each unit and how many values were dropped, every assessor's
scores with the dropped ones marked, the assessor consistency table with its chart, and what was
rejected or flagged. Read from the published tables and written as values, never formulas; every
sheet prints on A4 landscape.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.periods import HalfYear
from sbsk.config.registry import load_registry
from sbsk.config.rubric import load_rubric
from sbsk.outputs.sheets import (BODY_FONT, INTEGER_FORMAT, SCORE_FORMAT, fetch_dicts, save_workbook, set_widths,
                                 setup_page, write_note, write_table, write_title)
from sbsk.outputs.return_writer import put_text_safe
from sbsk.config.labels import flag_labels
from sbsk.store.runs import unit_word

TITLE_SUFFIX = '"四比四看"观摩评价结果'
ITEMS = ("planning", "attraction", "construction", "service")
DROPPED_FILL = PatternFill("solid", fgColor="E7E6E6")
DROPPED_FONT = Font(name=BODY_FONT, size=11, strike=True, color="808080")
ROW_HEIGHT = 22
NOTE_FONT = Font(name=BODY_FONT, size=10)


def _num(value) -> str:
    d = Decimal(str(value))
    return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")


def _items(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(field, header such as 项目谋划(25)) in the rubric's order."""
    review = load_rubric().review
    if review is None:
        return [(f, f) for f in ITEMS]
    return [(i.field, f"{i.name}({_num(i.max_points)})") for i in review.items]


def _groups(results: list[dict]) -> list[tuple[str, list[dict]]]:
    """Results split by ranking group in registry order; ranked units first, then those not reviewed."""
    labels = load_registry().groups
    order = list(labels)
    found: dict[str, list[dict]] = {}
    for r in results:
        found.setdefault(r["unit_group"], []).append(r)
    keys = sorted(found, key=lambda g: (order.index(g) if g in order else len(order), g))
    return [(labels.get(g, g), sorted(found[g], key=lambda r: (r["group_rank"] is None, r["group_rank"] or 0,
                                                                 r["unit_code"]))) for g in keys]


def write_review_workbook(con: duckdb.DuckDBPyConnection, period: str, path: Path) -> Path:
    half = HalfYear.parse(period)
    results = fetch_dicts(con, "select * from review_results where period = ?", [str(half)])
    if not results:
        raise ValueError(f"{half}：数据库中没有本半年的观摩评价结果（review_results），无法生成观摩评价表")
    trim_min = load_rubric().review.trim_min if load_rubric().review else 5
    wb = Workbook()
    items = _items(con)
    _ranking_sheet(wb.active, half, results, items, trim_min, unit_word(con))
    _detail_sheet(wb.create_sheet("评分明细"), con, half, results, items)
    consistency = wb.create_sheet("评分一致性")
    count = _consistency_sheet(consistency, con, half)
    _chart_sheet(wb.create_sheet("偏差图表"), consistency, half, count)
    _problems_sheet(wb.create_sheet("退回与核查"), con, half)
    return save_workbook(wb, path)


def _ranking_sheet(ws: Worksheet, half: HalfYear, results: list[dict], items, trim_min: int, unit: str) -> None:
    ws.title = "排名"
    headers = ["排名", unit, *(h for _, h in items), "观摩总分", "评分人数", "每项去掉评分数"]
    width = len(headers)
    write_title(ws, f"{half.chinese}{TITLE_SUFFIX}", width)
    row = 1
    formats = [INTEGER_FORMAT, None, *([SCORE_FORMAT] * (len(items) + 1)), INTEGER_FORMAT, INTEGER_FORMAT]
    for label, rows in _groups(results):
        cell = ws.cell(row + 1, 1)
        put_text_safe(cell, label)
        cell.font = Font(name=BODY_FONT, bold=True, size=12)
        table = []
        for r in rows:
            if r["total"] is None:
                table.append(["—", r["unit_name"], *([""] * len(items)), "未评分", 0, 0])
            else:
                table.append([r["group_rank"], r["unit_name"], *(r[f] for f, _ in items), r["total"],
                              r["assessors"], r["trimmed"]])
        row = write_table(ws, row + 2, headers, table, formats, center=range(width), row_height=ROW_HEIGHT) + 1
    notes = [f"注：1. 评分人达到{trim_min}人的，每项去掉一个最高分和一个最低分（计2个）后取平均；不足{trim_min}人的取全部评分的平均。",
             "2. 观摩总分为各项平均分（不先四舍五入）之和，四舍五入保留两位小数，因此可能与表中各项平均分之和相差0.01分。",
             "3. 评分人不为本单位评分（回避）；回避、重复评分等被退回的评分不计入，见“退回与核查”。"]
    for text in notes:
        _explain(ws, row, text, width)
        row += 1
    set_widths(ws, [8, 14, *([13] * len(items)), 11, 10, 13])
    setup_page(ws)
    ws.print_area = f"A1:{get_column_letter(width)}{row - 1}"


def _explain(ws: Worksheet, row: int, text: str, width: int, height: float = 30) -> None:
    """An explanatory note under a table: the body font, wrapped across the table's width."""
    write_note(ws, row, text, width)
    ws.cell(row, 1).font = NOTE_FONT
    ws.row_dimensions[row].height = height


def _detail_sheet(ws: Worksheet, con, half: HalfYear, results: list[dict], items) -> None:
    """Every loaded score, unit by unit in ranking order; where values were dropped, one highest and one
    lowest of each item are struck through (which of several tied values is shown does not change the mean)."""
    headers = [unit_word(con), "观摩组", "评分人", "评分人单位", *(h for _, h in items), "合计", "来源文件", "行号"]
    width = len(headers)
    write_title(ws, f"{half.chinese}观摩评分明细", width)
    scores = fetch_dicts(con, "select * from review_scores where period = ? order by unit_code, source_file, "
                              "row_number", [str(half)])
    by_unit: dict[str, list[dict]] = {}
    for s in scores:
        by_unit.setdefault(s["unit_code"], []).append(s)
    blocks = [(r, by_unit[r["unit_code"]]) for _, rows in _groups(results) for r in rows if r["unit_code"] in by_unit]
    table = [[r["unit_name"], s["review_group"], s["assessor"], s["assessor_unit_name"] or "",
              *(s[f] for f, _ in items), s["total"], s["source_file"], s["row_number"]]
             for r, mine in blocks for s in mine]
    formats = [None] * 4 + [SCORE_FORMAT] * (len(items) + 1) + [None, INTEGER_FORMAT]
    end = write_table(ws, 2, headers, table, formats, center=range(4, width - 2), row_height=18)
    ws.row_dimensions[2].height = 32
    at = 3
    for r, mine in blocks:
        if r["trimmed"]:
            _mark_dropped(ws, at, mine, items)
        at += len(mine)
    if not table:
        put_text_safe(ws.cell(end, 1), "本半年没有入库的观摩评分")
        end += 1
    _explain(ws, end, "注：划线灰底的是计算平均分时去掉的最高分和最低分（评分人达到规定人数的单位，每项各去掉一个）。", width)
    set_widths(ws, [10, 12, 9, 21, *([10] * len(items)), 9, max([12, *(_width(r[-2]) for r in table)]), 6])
    ws.freeze_panes = "A3"
    setup_page(ws, "2:2")


def _width(text) -> int:
    """Characters a column needs to show `text` on one line (a CJK character takes two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text or "")) + 2


def _mark_dropped(ws: Worksheet, first_row: int, rows: list[dict], items) -> None:
    for j, (field, _) in enumerate(items, start=5):
        values = [s[field] for s in rows]
        hi = values.index(max(values))  # the first of tied values is the one shown dropped, as in sbsk explain
        lo = min((i for i in range(len(values)) if i != hi), key=lambda i: values[i])
        for i in (hi, lo):
            cell = ws.cell(first_row + i, j)
            cell.font, cell.fill = DROPPED_FONT, DROPPED_FILL


def _consistency_sheet(ws: Worksheet, con, half: HalfYear) -> int:
    """The assessor table; returns how many assessors it lists (the chart reads them from here)."""
    review = load_rubric().review
    limit = _num(review.outlier_points) if review else "8"
    headers = ["评分人", "观摩组", "评分人单位", "评分单位数", "平均偏差(分)", "倾向", "是否超过阈值"]
    width = len(headers)
    write_title(ws, f"{half.chinese}评分人一致性", width)
    rows = fetch_dicts(con, "select * from review_assessors where period = ? order by mean_deviation desc, assessor",
                       [str(half)])
    table = [[a["assessor"], a["review_groups"], a["assessor_unit_name"] or "", a["units_scored"], a["mean_deviation"],
              "偏宽" if a["mean_deviation"] > 0 else "偏严" if a["mean_deviation"] < 0 else "一致",
              f"是（超过±{limit}分）" if a["outlier"] else "否"] for a in rows]
    end = write_table(ws, 2, headers, table, [None, None, None, INTEGER_FORMAT, SCORE_FORMAT], center=range(3, width),
                      row_height=ROW_HEIGHT)
    _explain(ws, end, f"注：平均偏差 = 评分人所评各单位的（本人总分 − 该单位全部评分人的平均总分，不去最高最低）的平均值；"
                      f"正数偏宽、负数偏严，绝对值超过{limit}分的标为“是”。仅供专班参考，不改变任何得分。", width, 45)
    set_widths(ws, [12, 16, 16, 11, 13, 8, 16])
    setup_page(ws, "2:2")
    return len(rows)


def _chart_sheet(ws: Worksheet, data: Worksheet, half: HalfYear, count: int) -> None:
    """A bar per assessor of the consistency table, on one printed page."""
    write_title(ws, f"{half.chinese}评分人平均偏差", 8)
    if not count:
        put_text_safe(ws.cell(3, 1), "本半年没有入库的观摩评分")
        setup_page(ws, None)
        return
    chart = BarChart()
    chart.type = "bar"
    chart.add_data(Reference(data, min_col=5, min_row=2, max_row=2 + count), titles_from_data=True)
    chart.set_categories(Reference(data, min_col=1, min_row=3, max_row=2 + count))
    chart.legend = None
    chart.title = "平均偏差（分）：正数偏宽，负数偏严"
    chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                     showPercent=False)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblPos = "low"           # names at the left edge, clear of the bars below 0
    chart.x_axis.scaling.orientation = "maxMin"  # the table's order, top to bottom
    chart.y_axis.number_format = "0"
    chart.y_axis.majorGridlines = None
    chart.y_axis.crosses = "max"              # the value axis at the bottom, under the last bar
    chart.width, chart.height = 20, min(16, max(7.5, 0.55 * count + 3))
    ws.add_chart(chart, "A3")
    set_widths(ws, [10] * 8)
    setup_page(ws, None)
    ws.sheet_properties.pageSetUpPr.fitToPage = False  # a chart is never cut by fit-to-page scaling


def _problems_sheet(ws: Worksheet, con, half: HalfYear) -> None:
    headers = ["类别", unit_word(con), "文件", "工作表", "行号", "列", "填报值", "问题说明"]
    widths = [12, 10, 28, 10, 6, 11, 12, 56]
    width = len(headers)
    write_title(ws, f"{half.chinese}观摩评分退回与核查", width)
    rejected = fetch_dicts(con, """
        select source_file, sheet, row_number, column_name, value, message from rejected_rows where quarter = ?
        order by source_file, row_number nulls first, column_name
    """, [str(half)])
    flags = fetch_dicts(con, """
        select f.flag, coalesce(u.unit_name, '') as unit, f.detail from data_flags f
        left join units u on u.unit_code = f.unit_code where f.quarter = ? order by f.flag, f.unit_code
    """, [str(half)])
    table = [["退回", "", r["source_file"], r["sheet"] or "", r["row_number"], r["column_name"] or "", r["value"] or "",
              _problem_text(r["message"], r["source_file"])] for r in rejected]
    labels = flag_labels(load_rubric())
    table += [[labels.get(f["flag"], f["flag"]), f["unit"], "", "", None, "", "", f["detail"] or ""]
              for f in flags]
    end = write_table(ws, 2, headers, table, [None] * 4 + [INTEGER_FORMAT], wrap=(2, 7))
    for i, values in enumerate(table, start=3):  # room for every wrapped line: no cut text on paper
        lines = max(_lines(values[2], widths[2]), _lines(values[7], widths[7]))
        ws.row_dimensions[i].height = max(18, 15 * lines)
    if not table:
        put_text_safe(ws.cell(end, 1), "本半年没有退回的评分，也没有核查事项")
    set_widths(ws, widths)
    ws.freeze_panes = "A3"
    setup_page(ws, "2:2")


def _lines(text, width: float) -> int:
    """Printed lines of `text` in a column `width` characters wide (a CJK character takes two)."""
    return max(1, -(-(_width(text) - 2) // max(1, int(width) - 1)))


def _problem_text(message: str, source_file: str) -> str:
    """The problem itself: the file, sheet, row and column have their own columns."""
    head, sep, rest = message.partition("」：")
    if sep and head.startswith(f"{source_file} 工作表「"):
        return rest
    return message.removeprefix(f"{source_file}：")
