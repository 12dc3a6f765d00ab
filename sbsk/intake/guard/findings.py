"""What the guard found in a file: handed from the sandboxed child to the parent, and to the reader."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SheetScan:
    name: str
    part: str
    cells: int | None = 0       # cells holding a value; None: a big sheet, bounded by its parsed area
    rows: int = 0               # last row holding a value
    columns: int = 0            # last column holding a value
    formulas: list[str] = field(default_factory=list)   # cells that held a formula (first few)
    formula_count: int = 0
    dimension: str | None = None  # what the sheet claims; a hint for messages, never trusted


@dataclass
class Inspection:
    kind: str                   # xlsx | xls
    biff: int | None = None     # an .xls: its BIFF version (5: Excel 5.0/95, 8: Excel 97-2003)
    sheets: list[SheetScan] = field(default_factory=list)
    # every sheet as the sandboxed parse read it (name → Arrow table of strings, absolute column
    # indexes), so the reader never parses the file a second time; None when the parse failed
    grids: dict | None = None
