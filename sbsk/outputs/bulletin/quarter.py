"""The quarterly bulletin: 排名 (the ranking by group, with category scores), 指标得分, 数据核查, 图表."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.labels import RESULT_STATES, return_label
from sbsk.config.periods import Quarter
from sbsk.outputs.bulletin.charts import CHART_SHEET, quarter_chart_sheet
from sbsk.outputs.bulletin.flags import write_flags_sheet
from sbsk.outputs.bulletin.indicators import indicator_sheet
from sbsk.outputs.bulletin.movement import quarter_movement_sheet
from sbsk.outputs.bulletin.ranking import group_tables, ranking_page
from sbsk.outputs.bulletin.versions import restatement_note, restatement_sheet, shown_version, title
from sbsk.store.runs import unit_word
from sbsk.outputs.sheets import (INTEGER_FORMAT, REWARD_FORMAT, SCORE_FORMAT, fetch_dicts, save_workbook,
                                 set_widths, write_note, write_title)

PROVISIONAL_NOTE = f"注：本季度结果为{RESULT_STATES['provisional']}"
# Used only when the run stored no rubric_indicators (the SPEC §5 defaults).
DEFAULT_CATEGORIES = {"A": ("比谋划看储备", 30), "B": ("比招引看投资", 15),
                      "C": ("比开工看进度", 40), "D": ("比服务看实效", 15)}


def write_quarter_bulletin(con: duckdb.DuckDBPyConnection, quarter: str, path: Path) -> Path:
    q = Quarter.parse(quarter)
    results = fetch_dicts(con, "select * from quarter_results where quarter = ?", [str(q)])
    if not results:
        raise ValueError(f"{q}：数据库中没有本季度的考评结果（quarter_results），无法生成通报")
    rubric_version = results[0]["rubric_version"]
    version = shown_version(con, str(q))
    wb = Workbook()
    _ranking_sheet(wb.active, con, q, results, rubric_version, version)
    indicator_sheet(wb.create_sheet("指标得分"), con, q, results, rubric_version)
    write_flags_sheet(wb.create_sheet("数据核查"), con, q)
    quarter_movement_sheet(wb.create_sheet(), con, str(q))
    quarter_chart_sheet(wb.create_sheet(CHART_SHEET), con, q, results)
    if version and version.version > 1:  # a restatement: what changed, on a sheet of its own
        restatement_sheet(wb.create_sheet(), con, q, version)
    return save_workbook(wb, path)


def _ranking_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, q: Quarter,
                   results: list[dict], rubric_version: str, version) -> None:
    ws.title = "排名"
    cats = _categories(con, rubric_version)
    headers = ["排名", unit_word(con), *(h for _, h in cats), "总分", "奖惩(元)"]
    width = len(headers)
    write_title(ws, title(q, version), width)
    row = 2
    if restatement_note(version):
        write_note(ws, row, restatement_note(version), width)
        row += 1
    if any(r["status"] == "provisional" for r in results):
        write_note(ws, row, PROVISIONAL_NOTE + _missing_returns_text(con, q), width)
        row += 1
    formats = [INTEGER_FORMAT, None, *([SCORE_FORMAT] * (len(cats) + 1)), REWARD_FORMAT]
    scores = {(u, c): s for u, c, s in con.execute(  # every category, also one the rubric adds beyond A–D
        "select unit_code, category_code, score from category_scores where quarter = ?", [str(q)]).fetchall()}
    row = group_tables(ws, row, con, results, headers, formats,
                       lambda r: [scores.get((r["unit_code"], c)) for c, _ in cats])
    set_widths(ws, [8, 14, *([16] * len(cats)), 10, 14])
    ranking_page(ws, width, row - 1)


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


def _missing_returns_text(con: duckdb.DuckDBPyConnection, q: Quarter) -> str:
    codes = [r["return_code"] for r in fetch_dicts(con, """
        select distinct return_code from data_flags
        where quarter = ? and flag = 'missing_return' and return_code is not null order by 1
    """, [str(q)])]
    return "，缺报：" + "、".join(return_label(c) for c in codes) if codes else ""
