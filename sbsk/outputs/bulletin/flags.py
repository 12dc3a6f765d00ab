"""The 数据核查 sheet: every data flag of a quarter or a month's dispatch (in the bulletin and the
validation report)."""

from __future__ import annotations

import duckdb
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.labels import flag_labels, return_label
from sbsk.config.periods import Period
from sbsk.config.rubric import Rubric, load_rubric, rubric_for
from sbsk.outputs.return_writer import put_text_safe
from sbsk.outputs.sheets import INTEGER_FORMAT, fetch_dicts, fit_rows, set_widths, setup_page, write_table, write_title


FLAG_WIDTHS = [12, 20, 18, 56, 34, 6]


def scored_rubric(con: duckdb.DuckDBPyConnection, quarter: Period) -> Rubric:
    """The rubric the period was scored with; the one in force for a period not scored."""
    results = "dispatch_results where month" if quarter.kind == "month" else "quarter_results where quarter"
    version = con.execute(f"select any_value(rubric_version) from {results} = ?", [str(quarter)]).fetchone()[0]
    return rubric_for(version)[0] if version else load_rubric()


def write_flags_sheet(ws: Worksheet, con: duckdb.DuckDBPyConnection, quarter: Period) -> None:
    headers = ["单位", "报表", "标志", "说明", "文件", "行号"]
    write_title(ws, f"{quarter.chinese}数据核查", len(headers))
    flags = fetch_dicts(con, """
        select coalesce(u.unit_name, f.unit_code) as unit, f.return_code, f.flag, f.detail,
               f.source_file, f.row_number
        from data_flags f left join units u on u.unit_code = f.unit_code
        where f.quarter = ?
        order by f.return_code nulls last, f.flag, f.unit_code nulls last, f.source_file, f.row_number
    """, [str(quarter)])
    labels = flag_labels(scored_rubric(con, quarter)) if flags else {}
    rows = [[f["unit"] or "", return_label(f["return_code"]), labels.get(f["flag"], f["flag"]),
             f["detail"] or "", f["source_file"] or "", f["row_number"]] for f in flags]
    end = write_table(ws, 2, headers, rows, formats=[None] * 5 + [INTEGER_FORMAT], wrap=(0, 1, 2, 3, 4))
    if not rows:
        put_text_safe(ws.cell(end, 1), "本期无数据核查事项")
    set_widths(ws, FLAG_WIDTHS)
    fit_rows(ws, FLAG_WIDTHS)  # a long description prints whole, on as many lines as it needs
    ws.freeze_panes = "A3"
    setup_page(ws, "2:2")
