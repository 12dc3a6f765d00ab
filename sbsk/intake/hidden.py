"""Which columns of an .xlsx sheet are hidden. A person does not read a hidden column, so when a
header appears twice the visible column is the one taken. fastexcel does not say, so the sheet's
<cols> element is read straight from the package (it comes before the cell data, so only the head
of the part is read). Legacy .xls files are not inspected."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

_SHEET = re.compile(r'<(?:\w+:)?sheet\b[^>]*?name="([^"]*)"[^>]*?\br:id="([^"]*)"|'
                    r'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]*)"[^>]*?name="([^"]*)"')
_REL = re.compile(r'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|'
                  r'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_COL = re.compile(r"<(?:\w+:)?col\b([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
HEAD_BYTES = 1 << 20  # <cols> precedes <sheetData>; a megabyte of head is far more than it needs


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'") \
        .replace("&amp;", "&")


def hidden_columns(path: Path, sheet: str) -> set[int]:
    """0-based indexes of the hidden columns of `sheet`; empty when unknown."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return set()
    try:
        with zipfile.ZipFile(path) as zf:
            part = _sheet_part(zf, sheet)
            if part is None:
                return set()
            with zf.open(part) as fh:
                head = fh.read(HEAD_BYTES).decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile, KeyError):
        return set()
    head = head.split("<sheetData", 1)[0]
    hidden: set[int] = set()
    for attrs in _COL.findall(head):
        a = dict(_ATTR.findall(attrs))
        if a.get("hidden") in ("1", "true") and a.get("min", "").isdigit() and a.get("max", "").isdigit():
            hidden.update(range(int(a["min"]) - 1, min(int(a["max"]), 16384)))
    return hidden


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str | None:
    workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rid = None
    for m in _SHEET.finditer(workbook):
        name, ident = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(4), m.group(3))
        if _unescape(name) == sheet:
            rid = ident
            break
    if rid is None:
        return None
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    for m in _REL.finditer(rels):
        ident, target = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(4), m.group(3))
        if ident == rid:
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return None
