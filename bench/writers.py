"""How a bench quarter's files are written: the flavours of bench/generate.py (issue 18: bench data that
does not flatter us). Each writer takes one file's rows, in the return's column order, and writes them.

  openpyxl              openpyxl write-only mode: inline strings, real date cells (the first bench data)
  openpyxl-textdates    the same, every date as text in the forms clerks type (2020-07-03, 2020/7/3,
                        2020.7.3, 2020年7月3日)
  xlsxwriter            XlsxWriter's default mode, as Excel itself writes: a shared-strings part, real
                        date cells with a yyyy-mm-dd format
  xlsxwriter-textdates  shared strings, dates as text
  messy                 the clerks' layouts of sbsk/samples/layouts (write_messy, openpyxl's ordinary
                        mode): titles and filler rows, merged two-row headers, amounts in 亿元 (said in the
                        header or by a 单位：亿元 line), 合计 and 小计 rows, notes below, a 说明 sheet in
                        front, extra and hidden columns, numbers and dates as text, per MESSY below

Every flavour means the same rows: a 1M-row quarter loads 1,000,000 rows whoever wrote it.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

FLAVOURS = ("openpyxl", "openpyxl-textdates", "xlsxwriter", "xlsxwriter-textdates", "messy")
DEFAULT_FLAVOUR = "openpyxl"

# The messy flavour's traits per return (sbsk/samples/layouts: every combination composes). R04, R09 and
# R05 are the demo's own (sbsk/samples/demo/year.py MESSY); the rest spread merged headers, 亿元, 合计 and
# 小计 rows and second sheets over the big returns.
MESSY = {
    "R01": frozenset({"title_rows", "filler_rows", "merged_header", "yi_yuan_header", "totals", "notes_sheet"}),
    "R02": frozenset({"title_rows", "merged_header", "header_noise", "totals", "notes_below"}),
    "R03": frozenset({"title_rows", "totals"}),
    "R04": frozenset({"title_rows", "filler_rows", "merged_header", "yi_yuan_header", "totals", "notes_below"}),
    "R05": frozenset({"yi_yuan_line", "numbers_as_text", "subtotals", "hidden_column"}),
    "R06": frozenset({"title_rows", "merged_header", "yi_yuan_line", "totals", "notes_sheet"}),
    "R07": frozenset({"title_rows", "merged_header", "yi_yuan_header", "subtotals"}),
    "R08": frozenset({"title_rows", "merged_header", "totals", "extra_columns"}),
    "R09": frozenset({"header_noise", "dates_as_text", "notes_sheet", "extra_columns"}),
    "R10": frozenset({"title_rows"}),
    "R11": frozenset({"title_rows", "merged_header", "notes_below"}),
}
# What a messy file adds around its data, for the file-size plan: columns (序号, 建设地点, 完成率, 备注,
# a hidden one) and rows (title, filler, unit line, three header rows, 合计, a 小计 per unit, notes).
MESSY_EXTRA_COLUMNS = 5
MESSY_EXTRA_ROWS = 40

_TEXT_DATE_FORMATS = (lambda d: d.isoformat(), lambda d: f"{d.year}/{d.month}/{d.day}",
                      lambda d: f"{d.year}.{d.month}.{d.day}", lambda d: f"{d.year}年{d.month}月{d.day}日")


def text_dates(rows: Iterable) -> Iterable[list]:
    """Rows with every date written as text, the form changing from row to row."""
    for i, row in enumerate(rows):
        form = _TEXT_DATE_FORMATS[i % len(_TEXT_DATE_FORMATS)]
        yield [form(v) if isinstance(v, date) else v for v in row]


def write(flavour: str, tmp: Path, code: str, ret, title: str, rows: Iterable, quarter: str, seed: int) -> None:
    """Write one file of return `code` (ReturnDef `ret`) to `tmp` in the given flavour."""
    if flavour.endswith("-textdates"):
        rows = text_dates(rows)
    if flavour.startswith("openpyxl"):
        _openpyxl(tmp, ret, title, rows)
    elif flavour.startswith("xlsxwriter"):
        _xlsxwriter(tmp, ret, title, rows)
    elif flavour == "messy":
        _messy(tmp, code, ret, rows, quarter, seed)
    else:
        raise ValueError(f"unknown flavour {flavour!r}; known: {', '.join(FLAVOURS)}")


def _openpyxl(tmp: Path, ret, title: str, rows: Iterable) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append([title])
    ws.append([c.label for c in ret.columns])
    for row in rows:
        ws.append(row)
    wb.save(tmp)


def _xlsxwriter(tmp: Path, ret, title: str, rows: Iterable) -> None:
    import xlsxwriter

    # not constant_memory: that mode writes inline strings; the default keeps a shared-strings table as Excel does
    wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    ws = wb.add_worksheet("Sheet1")
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, 0, title)
    for j, c in enumerate(ret.columns):
        ws.write_string(1, j, c.label)
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(i, j, v)
            elif isinstance(v, (date, datetime)):
                ws.write_datetime(i, j, v, day)
            else:
                ws.write_number(i, j, v)
    wb.close()


def _messy(tmp: Path, code: str, ret, rows: Iterable, quarter: str, seed: int) -> None:
    from sbsk.samples.layouts import write_messy

    fields = [c.field for c in ret.columns]
    dicts = [dict(zip(fields, row)) for row in rows]
    # write_messy names the file by its path's suffix: write to a .xlsx beside the temporary name
    target = tmp.with_name(tmp.stem + ".partial.xlsx")
    write_messy(target, code, dicts, MESSY[code], quarter=quarter, seed=seed)
    os.replace(target, tmp)
