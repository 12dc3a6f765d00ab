"""The bulletin (通报) workbooks: quarterly and annual rankings, indicator detail and data flags.

Everything is read from the public tables of transforms/contract.sql and written as values, never
as formulas, so the workbook shows the same numbers as the database wherever it is opened.
"""

from __future__ import annotations

import re
from copy import copy
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

import duckdb
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import DEFAULT_FONT, Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.periods import Quarter, quarters_of
from sbsk.config.registry import load_registry
from sbsk.outputs.return_writer import put_text_safe
from sbsk.schemas.definitions import load_returns
from sbsk.store.flags import FLAG_LABELS

SCORE_FORMAT = "0.00"
REWARD_FORMAT = "#,##0"
INTEGER_FORMAT = "0"
TITLE_SUFFIX = '"四比四看"活动考评结果'
PROVISIONAL_NOTE = "注：本季度结果为暂定（部分报表缺报）"
ANNUAL_PROVISIONAL_NOTE = "注：年度结果为暂定（有季度结果缺失或为暂定）"
ANNUAL_STALE_NOTE = "注：年度结果计算后有季度重新考评，年度结果需重新计算"

# Used only when the run stored no rubric_indicators (the SPEC §5 defaults).
DEFAULT_CATEGORIES = {"A": ("比谋划看储备", 30), "B": ("比招引看投资", 15),
                      "C": ("比开工看进度", 40), "D": ("比服务看实效", 15)}
QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
RANKING_ROW_HEIGHT = 22  # points: room around 11-point CJK glyphs, so the printed table is not cramped

# The fonts every Chinese office machine has; without a name, LibreOffice and WPS pick a Latin serif
# for bold cells and a sans for the rest, so one table came out in two typefaces.
BODY_FONT = "宋体"
TITLE_FONT = "黑体"
_TITLE_FONT = Font(name=TITLE_FONT, bold=True, size=16)
_BOLD = Font(name=BODY_FONT, bold=True, size=11)
_BODY = Font(name=BODY_FONT, size=11)
_NOTE_FONT = Font(name=BODY_FONT, size=11, color="C00000")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


# --- shared helpers (also used by the validation report) -------------------------------------

def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence = ()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def plain_number(value: Any) -> Any:
    """DECIMAL → float for writing; openpyxl cannot store Decimal as a number reliably."""
    return float(value) if isinstance(value, Decimal) else value


def write_title(ws: Worksheet, text: str, width: int, row: int = 1) -> None:
    cell = ws.cell(row, 1)
    put_text_safe(cell, text)
    cell.font = _TITLE_FONT
    cell.alignment = Alignment(horizontal="center", vertical="center")
    if width > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 30


def write_note(ws: Worksheet, row: int, text: str, width: int) -> None:
    cell = ws.cell(row, 1)
    put_text_safe(cell, text)
    cell.font = _NOTE_FONT
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if width > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def write_table(ws: Worksheet, row: int, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                formats: Sequence[str | None] = (), wrap: Sequence[int] = (), center: Sequence[int] = (),
                row_height: float | None = None) -> int:
    """Write a bordered table from `row`; returns the first row below it.

    formats[j] is the number format of column j (None: general); wrap and center list wrapped and
    centred columns (0-based); row_height (points) is set on the header and every data row.
    """
    if row_height:
        ws.row_dimensions[row].height = row_height
    for j, text in enumerate(headers, start=1):
        cell = ws.cell(row, j)
        put_text_safe(cell, text)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.border = _BOX
        cell.alignment = _CENTER
    row += 1
    for values in rows:
        for j, value in enumerate(values):
            cell = ws.cell(row, j + 1)
            put_text_safe(cell, None if value == "" else plain_number(value))
            cell.border = _BOX
            cell.font = _BODY
            if j < len(formats) and formats[j] and isinstance(cell.value, (int, float)):
                cell.number_format = formats[j]
            if j in wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif j in center:
                cell.alignment = _CENTER
            else:
                cell.alignment = Alignment(vertical="center")
        if row_height:
            ws.row_dimensions[row].height = row_height
        row += 1
    return row


def set_widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width


def setup_page(ws: Worksheet, title_rows: str | None = "1:1") -> None:
    """A4 landscape, fitted to the page width, with the title rows (if any) repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True


def return_label(code: str | None) -> str:
    """'R01 项目谋划储备' for a known return code, the code itself otherwise."""
    if not code:
        return ""
    ret = load_returns().returns.get(code)
    return f"{code} {ret.title}" if ret else code


def department_label(code: str | None) -> str:
    if not code:
        return ""
    dept = load_returns().departments.get(code)
    return dept.name if dept else code


def write_flags_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, quarter: Quarter) -> None:
    """数据核查: every data flag of the quarter."""
    headers = ["单位", "报表", "标志", "说明", "文件", "行号"]
    write_title(ws, f"{quarter.chinese}数据核查", len(headers))
    flags = fetch_dicts(con, """
        select coalesce(u.unit_name, f.unit_code) as unit, f.return_code, f.flag, f.detail,
               f.source_file, f.row_number
        from data_flags f left join units u on u.unit_code = f.unit_code
        where f.quarter = ?
        order by f.return_code nulls last, f.flag, f.unit_code nulls last, f.source_file, f.row_number
    """, [str(quarter)])
    rows = [[f["unit"] or "", return_label(f["return_code"]), FLAG_LABELS.get(f["flag"], f["flag"]),
             f["detail"] or "", f["source_file"] or "", f["row_number"]] for f in flags]
    end = write_table(ws, 2, headers, rows, formats=[None] * 5 + [INTEGER_FORMAT], wrap=(3, 4))
    if not rows:
        put_text_safe(ws.cell(end, 1), "本季度无数据核查事项")
    set_widths(ws, [12, 24, 20, 60, 40, 8])
    ws.freeze_panes = "A3"
    setup_page(ws, "2:2")


# --- groups and rubric ------------------------------------------------------------------------

def _group_order(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Group code → (display position, label): registry order, labels as the run stored them."""
    groups = load_registry().groups
    order = {code: (i, label) for i, (code, label) in enumerate(groups.items())}
    for row in fetch_dicts(con, "select distinct unit_group, group_label from units order by unit_group"):
        pos = order.get(row["unit_group"], (len(order), ""))[0]
        order[row["unit_group"]] = (pos, row["group_label"])
    return order


def _by_group(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """Rows split by ranking group in display order, each sorted by group_rank then unit_code."""
    order = _group_order(con)
    found: dict[str, list[dict]] = {}
    for row in rows:
        found.setdefault(row["unit_group"], []).append(row)
    keys = sorted(found, key=lambda g: (order.get(g, (len(order), g))[0], g))
    return [(order.get(g, (0, g))[1] or g,
             sorted(found[g], key=lambda r: (r["group_rank"], r["unit_code"]))) for g in keys]


def _indicator_key(code: str) -> tuple:
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", code)
    return (m.group(1), int(m.group(2))) if m else (code, 0)


def _categories(con: duckdb.DuckDBPyConnection, rubric_version: str) -> list[tuple[str, str]]:
    """(category code, header such as '比谋划看储备(30)') in category order."""
    rows = fetch_dicts(con, """
        select category_code, any_value(category_name) as name, sum(max_points) as points
        from rubric_indicators where rubric_version = ?
        group by category_code order by category_code
    """, [rubric_version])
    found = {r["category_code"]: (r["name"], r["points"]) for r in rows}
    cats = found or DEFAULT_CATEGORIES
    return [(code, f"{name}({_points_text(points)})") for code, (name, points) in sorted(cats.items())]


def _points_text(points: Any) -> str:
    value = Decimal(str(points))
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


def _indicators(con: duckdb.DuckDBPyConnection, quarter: Quarter, rubric_version: str) -> list[dict]:
    rows = fetch_dicts(con, """
        select indicator_code, name, max_points from rubric_indicators where rubric_version = ?
    """, [rubric_version])
    if not rows:  # fall back on what was scored
        rows = fetch_dicts(con, """
            select indicator_code, indicator_code as name, max(max_points) as max_points
            from indicator_scores where quarter = ? group by indicator_code
        """, [str(quarter)])
    return sorted(rows, key=lambda r: _indicator_key(r["indicator_code"]))


def _group_tables(ws, row: int, con, results: list[dict], headers: list[str], formats: list, middle) -> int:
    """One ranking table per group: rank, unit, the `middle` columns of a row, total, reward; then
    the group's tie note. Returns the next free row."""
    width = len(headers)
    for label, rows in _by_group(con, results):
        row = _group_heading(ws, row + 1, label)
        table = [[r["group_rank"], r["unit_name"], *middle(r), r["total"], r["reward_yuan"]] for r in rows]
        row = write_table(ws, row, headers, table, formats, center=range(width), row_height=RANKING_ROW_HEIGHT)
        note = _tie_note(rows)
        if note:
            write_note(ws, row, note, width)
            row += 1
    return row


def _tie_note(rows: list[dict]) -> str | None:
    tied = [r for r in rows if r["tie"]]
    if not tied:
        return None
    parts = []
    for label, keep in (("第一", lambda r: r["reward_yuan"] > 0), ("末位", lambda r: r["reward_yuan"] < 0),
                        ("", lambda r: r["reward_yuan"] == 0)):
        names = [r["unit_name"] for r in tied if keep(r)]
        if names:
            parts.append("、".join(names) + "并列" + label)
    return "注：" + "；".join(parts) + "，奖惩由专班办公室研究确定"


# --- quarterly bulletin -----------------------------------------------------------------------

def write_quarter_bulletin(con: duckdb.DuckDBPyConnection, quarter: str, path: Path) -> Path:
    q = Quarter.parse(quarter)
    results = fetch_dicts(con, "select * from quarter_results where quarter = ?", [str(q)])
    if not results:
        raise ValueError(f"{q}：数据库中没有本季度的考评结果（quarter_results），无法生成通报")
    rubric_version = results[0]["rubric_version"]
    wb = Workbook()
    _quarter_ranking_sheet(wb.active, con, q, results, rubric_version)
    _indicator_sheet(wb.create_sheet("指标得分"), con, q, results, rubric_version)
    write_flags_sheet(wb.create_sheet("数据核查"), con, q)
    _quarter_chart_sheet(wb.create_sheet(CHART_SHEET), con, q, results)
    return _save(wb, path)


def _quarter_ranking_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, q: Quarter,
                           results: list[dict], rubric_version: str) -> None:
    ws.title = "排名"
    cats = _categories(con, rubric_version)
    headers = ["排名", "县(市、区)", *(h for _, h in cats), "总分", "奖惩(元)"]
    width = len(headers)
    write_title(ws, f"{q.chinese}{TITLE_SUFFIX}", width)
    row = 2
    if any(r["status"] == "provisional" for r in results):
        write_note(ws, row, PROVISIONAL_NOTE + _missing_returns_text(con, q), width)
        row += 1
    formats = [INTEGER_FORMAT, None, *([SCORE_FORMAT] * (len(cats) + 1)), REWARD_FORMAT]
    scores = {(u, c): s for u, c, s in con.execute(  # every category, also one the rubric adds beyond A–D
        "select unit_code, category_code, score from category_scores where quarter = ?", [str(q)]).fetchall()}
    row = _group_tables(ws, row, con, results, headers, formats,
                        lambda r: [scores.get((r["unit_code"], c)) for c, _ in cats])
    set_widths(ws, [8, 14, *([16] * len(cats)), 10, 14])
    _ranking_page(ws, width, row - 1)


def _ranking_page(ws: Worksheet, width: int, last_row: int) -> None:
    """Print exactly the ranking tables, with the page number in the footer."""
    setup_page(ws)
    ws.print_area = f"A1:{get_column_letter(width)}{last_row}"
    ws.oddFooter.center.text = "第 &P 页"
    ws.oddFooter.center.font = BODY_FONT


def _group_heading(ws: Worksheet, row: int, label: str) -> int:
    cell = ws.cell(row, 1)
    put_text_safe(cell, label)
    cell.font = Font(name=BODY_FONT, bold=True, size=12)
    return row + 1


def _missing_returns_text(con: duckdb.DuckDBPyConnection, q: Quarter) -> str:
    codes = [r["return_code"] for r in fetch_dicts(con, """
        select distinct return_code from data_flags
        where quarter = ? and flag = 'missing_return' and return_code is not null order by 1
    """, [str(q)])]
    return "，缺报：" + "、".join(return_label(c) for c in codes) if codes else ""


def _indicator_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, q: Quarter,
                     results: list[dict], rubric_version: str) -> None:
    indicators = _indicators(con, q, rubric_version)
    codes = [i["indicator_code"] for i in indicators]
    width = len(codes) + 3
    write_title(ws, f"{q.chinese}各指标得分", width)
    points = {(s["unit_code"], s["indicator_code"]): s["points"] for s in fetch_dicts(
        con, "select unit_code, indicator_code, points from indicator_scores where quarter = ?", [str(q)])}
    max_total = sum((Decimal(str(i["max_points"])) for i in indicators), Decimal(0))
    header_rows = [
        ["组别", "县(市、区)", *codes, "总分"],
        ["", "指标名称", *(i["name"] for i in indicators), ""],
        ["", "满分", *(i["max_points"] for i in indicators), max_total],
    ]
    for offset, values in enumerate(header_rows):
        for j, value in enumerate(values, start=1):
            cell = ws.cell(2 + offset, j)
            put_text_safe(cell, plain_number(value))
            cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEADER_FILL, _BOX, _CENTER
            if isinstance(cell.value, float):
                cell.number_format = SCORE_FORMAT
    ws.row_dimensions[3].height = 75
    row = 5
    for label, rows in _by_group(con, results):
        for r in rows:
            values = [label, r["unit_name"], *(points.get((r["unit_code"], c)) for c in codes), r["total"]]
            for j, value in enumerate(values, start=1):
                cell = ws.cell(row, j)
                put_text_safe(cell, plain_number(value))
                cell.border = _BOX
                if isinstance(cell.value, float):
                    cell.number_format = SCORE_FORMAT
            row += 1
    set_widths(ws, [10, 12, *([8] * len(codes)), 9])
    ws.freeze_panes = "C5"
    setup_page(ws, "2:4")


# --- annual bulletin --------------------------------------------------------------------------

def write_annual_bulletin(con: duckdb.DuckDBPyConnection, year: int, path: Path) -> Path:
    results = fetch_dicts(con, "select * from annual_results where year = ?", [int(year)])
    if not results:
        raise ValueError(f"{year}年：数据库中没有年度考评结果（annual_results），无法生成年度通报")
    wb = Workbook()
    _annual_ranking_sheet(wb.active, con, int(year), results)
    _annual_chart_sheet(wb.create_sheet(CHART_SHEET), con, int(year), results)
    return _save(wb, path)


def _annual_ranking_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, year: int,
                          results: list[dict]) -> None:
    ws.title = "排名"
    quarters = [str(q) for q in quarters_of(year)]
    totals = {(r["unit_code"], r["quarter"]): r["total"] for r in fetch_dicts(
        con, "select unit_code, quarter, total from quarter_results where quarter in (?, ?, ?, ?)", quarters)}
    headers = ["排名", "县(市、区)", *QUARTER_NAMES, "年度总分", "奖惩(元)"]
    width = len(headers)
    write_title(ws, f"{year}年度{TITLE_SUFFIX}", width)
    row = 2
    for status, note in (("provisional", ANNUAL_PROVISIONAL_NOTE), ("stale", ANNUAL_STALE_NOTE)):
        if any(r["status"] == status for r in results):
            write_note(ws, row, note, width)
            row += 1
    formats = [INTEGER_FORMAT, None, *([SCORE_FORMAT] * 5), REWARD_FORMAT]
    row = _group_tables(ws, row, con, results, headers, formats,
                        lambda r: [totals.get((r["unit_code"], q)) for q in quarters])
    set_widths(ws, [8, 14, 12, 12, 12, 12, 12, 14])
    _ranking_page(ws, width, row - 1)


# --- charts -----------------------------------------------------------------------------------
# Native Excel charts on sheet 图表. Each chart reads a small table of plain values written just
# above it on the same sheet (never formulas), so the chart and its numbers always agree.

CHART_SHEET = "图表"
CHART_SIZE = (17, 7.5)     # width, height in cm: fits an A4 landscape page at 100 %
CHART_ROWS = 15            # default-height rows the chart covers


def _quarter_chart_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, q: Quarter, results: list[dict]) -> None:
    groups = _by_group(con, results)
    write_title(ws, f"{q.chinese}总分图表", _title_width(groups, trend=q.q >= 2))
    starts, row = [], 3
    for label, rows in groups:
        starts.append(row)
        row = _totals_block(ws, row, f"{label}{q.chinese}总分", rows)
    if q.q >= 2:
        trend = _year_totals(con, q)
        for label, rows in groups:
            starts.append(row)
            row = _trend_block(ws, row, label, q, rows, trend)
    _chart_page(ws, starts)


def _annual_chart_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, year: int, results: list[dict]) -> None:
    groups = _by_group(con, results)
    write_title(ws, f"{year}年度总分图表", _title_width(groups, trend=False))
    starts, row = [], 3
    for label, rows in groups:
        starts.append(row)
        row = _totals_block(ws, row, f"{label}{year}年度总分", rows)
    _chart_page(ws, starts)


def _title_width(groups: list[tuple[str, list[dict]]], trend: bool) -> int:
    """Columns the widest data table spans: 3, or 季度 + one per unit of the biggest group."""
    return max([3] + [1 + len(rows) for _, rows in groups if trend])


def _totals_block(ws: Worksheet, row: int, title: str, rows: list[dict]) -> int:
    """A table 排名 | 县(市、区) | 总分 and a bar chart of it below; returns the first free row after both."""
    start = _group_heading(ws, row, title)
    end = write_table(ws, start, ["排名", "县(市、区)", "总分"],
                      [[r["group_rank"], r["unit_name"], r["total"]] for r in rows],
                      formats=[INTEGER_FORMAT, None, SCORE_FORMAT], center=(0, 1, 2))
    chart = BarChart()
    chart.type = "col"
    chart.add_data(Reference(ws, min_col=3, min_row=start, max_row=end - 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=start + 1, max_row=end - 1))
    chart.legend = None
    # the value only: LibreOffice otherwise adds the series and category names to every label
    chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                     showPercent=False)
    return _place(ws, chart, title, end + 1)


def _year_totals(con: duckdb.DuckDBPyConnection, q: Quarter) -> dict[tuple[str, str], Any]:
    """(unit_code, quarter) → total for the quarters of the year up to q."""
    quarters = [str(x) for x in quarters_of(q.year) if x <= q]
    marks = ", ".join("?" * len(quarters))
    return {(r["unit_code"], r["quarter"]): r["total"] for r in fetch_dicts(
        con, f"select unit_code, quarter, total from quarter_results where quarter in ({marks})", quarters)}


def _trend_block(ws: Worksheet, row: int, label: str, q: Quarter, rows: list[dict],
                 totals: dict[tuple[str, str], Any]) -> int:
    """A table 季度 × unit of the totals so far this year and, below it, one line per unit."""
    title = f"{label}{q.year}年各季度总分走势"
    start = _group_heading(ws, row, title)
    quarters = [x for x in quarters_of(q.year) if x <= q]
    table = [[QUARTER_NAMES[x.q - 1], *(totals.get((r["unit_code"], str(x))) for r in rows)] for x in quarters]
    end = write_table(ws, start, ["季度", *(r["unit_name"] for r in rows)], table,
                      formats=[None, *([SCORE_FORMAT] * len(rows))], center=range(1 + len(rows)))
    chart = LineChart()
    chart.add_data(Reference(ws, min_col=2, max_col=1 + len(rows), min_row=start, max_row=end - 1),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=start + 1, max_row=end - 1))
    for series in chart.series:
        series.marker.symbol = "circle"
        series.smooth = False
    chart.legend.position = "r"
    return _place(ws, chart, title, end + 1)


def _place(ws: Worksheet, chart, title: str, row: int) -> int:
    """Anchor the chart at column A of `row`; returns the first free row after it and a gap."""
    chart.title = title
    chart.y_axis.title = "总分"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.y_axis.number_format = "0"
    # openpyxl ≥ 3.1 leaves `delete` unset, which recent Excel reads as hidden axes
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = CHART_SIZE
    ws.add_chart(chart, f"A{row}")
    return row + CHART_ROWS + 1


def _chart_page(ws: Worksheet, starts: list[int]) -> None:
    """One table and its chart per printed page.

    Not fit-to-page: Excel ignores manual page breaks under "fit to", and would cut charts in two.
    """
    set_widths(ws, [10, 12, 10, 10, 10, 10, 10, 10])
    setup_page(ws, title_rows=None)
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    for start in starts[1:]:
        ws.row_breaks.append(Break(id=start - 1))


def _body_fonts(wb: Workbook) -> None:
    """Cells still in openpyxl's default font (Calibri) get the body font, so every sheet matches."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and cell.font.name == DEFAULT_FONT.name:
                    font = copy(cell.font)
                    font.name = BODY_FONT
                    cell.font = font


def _save(wb: Workbook, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _body_fonts(wb)
    wb.save(path)
    return path
