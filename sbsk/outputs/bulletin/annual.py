"""The annual bulletin: 排名 (each quarter's total, the year's review beside them, the annual total, the reward)
and 图表."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.periods import Quarter, quarters_of
from sbsk.outputs.bulletin.charts import CHART_SHEET, annual_chart_sheet
from sbsk.outputs.bulletin.movement import annual_movement_sheet
from sbsk.outputs.bulletin.versions import restated_quarters
from sbsk.outputs.bulletin.ranking import QUARTER_NAMES, TITLE_SUFFIX, group_tables, ranking_page
from sbsk.outputs.sheets import (INTEGER_FORMAT, REWARD_FORMAT, SCORE_FORMAT, fetch_dicts, save_workbook,
                                 set_widths, write_note, write_title)
from sbsk.store.runs import unit_word

ANNUAL_PROVISIONAL_NOTE = "注：年度结果为暂定（有季度结果缺失或为暂定）"
ANNUAL_STALE_NOTE = "注：年度结果计算后有季度重新考评，年度结果需重新计算"


def write_annual_bulletin(con: duckdb.DuckDBPyConnection, year: int, path: Path) -> Path:
    results = fetch_dicts(con, "select * from annual_results where year = ?", [int(year)])
    if not results:
        raise ValueError(f"{year}年：数据库中没有年度考评结果（annual_results），无法生成年度通报")
    wb = Workbook()
    _ranking_sheet(wb.active, con, int(year), results)
    # the quarter's order: the movement before the charts, so the office finds 名次变化 in one place
    annual_movement_sheet(wb.create_sheet(), con, int(year))
    annual_chart_sheet(wb.create_sheet(CHART_SHEET), con, int(year), results)
    return save_workbook(wb, path)


def _ranking_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, year: int, results: list[dict]) -> None:
    ws.title = "排名"
    quarters = [str(q) for q in quarters_of(year)]
    totals = {(r["unit_code"], r["quarter"]): r["total"] for r in fetch_dicts(
        con, "select unit_code, quarter, total from quarter_results where quarter in (?, ?, ?, ?)", quarters)}
    # the on-site review (SPEC §11) beside the ranking; with a weight, the quarterly composite too
    weight = max((r["review_weight"] or 0 for r in results), default=0)
    reviewed = any(r["review_total"] is not None for r in results)
    extra = (["季度综合"] if weight else []) + (["观摩评价"] if reviewed else [])
    headers = ["排名", unit_word(con), *QUARTER_NAMES, *extra, "年度总分", "奖惩(元)"]
    width = len(headers)
    write_title(ws, f"{year}年度{TITLE_SUFFIX}", width)
    row = 2
    for status, note in (("provisional", ANNUAL_PROVISIONAL_NOTE), ("stale", ANNUAL_STALE_NOTE)):
        if any(r["status"] == status for r in results):
            write_note(ws, row, note, width)
            row += 1
    if reviewed:
        write_note(ws, row, _review_note(weight), width)
        row += 1
    drafts = results[0].get("draft_quarters")
    if drafts:  # SPEC §12: a quarter never published enters as its draft, and is said
        write_note(ws, row, f"注：{'、'.join(Quarter.parse(d).chinese for d in drafts.split(','))}考评结果尚未发布，"
                            f"按草稿计入年度结果", width)
        row += 1
    restated = restated_quarters(con, year)
    if restated:  # SPEC §12: the year counts each quarter as published last, and says which were corrected
        write_note(ws, row, "注：" + "；".join(restated) + "，年度结果按更正后的季度结果计算", width)
        row += 1
    formats = [INTEGER_FORMAT, None, *([SCORE_FORMAT] * (5 + len(extra))), REWARD_FORMAT]
    row = group_tables(ws, row, con, results, headers, formats,
                       lambda r: [totals.get((r["unit_code"], q)) for q in quarters]
                       + ([r["composite_total"]] if weight else []) + ([r["review_total"]] if reviewed else []))
    set_widths(ws, [8, 14, 12, 12, 12, 12, *([12] * len(extra)), 12, 14])
    ranking_page(ws, width, row - 1)


def _review_note(weight) -> str:
    """How the year's on-site review (观摩评价: the mean of the half years' review totals) counts."""
    if not weight:
        return "注：观摩评价为本年上、下半年观摩总分的平均，列示供参考，不计入年度总分"
    w = Decimal(str(weight)).normalize()
    return (f"注：观摩评价为本年上、下半年观摩总分的平均；年度总分 = 季度综合 × {format(1 - w, 'f')} + 观摩评价 × "
            f"{format(w, 'f')}（未参加观摩的按季度综合），四舍五入保留两位小数")
