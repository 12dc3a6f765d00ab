"""A sheet's cells, counted and its used area measured from the cell references themselves, never
from its <dimension> claim: what a reader would allocate is bounded before any reader runs."""

from __future__ import annotations

import re

from sbsk.intake.guard.findings import SheetScan
from sbsk.intake.guard.limits import Limits
from sbsk.intake.guard.refusals import reject
from sbsk.intake.guard.xmlparts import ATTRS, DTD, PREFIX, attr, attr_bytes, check_prolog, check_xml, refuse_dtd, utf8
from sbsk.text import column_letter

_SHEET_TAG = re.compile(PREFIX + rb"(row|c|f)(?=[\s/>])(?:\s+r=\"([^\"]*)\")?" + ATTRS + rb">")
_SHARED_STRING = re.compile(PREFIX + rb"si(?=[\s/>])")
SHEET_DATA = re.compile(PREFIX + rb"sheetData(?=[\s/>])")
_REF = re.compile(rb"^\$?([A-Za-z]{0,7})\$?(\d{0,15})$")


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def scan_sheet(name: str, part: str, xml: bytes, limits: Limits) -> SheetScan:
    """Count the cells holding a value and the area a reader would allocate for them (from A1)."""
    scan = SheetScan(name, part)
    dim = re.search(PREFIX + rb"dimension(?=[\s/>])" + ATTRS + rb">", xml[:4096])
    scan.dimension = attr(dim.group(1), b"ref") if dim else None
    # Cells are counted everywhere (a false "</sheetData>" must not hide any); formulas only
    # inside sheetData, where data-validation and conditional-format formulas are not.
    end = re.search(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData>", xml)
    cells_end = end.start() if end else len(xml)
    row = col = 0
    for m in _SHEET_TAG.finditer(xml):
        tag, ref, attrs = m.groups()
        if ref is None and b"r" in attrs:  # r= is first as Excel writes it; look further otherwise
            ref = attr_bytes(attrs, b"r")
        if tag == b"row":
            row, col = (_number(ref, name) if ref else row + 1), 0
            continue
        if tag == b"f":
            if m.start() < cells_end:
                scan.formula_count += 1
                if len(scan.formulas) < 20:
                    scan.formulas.append(_ref_text(row, col))
            continue
        if ref:
            parts = _REF.match(ref)
            if not parts:
                reject(f"工作表「{name}」中单元格位置「{ref[:40].decode('utf-8', 'replace')}」格式异常，文件已损坏或被篡改")
            letters, digits = parts.groups()
            col = _column(letters) if letters else col + 1
            row = int(digits) if digits else row
        else:
            col += 1
        if attrs.endswith(b"/"):
            continue  # an empty, merely formatted cell: the reader skips it
        scan.cells += 1
        if row > scan.rows:
            scan.rows = row
        if col > scan.columns:
            scan.columns = col
        if scan.cells > limits.max_cells:
            _too_many_cells(name, limits)
    check_area(name, scan.rows, scan.columns, limits)
    return scan


def quick_scan(name: str, part: str, xml: bytes, limits: Limits) -> SheetScan:
    """A big sheet at C speed: count the cell tags against the limit; the area a reader allocates is
    then taken from the trial parse, which runs under a memory cap (see guard.trial)."""
    scan = SheetScan(name, part)
    scan.cells = _cell_tags(xml)
    if scan.cells > limits.max_cells:
        _too_many_cells(name, limits)
    return scan  # formulas are not counted here: formula_note finds them when a report asks


def stream_scan(name: str, part: str, pieces, limits: Limits) -> SheetScan:
    """A big sheet, decompressed step by step so that it is inflated once and never held whole:
    searched for a DTD (each step with the tail of the one before). Its cells are not counted
    here: the capped parse measures its used area, which bounds them (guard.trial)."""
    tail = b""
    for piece in pieces:
        if not tail:
            if piece.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: converted whole, as check_xml does
                return quick_scan(name, part, check_xml(part, piece + b"".join(pieces)), limits)
            check_prolog(part, utf8(part, piece))
        # "!" is rare in sheet XML and found at memchr speed; only then is the step searched properly
        if (b"!" in piece or b"!" in tail) and DTD.search(tail + piece):
            refuse_dtd(part)
        tail = (tail + piece[-16:])[-16:]
    return SheetScan(name, part, cells=None)


def _cell_tags(xml: bytes) -> int:
    return xml.count(b"<c ") + xml.count(b":c ")  # <x:c …> counts as much as <c …>


def _too_many_cells(name: str, limits: Limits):
    reject(f"工作表「{name}」的单元格超过{limits.max_cells:,}个上限，已拒绝读取")


def check_area(name: str, rows: int, columns: int, limits: Limits) -> None:
    if rows * columns > limits.max_cells:
        reject(f"工作表「{name}」的数据区域为{rows:,}行×{columns:,}列（{rows * columns:,}个单元格），"
               f"超过上限{limits.max_cells:,}个；请删除表格以外远处单元格中的内容后重新报送")


def check_book(areas: list[int], limits: Limits) -> None:
    if sum(areas) > limits.max_book_cells:
        reject(f"工作簿各工作表的数据区域合计{sum(areas):,}个单元格，超过上限{limits.max_book_cells:,}个，已拒绝读取")


def _number(text: bytes, sheet: str) -> int:
    if not text.isdigit() or len(text) > 15:
        reject(f"工作表「{sheet}」中行号「{text[:40].decode('utf-8', 'replace')}」格式异常，文件已损坏或被篡改")
    return int(text)


def _ref_text(row: int, col: int) -> str:
    return f"{column_letter(col - 1)}{row}" if col else f"第{row}行"


def count_shared_strings(xml: bytes, limits: Limits) -> int:
    count = 0
    for _ in _SHARED_STRING.finditer(xml):
        count += 1
        if count > limits.max_shared_strings:
            reject(f"共享字符串超过{limits.max_shared_strings:,}个上限，已拒绝读取")
    return count
