"""A sheet built in memory (cells, formats, merges, hidden columns) and how it is saved: .xlsx with
openpyxl, legacy .xls with xlwt; and the MessyFile that tells a test where everything went."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping

@dataclass
class MessyFile:
    """Where a messy return went and what a reader should make of it."""

    path: Path
    code: str
    traits: frozenset[str]
    sheet: str                          # the data sheet
    header_rows: list[int]              # Excel row numbers of the header rows
    row_numbers: list[int]              # Excel row number of each input row (same order as `rows`)
    skipped: Counter                    # expected skipped rows: total (合计+小计), notes, blank
    columns: list[str]                  # leaf headers as written, left to right (before header_noise)
    hidden: list[int] = field(default_factory=list)   # 0-based indexes of hidden columns


@dataclass
class Col:
    header: str
    field: str | None                   # the return's field; None for an extra or helper column
    kind: str                           # field | extra | hidden
    value: Callable[[int, Mapping], Any]
    numeric: bool = False               # summed in 合计/小计 rows
    parent: str | None = None


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)   # "date" | "percent" | "wrap"
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (inclusive)
    hidden: set[int] = field(default_factory=set)
    widths: dict[int, float] = field(default_factory=dict)

    def put(self, r: int, c: int, value: Any, fmt: str | None = None) -> None:
        if value is None:
            return
        self.cells[(r, c)] = value
        if fmt:
            self.formats[(r, c)] = fmt

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))


def _covered(sheet: Sheet) -> set[tuple[int, int]]:
    """Cells inside a merge other than its top-left one (they must stay empty)."""
    out = set()
    for r1, c1, r2, c2 in sheet.merges:
        out |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - {(r1, c1)}
    return out


def save_xlsx(path: Path, sheets: list[Sheet]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    from sbsk.outputs.return_writer import put_text_safe

    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        covered = _covered(sheet)
        for (r, c), v in sorted(sheet.cells.items()):
            assert (r, c) not in covered, f"value in a merged cell {r, c}"
            cell = ws.cell(r + 1, c + 1)
            put_text_safe(cell, v)
            fmt = sheet.formats.get((r, c))
            if fmt == "date":
                cell.number_format = "yyyy-mm-dd"
            elif fmt == "percent":
                cell.number_format = "0%"
            elif fmt == "wrap":
                cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
            elif isinstance(v, int) and not isinstance(v, bool):
                cell.number_format = "General"
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        for c, w in sheet.widths.items():
            ws.column_dimensions[get_column_letter(c + 1)].width = w
        for c in sheet.hidden:
            ws.column_dimensions[get_column_letter(c + 1)].hidden = True
    wb.save(path)


def save_xls(path: Path, sheets: list[Sheet]) -> None:
    import xlwt  # test dependency: legacy .xls fixtures

    wb = xlwt.Workbook(encoding="utf-8")
    styles = {
        None: xlwt.XFStyle(),
        "date": xlwt.easyxf(num_format_str="YYYY-MM-DD"),
        "percent": xlwt.easyxf(num_format_str="0%"),
        "wrap": xlwt.easyxf("align: wrap on, horiz center, vert center"),
    }
    for sheet in sheets:
        ws = wb.add_sheet(sheet.name, cell_overwrite_ok=True)
        covered = _covered(sheet)
        tops = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merges}
        for (r, c), v in sorted(sheet.cells.items()):
            assert (r, c) not in covered, f"value in a merged cell {r, c}"
            style = styles[sheet.formats.get((r, c))]
            if isinstance(v, datetime):
                v = v.date()
            if (r, c) in tops:
                r1, c1, r2, c2 = tops[(r, c)]
                ws.write_merge(r1, r2, c1, c2, v, style)
            else:
                ws.write(r, c, v, style)
        for key, (r1, c1, r2, c2) in tops.items():
            if key not in sheet.cells:
                ws.merge(r1, r2, c1, c2)
        for c, w in sheet.widths.items():
            ws.col(c).width = int(w * 256)
        for c in sheet.hidden:
            ws.col(c).hidden = True
    wb.save(str(path))
