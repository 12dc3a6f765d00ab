"""The 指标得分 sheet: every unit's points on every indicator, under the indicator's name and maximum."""

from __future__ import annotations

import re
from decimal import Decimal

import duckdb
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.periods import Quarter
from sbsk.outputs.bulletin.ranking import by_group
from sbsk.outputs.return_writer import put_text_safe
from sbsk.outputs.sheets import (BOLD, BOX, CENTER, HEADER_FILL, SCORE_FORMAT, fetch_dicts, fit_rows, plain_number,
                                 set_widths, setup_page, write_title)
from sbsk.store.runs import unit_word


def _indicator_key(code: str) -> tuple:
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", code)
    return (m.group(1), int(m.group(2))) if m else (code, 0)


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


def indicator_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, q: Quarter,
                    results: list[dict], rubric_version: str) -> None:
    indicators = _indicators(con, q, rubric_version)
    codes = [i["indicator_code"] for i in indicators]
    width = len(codes) + 3
    write_title(ws, f"{q.chinese}各指标得分", width)
    points = {(s["unit_code"], s["indicator_code"]): s["points"] for s in fetch_dicts(
        con, "select unit_code, indicator_code, points from indicator_scores where quarter = ?", [str(q)])}
    max_total = sum((Decimal(str(i["max_points"])) for i in indicators), Decimal(0))
    header_rows = [
        ["组别", unit_word(con), *codes, "总分"],
        ["", "指标名称", *(i["name"] for i in indicators), ""],
        ["", "满分", *(i["max_points"] for i in indicators), max_total],
    ]
    for offset, values in enumerate(header_rows):
        for j, value in enumerate(values, start=1):
            cell = ws.cell(2 + offset, j)
            put_text_safe(cell, plain_number(value))
            cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADER_FILL, BOX, CENTER
            if isinstance(cell.value, float):
                cell.number_format = SCORE_FORMAT
    row = 5
    for label, rows in by_group(con, results):
        for r in rows:
            values = [label, r["unit_name"], *(points.get((r["unit_code"], c)) for c in codes), r["total"]]
            for j, value in enumerate(values, start=1):
                cell = ws.cell(row, j)
                put_text_safe(cell, plain_number(value))
                cell.border = BOX
                if isinstance(cell.value, float):
                    cell.number_format = SCORE_FORMAT
            row += 1
    widths = [10, 12, *([8] * len(codes)), 9]
    set_widths(ws, widths)
    fit_rows(ws, widths)  # the 指标名称 row as tall as its longest name needs: none is cut in print
    ws.freeze_panes = "C5"
    setup_page(ws, "2:4")
