"""How sbsk's workbooks look: fonts, number formats, titles, notes, bordered tables, A4 pages.

Shared by the bulletins and the validation report. Everything is written as values, never as
formulas, so a workbook shows the same numbers as the database wherever it is opened.
"""

from __future__ import annotations

import math
import unicodedata
from copy import copy
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

import duckdb
from openpyxl import Workbook
from openpyxl.styles import DEFAULT_FONT, Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.outputs.return_writer import put_text_safe

SCORE_FORMAT = "0.00"
REWARD_FORMAT = "#,##0"
INTEGER_FORMAT = "0"

# The fonts every Chinese office machine has; without a name, LibreOffice and WPS pick a Latin serif
# for bold cells and a sans for the rest, so one table came out in two typefaces.
BODY_FONT = "宋体"
TITLE_FONT = "黑体"
TITLE = Font(name=TITLE_FONT, bold=True, size=16)
BOLD = Font(name=BODY_FONT, bold=True, size=11)
BODY = Font(name=BODY_FONT, size=11)
NOTE = Font(name=BODY_FONT, size=11, color="C00000")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="808080")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence = ()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def plain_number(value: Any) -> Any:
    """DECIMAL → float for writing; openpyxl cannot store Decimal as a number reliably."""
    return float(value) if isinstance(value, Decimal) else value


def write_title(ws: Worksheet, text: str, width: int, row: int = 1) -> None:
    cell = ws.cell(row, 1)
    put_text_safe(cell, text)
    cell.font = TITLE
    cell.alignment = Alignment(horizontal="center", vertical="center")
    if width > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 30


def write_note(ws: Worksheet, row: int, text: str, width: int) -> None:
    cell = ws.cell(row, 1)
    put_text_safe(cell, text)
    cell.font = NOTE
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if width > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def write_heading(ws: Worksheet, row: int, label: str) -> int:
    """A bold line above a table; returns the row below it."""
    cell = ws.cell(row, 1)
    put_text_safe(cell, label)
    cell.font = Font(name=BODY_FONT, bold=True, size=12)
    return row + 1


def write_table(ws: Worksheet, row: int, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                formats: Sequence[str | None] = (), wrap: Sequence[int] = (), center: Sequence[int] = (),
                row_height: float | None = None) -> int:
    """Write a bordered table from `row`; returns the first row below it.

    formats[j] is the number format of column j (None: general); wrap and center list wrapped and
    centred columns (0-based); row_height (points) is set on the header and every data row. No
    headers: the rows alone, under a header written once above (a sheet's print title row).
    """
    if headers:
        if row_height:
            ws.row_dimensions[row].height = row_height
        for j, text in enumerate(headers, start=1):
            cell = ws.cell(row, j)
            put_text_safe(cell, text)
            cell.font = BOLD
            cell.fill = HEADER_FILL
            cell.border = BOX
            cell.alignment = CENTER
        row += 1
    for values in rows:
        for j, value in enumerate(values):
            cell = ws.cell(row, j + 1)
            put_text_safe(cell, None if value == "" else plain_number(value))
            cell.border = BOX
            cell.font = BODY
            if j < len(formats) and formats[j] and isinstance(cell.value, (int, float)):
                cell.number_format = formats[j]
            if j in wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="center")  # level with the unwrapped cells
            elif j in center:
                cell.alignment = CENTER
            else:
                cell.alignment = Alignment(vertical="center")
        if row_height:
            ws.row_dimensions[row].height = row_height
        row += 1
    return row


LINE_POINTS = 15.0     # one line of 11-point text
CJK_UNITS = 2          # a Chinese character is about two column-width units wide


def _text_width(text: str) -> int:
    return sum(CJK_UNITS if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_rows(ws: Worksheet, widths: list[float]) -> None:
    """Give every row the height its wrapped text needs. Spreadsheet programs do not grow a row for
    text written by a program, so without this a long problem would print cut off."""
    spans = {}
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = sum(widths[c - 1] for c in range(rng.min_col, rng.max_col + 1))
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if cell.value is None or not isinstance(cell.column, int) or cell.column > len(widths):
                continue
            width = spans.get((cell.row, cell.column), widths[cell.column - 1])
            room = max(width - 1.5, 1)  # the cell's padding
            wraps = bool(cell.alignment and cell.alignment.wrap_text)
            text = str(cell.value)
            needed = sum(max(1, math.ceil(_text_width(part) / room)) if wraps else 1 for part in text.split("\n"))
            lines = max(lines, needed)
        current = ws.row_dimensions[row[0].row].height or LINE_POINTS
        ws.row_dimensions[row[0].row].height = max(current, lines * LINE_POINTS + 4)


def set_widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width


def setup_page(ws: Worksheet, title_rows: str | None = "1:1") -> None:
    """A4 landscape, fitted to the page width, with the title rows (if any) repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True


def _body_fonts(wb: Workbook) -> None:
    """Cells still in openpyxl's default font (Calibri) get the body font, so every sheet matches."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and cell.font.name == DEFAULT_FONT.name:
                    font = copy(cell.font)
                    font.name = BODY_FONT
                    cell.font = font


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Save with every cell in the body font, creating the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _body_fonts(wb)
    wb.save(path)
    return path
