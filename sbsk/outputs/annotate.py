"""Annotated copies of returns with problems: each bad cell highlighted, with the message as a
cell comment, so the file can go straight back to the department that sent it."""

from __future__ import annotations

import re
from pathlib import Path

import fastexcel
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import column_index_from_string

from sbsk.files import atomic_path
from sbsk.intake.ingest import FileResult
from sbsk.outputs.return_writer import put_text_safe
from sbsk.intake.sheets import text_sheet
from sbsk.text import excel_text

BAD = PatternFill("solid", fgColor="FFC7CE")
MAX_ROWS = 50_000  # beyond this an annotated copy costs minutes; the report lists the problems instead
_CELL = re.compile(r"^([A-Z]+)(\d+)$")
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]")


def annotated_name(result: FileResult) -> str:
    stem = _UNSAFE.sub("_", result.source.path.stem)[:80]
    return f"{stem}-问题标注.xlsx"


def annotate(result: FileResult, folder: Path) -> Path | None:
    """Write the annotated copy of one file, or None when it has no row-level problems."""
    marks = [r for r in result.rejections if r.get("row_number")]
    if result.status == "rejected" or not marks or result.rows_read > MAX_ROWS:
        return None
    wb = _values_copy(result)
    ws = wb[result.sheet]
    for rej in marks:
        row = int(rej["row_number"])
        column = _column_of(rej)
        target = ws.cell(row, column)
        target.fill = BAD
        note = rej["message"] if target.comment is None else f"{target.comment.text}\n{rej['message']}"
        target.comment = Comment(excel_text(note), "sbsk", width=320, height=120)
    dept = result.source.department or "unknown"
    path = folder / dept / annotated_name(result)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _column_of(rejection: dict) -> int:
    m = _CELL.match(rejection.get("cell") or "")
    return column_index_from_string(m.group(1)) if m else 1


def _values_copy(result: FileResult) -> Workbook:
    """The department's workbook with values only: formulas become their cached results and text
    that looks like a formula stays text, so nothing we publish can execute."""
    path = result.source.path
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        wb = load_workbook(path, data_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.data_type = TYPE_STRING
        return wb
    return _from_grid(path)


def _from_grid(path: Path) -> Workbook:
    """Legacy .xls cannot be edited in place: rebuild its sheets from the values fastexcel reads."""
    reader = fastexcel.read_excel(str(path))
    wb = Workbook()
    wb.remove(wb.active)
    for name in reader.sheet_names:
        sheet, offsets = text_sheet(reader, name)
        ws = wb.create_sheet(name)
        for i, row in enumerate(sheet.to_pandas().itertuples(index=False), start=1):
            for j, value in zip(offsets, row):
                if isinstance(value, str):
                    put_text_safe(ws.cell(i, j + 1), value)
    return wb
