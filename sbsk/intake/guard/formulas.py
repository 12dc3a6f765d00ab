"""Formulas: the reader takes their cached values, never evaluating one; the report says so."""

from __future__ import annotations

from pathlib import Path

from sbsk.intake.guard import zips
from sbsk.intake.guard.limits import LIMITS, Limits


def formula_note(path: Path, sheet: str, limits: Limits = LIMITS) -> str | None:
    """A Chinese note when cells of the sheet held formulas (their saved results were read)."""
    try:
        with open(path, "rb") as fh:
            found = zips.inspect_zip(path, limits) if fh.read(4) in zips.MAGIC else None
    except Exception:  # a file the reader took is no place to fail; the note is a courtesy
        return None
    scan = next((s for s in (found.sheets if found else []) if s.name == sheet), None)
    if scan is None or not scan.formula_count:
        return None
    some = "、".join(scan.formulas[:5])
    more = "等" if scan.formula_count > 5 else ""
    return (f"工作表「{sheet}」有{scan.formula_count}个单元格是公式（{some}{more}），"
            f"已按文件中保存的计算结果读取，公式本身不会被执行")


def formula_flags(path: Path, sheet: str, rel: str, return_code: str, limits: Limits = LIMITS) -> list[dict]:
    """The note above as a 数据核查 row (flag `formula_value`), or nothing."""
    note = formula_note(path, sheet, limits)
    return [] if note is None else [{"unit_code": None, "return_code": return_code, "flag": "formula_value",
                                     "detail": note, "source_file": rel, "sheet": sheet, "row_number": None}]
