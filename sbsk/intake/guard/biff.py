"""An .xls workbook stream (BIFF) read record by record, before the parser: which Excel wrote it,
whether it has a password (FILEPASS), and the area each sheet's cells span, measured from the cell
records themselves. The legacy parser allocates a sheet's whole span (rows × columns) however few
cells hold a value, so a 41 KB file with a value in each corner of a 65,536 × 256 sheet would make
it take gigabytes: such a file is refused from these figures, before any parser runs."""

from __future__ import annotations

import struct

from sbsk.intake.guard.refusals import reject

BOF = {0x0009: 2, 0x0209: 3, 0x0409: 4, 0x0809: 8}   # record kind → BIFF version (0x0809: 5 or 8)
EOF, BOUNDSHEET, FILEPASS, MULRK = 0x000A, 0x0085, 0x002F, 0x00BD
# records that put a value in a cell, their row and column first (BIFF5/8, and the BIFF2–4 forms)
# (STRING, a formula's text result, has no position of its own and is not among them)
VALUE_CELLS = {0x0006, 0x0406, 0x0206, 0x00FD, 0x0203, 0x0204, 0x027E, 0x0205, 0x00D6,
               0x0002, 0x0003, 0x0004, 0x0005}
NAMES = {2: "Excel 2.x", 3: "Excel 3.0", 4: "Excel 4.0", 5: "Excel 5.0/95", 8: "Excel 97-2003"}


def old_format(version: int) -> str:
    return (f"文件是{NAMES[version]}格式（上世纪90年代的旧版Excel文件），本系统无法读取；请在Excel或WPS中打开，"
            f"“另存为”Excel工作簿（.xlsx）后重新报送")


# the code pages of double-byte text: the parser decodes an Excel 5.0/95 file's text (LABEL records in
# the workbook's code page) byte by byte, so 县 in GBK comes out as two replacement characters and
# no header is ever found; such a file is refused with what to do instead (Excel 97 and later store
# UTF-16, which the parser reads)
DOUBLE_BYTE = {932: "日文", 936: "中文", 949: "韩文", 950: "繁体中文", 1361: "韩文"}
CODEPAGE = 0x0042


def code_page(stream: bytes) -> int | None:
    """The CODEPAGE record of the workbook globals (it stands before the first BOUNDSHEET), or None."""
    at = 0
    for _ in range(256):
        if at + 4 > len(stream):
            return None
        kind, length = struct.unpack_from("<HH", stream, at)
        if kind == CODEPAGE and length >= 2 and at + 6 <= len(stream):
            return struct.unpack_from("<H", stream, at + 4)[0]
        if kind in (BOUNDSHEET, EOF):
            return None
        at += 4 + length
    return None


def refuse_double_byte(version_found: int | None, stream: bytes) -> None:
    if version_found == 5 and (page := code_page(stream)) in DOUBLE_BYTE:
        reject(f"文件是{NAMES[5]}格式（上世纪90年代的旧版Excel文件），其中的{DOUBLE_BYTE[page]}文字（代码页{page}）"
               f"本系统无法正确读取；请在Excel或WPS中打开，“另存为”Excel工作簿（.xlsx）后重新报送")


def bare_version(head: bytes) -> int | None:
    """The version of a file that is a bare BIFF2–4 stream (no compound file around it), else None."""
    if len(head) < 8:
        return None
    kind, length = struct.unpack_from("<HH", head)
    return BOF[kind] if kind in (0x0009, 0x0209, 0x0409) and 4 <= length <= 16 else None


def version(stream: bytes) -> int | None:
    """The BIFF version of a workbook stream from its first BOF record, or None when there is none."""
    if len(stream) < 8:
        return None
    kind, length = struct.unpack_from("<HH", stream)
    if kind not in BOF:
        return None
    if kind != 0x0809:
        return BOF[kind]
    return 5 if struct.unpack_from("<H", stream, 4)[0] == 0x0500 else 8


def encrypted(stream: bytes) -> bool:
    """A FILEPASS record near the start of the workbook globals means a password."""
    at = 0
    for _ in range(64):
        if at + 4 > len(stream):
            return False
        kind, length = struct.unpack_from("<HH", stream, at)
        if kind == FILEPASS:
            return True
        if kind == BOUNDSHEET:  # past the place where FILEPASS may stand
            return False
        at += 4 + length
    return False


def used_areas(stream: bytes, biff: int = 8) -> list[tuple[str, int, int]]:
    """(sheet name, last row, last column) of every sheet, 1-based, from the cells holding a value
    (an empty formatted cell is no value, as in an .xlsx). Charts and other substreams nested in a
    sheet are stepped over."""
    names, areas = {}, []
    at, depth, end = 0, 0, len(stream)
    sheet: list | None = None
    unpack = struct.unpack_from
    while at + 4 <= end:
        kind, length = unpack("<HH", stream, at)
        body = at + 4
        if kind in VALUE_CELLS:
            if sheet is not None and depth == 1 and length >= 4:
                row, col = unpack("<HH", stream, body)
                if row >= sheet[1]:
                    sheet[1] = row + 1
                if col >= sheet[2]:
                    sheet[2] = col + 1
        elif kind == MULRK:
            if sheet is not None and depth == 1 and length >= 6 and body + length <= end:
                row, = unpack("<H", stream, body)
                last, = unpack("<H", stream, body + length - 2)
                sheet[1], sheet[2] = max(sheet[1], row + 1), max(sheet[2], last + 1)
        elif kind in BOF:
            depth += 1
            if depth == 1 and at in names:
                sheet = [names[at], 0, 0]
        elif kind == EOF:
            depth = max(depth - 1, 0)
            if depth == 0 and sheet is not None:
                areas.append(tuple(sheet))
                sheet = None
        elif kind == BOUNDSHEET and depth == 1 and sheet is None and length >= 7:
            offset, = unpack("<I", stream, body)
            names[offset] = _sheet_name(stream[body + 6:body + length], biff)
        at = body + length
    if sheet is not None:
        areas.append(tuple(sheet))
    return areas


def _sheet_name(raw: bytes, biff: int) -> str:
    """A BOUNDSHEET name, for messages: a length byte, then (BIFF8) a flags byte and Latin-1 or
    UTF-16 text; BIFF5 text is in the workbook's code page, read here as GBK, the one Chinese Excel used."""
    if not raw:
        return "?"
    count = raw[0]
    if biff == 8 and len(raw) >= 2:
        wide = raw[1] & 1
        return raw[2:2 + count * (2 if wide else 1)].decode("utf-16-le" if wide else "latin-1", "replace")
    return raw[1:1 + count].decode("gbk", "replace")


def refuse_old(version_found: int | None) -> None:
    if version_found in (2, 3, 4):
        reject(old_format(version_found))
