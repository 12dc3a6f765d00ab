"""Which version a quarterly bulletin shows (SPEC §12): the title says 第N版, or 草稿 before the
quarter is published; from version 2 the 排名 sheet says why, and the 更正说明 sheet, kept apart at
the end of the workbook, what changed against the version before."""

from __future__ import annotations

from datetime import timedelta

import duckdb
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.periods import Quarter
from sbsk.outputs.bulletin.ranking import TITLE_SUFFIX, by_group
from sbsk.outputs.sheets import (INTEGER_FORMAT, REWARD_FORMAT, SCORE_FORMAT, set_widths, setup_page, write_note,
                                 write_table, write_title)
from sbsk.store.diff import UnitChange, compare, read_set
from sbsk.store.versions import Version, label, versions
from sbsk.store.runs import unit_word

RESTATEMENT_SHEET = "更正说明"
BEIJING = timedelta(hours=8)


def shown_version(con: duckdb.DuckDBPyConnection, quarter: str) -> Version | None:
    """The latest published version, which the public tables show; None: the draft is shown."""
    try:
        found = versions(con, quarter)
    except duckdb.CatalogException:  # a database from before versions
        return None
    return found[-1] if found else None


def title(q: Quarter, version: Version | None) -> str:
    return f"{q.chinese}{TITLE_SUFFIX}（{label(version.version) if version else '草稿，未发布'}）"


def _day(version: Version) -> str:
    return (version.published_at + BEIJING).strftime("%Y年%m月%d日").replace("年0", "年").replace("月0", "月")


def restatement_note(version: Version | None) -> str | None:
    """The 排名 sheet's line for a restatement."""
    if not version or version.version < 2:
        return None
    return (f"注：本通报为第{version.version}版（{_day(version)}更正，替代第{version.version - 1}版）。"
            f"更正原因：{version.reason}。各单位的变化见「{RESTATEMENT_SHEET}」")


def _moved(change: UnitChange) -> str:
    """The indicators whose points moved: 'C6 0.00→1.50、C7 —→0.60'."""
    return "、".join(f"{i} {'—' if o is None else o}→{'—' if v is None else v}" for i, o, v in change.indicators)


def restatement_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, q: Quarter, version: Version) -> None:
    """Version N against version N − 1: the reason, then every unit whose total, rank or reward
    changed, with the indicators that moved; units whose points alone moved, in a line below."""
    n = version.version
    ws.title = RESTATEMENT_SHEET
    headers = ["组别", unit_word(con), f"第{n - 1}版总分", f"第{n}版总分", f"第{n - 1}版排名", f"第{n}版排名",
               f"第{n - 1}版奖惩(元)", f"第{n}版奖惩(元)", "变化的指标"]
    width = len(headers)
    write_title(ws, f"{q.chinese}考评结果更正说明（第{n}版）", width)
    write_note(ws, 2, f"第{n}版于{_day(version)}发布（发布人：{version.published_by}），替代第{n - 1}版。", width)
    write_note(ws, 3, f"更正原因：{version.reason}", width)
    diff = compare(str(q), read_set(con, str(q), n - 1, label(n - 1)), read_set(con, str(q), n, label(n)))
    changes = {c.unit_code: c for c in diff.headline}
    table = []  # in the bulletin's order: group, then the new rank
    for group_label, rows in by_group(con, [c.after or c.before for c in diff.headline]):
        for r in rows:
            change = changes[r["unit_code"]]
            b, a = change.before or {}, change.after or {}
            table.append([group_label, change.unit_name, b.get("total"), a.get("total"), b.get("group_rank"),
                          a.get("group_rank"), b.get("reward_yuan"), a.get("reward_yuan"), _moved(change)])
    row = 5
    if table:
        formats = [None, None, SCORE_FORMAT, SCORE_FORMAT, INTEGER_FORMAT, INTEGER_FORMAT, REWARD_FORMAT,
                   REWARD_FORMAT, None]
        row = write_table(ws, row, headers, table, formats, wrap=[8], center=range(8))
    else:
        write_note(ws, row, "各单位的总分、排名和奖惩均未变化。", width)
        row += 1
    if diff.minor:
        write_note(ws, row + 1, f"另有{len(diff.minor)}个单位分项得分变化，总分、排名、奖惩不变："
                   + "；".join(f"{c.unit_name}（{_moved(c)}）" for c in diff.minor), width)
    set_widths(ws, [10, 14, 12, 12, 10, 10, 14, 14, 40])
    # every unit may have changed: a second page repeats the title, the reason and the column header
    setup_page(ws, "1:5" if table else "1:1")


def _yuan(value) -> str:
    if not value:
        return "无"
    return ("奖励" if value > 0 else "扣减") + f"{abs(value) / 10000:g}万元"


def change_text(change: UnitChange, n: int) -> str:
    """One unit's change in words, for the 通报 and the page: 安阳县总分2.00→3.50，名次2→1，奖惩无→奖励20万元."""
    b, a = change.before, change.after
    if b is None:
        return f"{change.unit_name}第{n}版新列入考评（总分{a['total']}，第{a['group_rank']}名）"
    if a is None:
        return f"{change.unit_name}第{n}版不再列入考评"
    parts = []
    for key, word, show in (("total", "总分", str), ("group_rank", "名次", str), ("reward_yuan", "奖惩", _yuan)):
        if b[key] != a[key]:
            parts.append(f"{word}{show(b[key])}→{show(a[key])}")
    return change.unit_name + "，".join(parts)


def version_facts(con: duckdb.DuckDBPyConnection, quarter: str) -> dict:
    """What the 通报 and the page say of the version shown (SPEC §12): 第N版 or 草稿, and from version 2
    the day, the reason and each unit whose total, rank or reward changed against version N − 1."""
    version = shown_version(con, quarter)
    if version is None:
        return {"version_label": "草稿，未发布", "restatement": None}
    facts = {"version_label": label(version.version), "restatement": None}
    if version.version >= 2:
        n = version.version
        diff = compare(quarter, read_set(con, quarter, n - 1, label(n - 1)), read_set(con, quarter, n, label(n)))
        facts["restatement"] = {
            "number": n, "previous": n - 1, "day": _day(version), "reason": version.reason,
            "changes": [change_text(c, n) for c in diff.headline], "minor_count": len(diff.minor)}
    return facts


def restated_quarters(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """The year's quarters shown in a restated version, for the annual documents: a year has no versions
    of its own, so they say which quarters were corrected and why (SPEC §12)."""
    found = []
    for q in (Quarter(year, n) for n in range(1, 5)):
        version = shown_version(con, str(q))
        if version and version.version >= 2:
            found.append(f"{q.chinese}结果已于{_day(version)}更正为第{version.version}版（更正原因：{version.reason}）")
    return found
