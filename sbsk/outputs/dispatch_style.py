"""What the dispatch workbook's sheets share: the warning colours and rows tall enough for wrapped text."""

from __future__ import annotations

from openpyxl.styles import PatternFill

LEVELS = {"red": "红灯", "amber": "黄灯"}
FILLS = {"red": PatternFill("solid", fgColor="F4B6B6"), "amber": PatternFill("solid", fgColor="FFE699")}
ROW_HEIGHT = 22             # points: room around 11-point CJK glyphs
LINE_HEIGHT = 15            # points per wrapped line of 11-point text
CJK_PER_WIDTH = 1 / 1.9     # a CJK glyph takes about 1.9 column-width units at 11 points


def fitted_height(text: str, column_width: float) -> float:
    """A row tall enough for `text` wrapped in a column of that width, so nothing is cut on paper
    (Excel does not grow a row for wrapped text it did not lay out itself)."""
    per_line = max(1, int(column_width * CJK_PER_WIDTH))
    lines = sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))
    return max(ROW_HEIGHT, lines * LINE_HEIGHT + 6)
