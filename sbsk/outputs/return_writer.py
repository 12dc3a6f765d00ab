"""Write a return as a plain workbook: one title row, one header row, then the data.

This is the layout `sbsk demo` writes and that tests build their fixtures with; departments may
also send it. Values are written as given (dates as dates, numbers as numbers, text as text).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from sbsk.schemas.definitions import ReturnDef
from sbsk.text import excel_text


def put_text_safe(cell, value: Any) -> None:
    """Set a cell; text is always stored as text, never as a formula (e.g. '=HYPERLINK(...)'), and
    as text Excel can hold (no control characters, at most 32,767 characters)."""
    if isinstance(value, str):
        value = excel_text(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = TYPE_STRING


def write_plain(path: Path, ret: ReturnDef, rows: Iterable[Mapping[str, Any]], title: str | None = None,
                sheet: str = "Sheet1") -> Path:
    """Write rows (dicts keyed by field name) under the return's canonical headers."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    put_text_safe(ws.cell(1, 1), title or ret.title)
    for j, col in enumerate(ret.columns, start=1):
        put_text_safe(ws.cell(2, j), col.label)
    for i, row in enumerate(rows, start=3):
        for j, col in enumerate(ret.columns, start=1):
            value = row.get(col.field)
            if value is not None:
                put_text_safe(ws.cell(i, j), value)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
