"""How every part of sbsk reads a sheet (fastexcel): one definition, so that the sandboxed trial
parse (sbsk.intake.guard.child) reads exactly what the reader and the annotated copies read."""

from __future__ import annotations


def text_sheet(book, name: str):
    """A sheet of an open fastexcel reader: every cell as text, from Excel row 1, with the absolute
    index of each column it kept."""
    sheet = book.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
    return sheet, [c.absolute_index for c in sheet.available_columns()]
