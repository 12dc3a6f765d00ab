"""The validation report (校验结果): every file read, every rejected row, every data flag.

It is sent back to the departments, so it is ordered by department and all text is in Chinese.
Values are shown as the clerk wrote them, which is why every one is forced to stay text.
"""

from __future__ import annotations

import re

from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.labels import FILE_STATES, department_label, return_label
from sbsk.config.periods import Period, parse_period
from sbsk.outputs.bulletin.flags import write_flags_sheet
from sbsk.outputs.return_writer import put_text_safe
from sbsk.outputs.sheets import INTEGER_FORMAT, fetch_dicts, fit_rows, set_widths, setup_page, write_table, write_title


REJECTED_WIDTHS = [16, 30, 10, 6, 24, 14, 16, 48]


def write_validation_report(con: duckdb.DuckDBPyConnection, quarter: str, path: Path) -> Path:
    q = parse_period(quarter)
    wb = Workbook()
    _summary_sheet(wb.active, con, q)
    _rejected_sheet(wb.create_sheet("退回明细"), con, q)
    write_flags_sheet(wb.create_sheet("数据核查"), con, q)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _summary_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, q: Period) -> None:
    ws.title = "汇总"
    headers = ["部门", "文件", "报表", "状态", "读取行数", "入库行数", "退回行数", "跳过行数"]
    write_title(ws, f"{q.chinese}报表校验结果汇总", len(headers))
    files = fetch_dicts(con, """
        select department, path, return_code, status, rows_read, rows_loaded, rows_rejected, rows_skipped
        from source_files where quarter = ?
        order by department nulls last, path
    """, [str(q)])
    rows = [[department_label(f["department"]), f["path"], return_label(f["return_code"]),
             FILE_STATES.get(f["status"], f["status"]), f["rows_read"], f["rows_loaded"],
             f["rows_rejected"], f["rows_skipped"]] for f in files]
    end = write_table(ws, 2, headers, rows, formats=[None] * 4 + [INTEGER_FORMAT] * 4, wrap=(1,))
    if not rows:
        put_text_safe(ws.cell(end, 1), "本期没有读取到任何报表文件")
    set_widths(ws, [20, 48, 28, 10, 10, 10, 10, 10])
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:H{max(end - 1, 2)}"
    setup_page(ws, "2:2")


def problem_text(message: str, source_file: str | None) -> str:
    """The problem alone: the file, sheet, row and column a message starts with have their own columns,
    and repeating them cut the problem off in print."""
    if not source_file or not message.startswith(source_file):
        return message
    prefix = re.match(re.escape(source_file) + r"(?: ?工作表「[^」]*」)?(?: ?第\d+行)?(?: ?[A-Z]{1,3}列(?:「[^」]*」)?)?：",
                      message)
    return message[prefix.end():] if prefix else message


def _rejected_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, q: Period) -> None:
    """Every rejected row, named by its key field (项目名称, 审批事项, 文件名称 or 指标) in a column of its
    own, and its problem in full without the file and row that have their own columns (SPEC §13)."""
    headers = ["部门", "文件", "工作表", "行号", "关键字段", "列", "填报值", "问题说明"]
    write_title(ws, f"{q.chinese}退回明细", len(headers))
    rejected = fetch_dicts(con, """
        select department, source_file, sheet, row_number, column_name, value, message, row_key
        from rejected_rows where quarter = ?
        order by department nulls last, source_file, row_number nulls first, column_name
    """, [str(q)])
    rows = [[department_label(r["department"]), r["source_file"], r["sheet"] or "", r["row_number"],
             r["row_key"] or ("（整个文件）" if r["row_number"] is None else ""), r["column_name"] or "", r["value"],
             problem_text(r["message"], r["source_file"])] for r in rejected]
    end = write_table(ws, 2, headers, rows, formats=[None] * 3 + [INTEGER_FORMAT], wrap=(1, 4, 5, 6, 7))
    if not rows:
        put_text_safe(ws.cell(end, 1), "本期没有退回的行")
    set_widths(ws, REJECTED_WIDTHS)
    fit_rows(ws, REJECTED_WIDTHS)
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:H{max(end - 1, 2)}"
    setup_page(ws, "2:2")
