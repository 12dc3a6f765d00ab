"""What the quarterly and the annual ranking sheets share: the groups in display order, one table
per group with its tie note, and a print area of exactly the tables."""

from __future__ import annotations

import duckdb
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.registry import load_registry
from sbsk.outputs.sheets import BODY_FONT, fetch_dicts, setup_page, write_heading, write_note, write_table

TITLE_SUFFIX = '"四比四看"活动考评结果'
QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
RANKING_ROW_HEIGHT = 22  # points: room around 11-point CJK glyphs, so the printed table is not cramped


def _group_order(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Group code → (display position, label): registry order, labels as the run stored them."""
    groups = load_registry().groups
    order = {code: (i, label) for i, (code, label) in enumerate(groups.items())}
    for row in fetch_dicts(con, "select distinct unit_group, group_label from units order by unit_group"):
        pos = order.get(row["unit_group"], (len(order), ""))[0]
        order[row["unit_group"]] = (pos, row["group_label"])
    return order


def by_group(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """Rows split by ranking group in display order, each sorted by group_rank then unit_code."""
    order = _group_order(con)
    found: dict[str, list[dict]] = {}
    for row in rows:
        found.setdefault(row["unit_group"], []).append(row)
    keys = sorted(found, key=lambda g: (order.get(g, (len(order), g))[0], g))
    return [(order.get(g, (0, g))[1] or g,
             sorted(found[g], key=lambda r: (r["group_rank"], r["unit_code"]))) for g in keys]


def group_tables(ws, row: int, con, results: list[dict], headers: list[str], formats: list, middle) -> int:
    """One ranking table per group: rank, unit, the `middle` columns of a row, total, reward; then
    the group's tie note. Returns the next free row."""
    width = len(headers)
    for label, rows in by_group(con, results):
        row = write_heading(ws, row + 1, label)
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
    if len(tied) == len(rows) > 1 and all(r["reward_yuan"] == 0 for r in rows):
        return "注：全组并列（总分及各类得分均相同），奖惩由专班决定"
    parts = []
    for label, keep in (("第一", lambda r: r["reward_yuan"] > 0), ("末位", lambda r: r["reward_yuan"] < 0),
                        ("", lambda r: r["reward_yuan"] == 0)):
        names = [r["unit_name"] for r in tied if keep(r)]
        if names:
            parts.append("、".join(names) + "并列" + label)
    return "注：" + "；".join(parts) + "，奖惩由专班办公室研究确定"


def ranking_page(ws: Worksheet, width: int, last_row: int) -> None:
    """Print exactly the ranking tables, with the page number in the footer."""
    setup_page(ws)
    ws.print_area = f"A1:{get_column_letter(width)}{last_row}"
    ws.oddFooter.center.text = "第 &P 页"
    ws.oddFooter.center.font = BODY_FONT
