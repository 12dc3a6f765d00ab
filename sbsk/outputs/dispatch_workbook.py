"""The monthly dispatch workbook (月调度, SPEC §9) for the dispatch meeting:

- 排名: the provisional ranking of each group, with the movement since the month before and each
  unit's count of red and amber warnings;
- 预警清单: what each unit must chase before the quarter closes, red first, in the words of
  dispatch_warnings.detail, with the points still to win;
- 进度对照: progress against time progress for every progress part and unit, with a native chart
  (sbsk.outputs.dispatch_progress);
- 全省排名预判: the forecast of the city's rank in the province (SPEC §10), when it is given.

Everything is read from the dispatch tables of transforms/contract.sql and written as values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.periods import Month
from sbsk.store.runs import unit_word
from sbsk.outputs.dispatch_progress import progress_sheet
from sbsk.outputs.bulletin.ranking import by_group
from sbsk.outputs.dispatch_style import FILLS, LEVELS, LINE_HEIGHT, ROW_HEIGHT, fitted_height
from sbsk.outputs.sheets import (BODY_FONT, INTEGER_FORMAT, SCORE_FORMAT, fetch_dicts, save_workbook, set_widths,
                                 setup_page, write_heading, write_note, write_table, write_title)

TITLE_SUFFIX = '"四比四看"活动月调度暂定排名'
CN_QUARTERS = ("一", "二", "三", "四")


@dataclass(frozen=True)
class ForecastSection:
    """The 全省排名预判 section (SPEC §10), filled by the forecast; the workbook only lays it out.

    headline  e.g. 预计全省第5名（第4至第7名，覆盖72分）
    headers   the columns of the table under it (e.g. 省辖市, 预测得分, 预测排名)
    rows      its rows, values as shown
    notes     lines under the table (which parts were left out and why, sources)
    home_row  the position in `rows` of the home city's row, shown bold
    """
    headline: str
    headers: Sequence[str] = ()
    rows: Sequence[Sequence[Any]] = ()
    notes: Sequence[str] = field(default_factory=tuple)
    home_row: int | None = None


def write_dispatch_workbook(con: duckdb.DuckDBPyConnection, month: str, path: Path,
                            forecast: ForecastSection | None = None) -> Path:
    m = Month.parse(month)
    results = fetch_dicts(con, "select * from dispatch_results where month = ?", [str(m)])
    if not results:
        raise ValueError(f"{m}：数据库中没有本月的调度结果（dispatch_results），无法生成月调度表")
    warnings = fetch_dicts(con, """
        select w.*, u.unit_name, u.unit_group from dispatch_warnings w join units u using (unit_code)
        where w.month = ? order by w.unit_code, w.indicator_code, w.part
    """, [str(m)])
    wb = Workbook()
    _ranking_sheet(wb.active, con, m, results, warnings)
    _warnings_sheet(wb.create_sheet("预警清单"), con, m, results, warnings)
    progress_sheet(wb.create_sheet("进度对照"), con, m, _groups(con, results), warnings)
    if forecast is not None:
        forecast_sheet(wb.create_sheet("全省排名预判"), m, forecast)
    return save_workbook(wb, path)


# ---- groups ----

def _groups(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """Rows split by ranking group in the registry's order, labelled as the run stored them (a
    province's one group 省辖市 too), each by group_rank then unit_code."""
    return by_group(con, rows)


def months_left(m: Month) -> str:
    q = m.quarter
    left = 3 * q.q - m.m
    end = f"第{CN_QUARTERS[q.q - 1]}季度末（{q.end.month}月{q.end.day}日）"
    return f"本月即为{end}" if left == 0 else f"距{end}还有{left}个月"


def movement(change: int | None) -> str:
    if change is None:
        return "—"
    return "持平" if change == 0 else (f"上升{change}位" if change > 0 else f"下降{-change}位")


# ---- 排名 ----

def _ranking_sheet(ws: Worksheet, con, m: Month, results: list[dict], warnings: list[dict]) -> None:
    ws.title = "排名"
    cats = [(r["category_code"], f"{r['name']}({_points(r['points'])})") for r in fetch_dicts(con, """
        select category_code, any_value(category_name) as name, sum(max_points) as points
        from rubric_indicators where rubric_version = ? group by category_code order by category_code
    """, [results[0]["rubric_version"]]) if r["category_code"] in "ABCD"]
    headers = ["排名", unit_word(con), *(h for _, h in cats), "总分", "较上月", "红灯", "黄灯"]
    width = len(headers)
    write_title(ws, f"{m.chinese}{TITLE_SUFFIX}", width)
    count = {}
    for w in warnings:
        count[(w["unit_code"], w["level"])] = count.get((w["unit_code"], w["level"]), 0) + 1
    notes = [f"注：月调度结果为暂定，供调度会研判进度，不作奖惩依据。{months_left(m)}。较上月为与上月调度排名相比的位次变化。"]
    missing = [r["return_code"] for r in fetch_dicts(con, """
        select distinct return_code from data_flags where quarter = ? and flag = 'missing_return' order by 1
    """, [str(m)])]
    if missing:
        notes.append(f"注：本月缺报 {'、'.join(missing)}，相关指标计0分。")
    row = 2
    for note in notes:
        write_note(ws, row, note, width)
        ws.row_dimensions[row].height = 2 * LINE_HEIGHT + 4
        row += 1
    formats = [INTEGER_FORMAT, None, *([SCORE_FORMAT] * (len(cats) + 1)), None, INTEGER_FORMAT, INTEGER_FORMAT]
    for label, rows in _groups(con, results):
        row = write_heading(ws, row + 1, label)
        table = [[r["group_rank"], r["unit_name"], *(r[f"score_{c.lower()}"] for c, _ in cats), r["total"],
                  movement(r["rank_change"]), count.get((r["unit_code"], "red"), 0),
                  count.get((r["unit_code"], "amber"), 0)] for r in rows]
        row = write_table(ws, row, headers, table, formats, center=range(width), row_height=ROW_HEIGHT)
    set_widths(ws, [7, 13, *([15] * len(cats)), 9, 11, 7, 7])
    setup_page(ws)
    ws.print_area = f"A1:{get_column_letter(width)}{row - 1}"
    ws.oddFooter.center.text = "第 &P 页"


def _points(value) -> str:
    return f"{float(value):g}"


# ---- 预警清单 ----

def _warnings_sheet(ws: Worksheet, con, m: Month, results: list[dict], warnings: list[dict]) -> None:
    """Title in row 1 and the one column header in row 2, both printed at the top of every page (a
    city's list runs to several): the units' rows below carry no header of their own."""
    unit = unit_word(con)
    headers = [unit, "预警", "指标", "情况与差距", "可争取(分)"]
    widths = [12, 7, 7, 92, 10]
    width = len(headers)
    write_title(ws, f"{m.chinese}月调度预警清单", width)
    write_table(ws, 2, headers, [], row_height=ROW_HEIGHT)
    parts = {r["indicator_code"]: len(r["methods"].split(",")) for r in fetch_dicts(
        con, "select indicator_code, methods from rubric_indicators where rubric_version = ?",
        [results[0]["rubric_version"]])}
    by_unit: dict[str, list[dict]] = {}
    for w in warnings:
        by_unit.setdefault(w["unit_code"], []).append(w)
    row = 2
    for label, rows in _groups(con, results):
        row = write_heading(ws, row + 1, label)
        for unit_row in rows:
            mine = sorted(by_unit.get(unit_row["unit_code"], []),
                          key=lambda w: (w["level"] != "red", -w["points_behind"], w["indicator_code"], w["part"]))
            reds = sum(w["level"] == "red" for w in mine)
            summary = (f"{unit_row['unit_name']}：红灯{reds}项、黄灯{len(mine) - reds}项，"
                       f"赶上后最多可增加{sum(w['points_behind'] for w in mine):.2f}分" if mine
                       else f"{unit_row['unit_name']}：无预警")
            cell = ws.cell(row, 1, summary)
            cell.font = Font(name=BODY_FONT, bold=True, size=11)
            row += 1
            if not mine:
                continue
            # the level has its own column: the detail without its 红灯｜ prefix
            table = [[unit_row["unit_name"], LEVELS[w["level"]], _code(w, parts), w["detail"].split("｜", 1)[-1],
                      round(w["points_behind"], 2)] for w in mine]
            start = row
            row = write_table(ws, row, (), table, [None, None, None, None, SCORE_FORMAT], wrap=(3,),
                              center=(0, 1, 2, 4))
            for i, w in enumerate(mine, start=start):
                ws.cell(i, 2).fill = FILLS[w["level"]]
                ws.row_dimensions[i].height = fitted_height(table[i - start][3], widths[3])
    # the legend under the list: on page 1 it would part the header from the first rows
    row += 1
    write_note(ws, row, f"注：红灯：明显落后于序时进度或组内先进；黄灯：稍有落后。{months_left(m)}，"
                        f"请各{unit}对照清单，在季度结束前重点追赶。可争取为赶上后可增加的分值。", width)
    ws.row_dimensions[row].height = 2 * LINE_HEIGHT + 4
    set_widths(ws, widths)
    setup_page(ws, "1:2")
    ws.print_area = f"A1:{get_column_letter(width)}{row}"
    ws.oddFooter.center.text = "第 &P 页"


def _code(w: dict, parts: dict[str, int]) -> str:
    """C6 for a one-part indicator, C1-2 for the second part of C1."""
    return w["indicator_code"] if parts.get(w["indicator_code"], 1) == 1 else f"{w['indicator_code']}-{w['part']}"


# ---- 全省排名预判 ----

def forecast_sheet(ws: Worksheet, m: Month, forecast: ForecastSection) -> None:
    width = max(3, len(forecast.headers))
    write_title(ws, f"{m.chinese}全省排名预判", width)
    cell = ws.cell(2, 1, forecast.headline)
    cell.font = Font(name=BODY_FONT, bold=True, size=14)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.row_dimensions[2].height = 28
    row = 4
    if forecast.headers:
        end = write_table(ws, row, forecast.headers, forecast.rows, center=range(width), row_height=ROW_HEIGHT)
        if forecast.home_row is not None:
            for col in range(1, len(forecast.headers) + 1):
                ws.cell(row + 1 + forecast.home_row, col).font = Font(name=BODY_FONT, bold=True)
        row = end
    widths = [16] * width
    for note in forecast.notes:  # as tall as its wrapped lines: a fixed two lines cut the longer notes
        write_note(ws, row, note, width)
        ws.row_dimensions[row].height = fitted_height(note, sum(widths))
        row += 1
    set_widths(ws, widths)
    setup_page(ws)
    # a province's cities and the notes under them on one portrait page: the meeting reads it whole
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToHeight = 1
