"""The 名次变化 sheet of the bulletin workbooks (SPEC §13): each group's rank movement (进位/退位) and
streaks, the 红黑榜 (by the rubric's [honour_roll] rules: by default each group's first and last), and each indicator's best and worst units per
group, ties together. It states the same facts as the 通报 (outputs/tongbao/facts.py)."""

from __future__ import annotations

import duckdb
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.outputs.sheets import fit_rows, set_widths, setup_page, write_note, write_table, write_title
from sbsk.outputs.tongbao.facts import quarter_facts, year_facts

SHEET = "名次变化"
WIDTHS = [30, 10, 24, 10, 24, 12, 12]
HEADERS = ["组别", "名次", "县(市、区)", "总分", "名次变化", "连续第一(期)", "连续末位(期)"]  # [2]: the level's unit_name


def _movement(text: str) -> str:
    if text.startswith("↑"):
        return f"进位{text[1:]}位"
    if text.startswith("↓"):
        return f"退位{text[1:]}位"
    return text


def _write(ws: Worksheet, facts: dict, results: dict[str, dict]) -> None:
    write_title(ws, f"{facts['period_name']}名次变化与红黑榜", len(HEADERS))
    rows = [[g["label"], r["rank"], r["name"], r["total"], _movement(r["movement"]),
             results[r["name"]].get("streak_first") or "", results[r["name"]].get("streak_last") or ""]
            for g in facts["groups"] for r in g["rows"]]
    unit = facts["unit_name"]
    row = write_table(ws, 2, [*HEADERS[:2], unit, *HEADERS[3:]], rows, center=(0, 1, 3, 4, 5, 6)) + 1
    # the rubric's 红黑榜 rules (config/honour_roll.py), said under the table
    totals = {r["name"]: r["total"] for g in facts["groups"] for r in g["rows"]}
    roll = [[g["label"], title, "、".join(g[key]) or "无", "、".join(totals[n] for n in g[key]) or "—"]
            for key, title in (("red", "红榜"), ("black", "黑榜")) for g in facts["groups"]]
    row = write_table(ws, row, ["组别", "榜单", unit, "总分"], roll, wrap=(2,), center=(0, 1, 3))
    rule = facts["honour_roll"]
    write_note(ws, row, f"注：红榜为{rule['red']}；黑榜为{rule['black']}。", len(HEADERS))
    row += 2
    best = [[f"{i['code']} {i['name']}", g["label"], "得分相同" if g["same"] else "、".join(g["best"]),
             g["best_points"], "得分相同" if g["same"] else "、".join(g["worst"]), g["worst_points"]]
            for i in facts["indicators"] for g in i["groups"]]
    if best:
        write_table(ws, row, ["指标", "组别", "较好", "得分", "较差", "得分"], best, wrap=(0, 2, 4), center=(1, 3, 5))
    set_widths(ws, WIDTHS)
    fit_rows(ws, WIDTHS)  # a long indicator name wraps onto the lines it needs, never cut in print
    setup_page(ws, None)


def quarter_movement_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, quarter: str) -> None:
    ws.title = SHEET
    results = {r[0]: {"streak_first": r[1], "streak_last": r[2]} for r in con.execute(
        "select unit_name, streak_first, streak_last from quarter_results where quarter = ?", [quarter]).fetchall()}
    _write(ws, quarter_facts(con, quarter), results)


def annual_movement_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, year: int) -> None:
    ws.title = SHEET
    facts = year_facts(con, year)
    _write(ws, facts, {r["name"]: {} for g in facts["groups"] for r in g["rows"]})
