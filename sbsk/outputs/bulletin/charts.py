"""The 图表 sheet: native Excel charts of the totals by group and, from Q2, their trend over the year.

Each chart reads a small table of plain values written just above it on the same sheet (never
formulas), so the chart and its numbers always agree.
"""

from __future__ import annotations

from typing import Any

import duckdb
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.periods import Quarter, quarters_of
from sbsk.outputs.bulletin.ranking import QUARTER_NAMES, by_group
from sbsk.outputs.sheets import (INTEGER_FORMAT, SCORE_FORMAT, fetch_dicts, set_widths, setup_page, write_heading,
                                 write_table, write_title)
from sbsk.store.runs import unit_word

CHART_SHEET = "图表"
CHART_SIZE = (17, 7.5)     # width, height in cm: fits an A4 landscape page at 100 %
CHART_ROWS = 15            # default-height rows the chart covers


def quarter_chart_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, q: Quarter, results: list[dict]) -> None:
    groups = by_group(con, results)
    write_title(ws, f"{q.chinese}总分图表", _title_width(groups, trend=q.q >= 2))
    starts, row = [], 3
    for label, rows in groups:
        starts.append(row)
        row = _totals_block(ws, row, f"{label}{q.chinese}总分", rows, unit_word(con))
    if q.q >= 2:
        trend = _year_totals(con, q)
        for label, rows in groups:
            starts.append(row)
            row = _trend_block(ws, row, label, q, rows, trend)
    _chart_page(ws, starts)


def annual_chart_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, year: int, results: list[dict]) -> None:
    groups = by_group(con, results)
    write_title(ws, f"{year}年度总分图表", _title_width(groups, trend=False))
    starts, row = [], 3
    for label, rows in groups:
        starts.append(row)
        row = _totals_block(ws, row, f"{label}{year}年度总分", rows, unit_word(con))
    _chart_page(ws, starts)


def _title_width(groups: list[tuple[str, list[dict]]], trend: bool) -> int:
    """Columns the widest data table spans: 3, or 季度 + one per unit of the biggest group."""
    return max([3] + [1 + len(rows) for _, rows in groups if trend])


def _totals_block(ws: Worksheet, row: int, title: str, rows: list[dict], unit: str) -> int:
    """A table 排名 | `unit` (县(市、区), 省辖市) | 总分 and a bar chart of it below; returns the first free row after both."""
    start = write_heading(ws, row, title)
    end = write_table(ws, start, ["排名", unit, "总分"],
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
    start = write_heading(ws, row, title)
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
