"""Build the hostile fixtures: files that try to hang, crash, exhaust, leak or inject.

    python tests/hostile.py DIR [--secret FILE]     write every fixture into DIR
    python tests/hostile.py DIR --measure           ... then time `sbsk check` on each (SECURITY.md)

Each fixture is made from scratch (no binary file is kept in the repository), small on disk
however large it claims to be. Fixtures that reach for a local file point at --secret, a file the
tests create with a random token in it, so that any leak of it is detectable.
"""

from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

MB = 1 << 20
GB = 1 << 30

# ---- the parts of a minimal .xlsx ----
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                 '{overrides}</Types>')
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')

R05_HEADERS = ["县(市、区)", "项目名称", "级别", "本年计划投资(万元)", "本年累计完成投资(万元)"]
UNITS = ["林州市", "安阳县", "汤阴县", "滑县", "内黄县", "文峰区", "北关区", "殷都区", "龙安区"]


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{esc(text)}</t></is></c>'


def number_cell(ref: str, value) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


def r05_rows(formulas: bool = False) -> str:
    """A valid 省市重点项目投资进度 (R05) table: title, header, one row per unit."""
    rows = [f'<row r="1">{text_cell("A1", "2020Q3 省市重点项目投资进度")}</row>',
            '<row r="2">' + "".join(text_cell(f"{c}2", h) for c, h in zip("ABCDE", R05_HEADERS)) + "</row>"]
    for i, unit in enumerate(UNITS, start=3):
        cells = [text_cell(f"A{i}", unit), text_cell(f"B{i}", f"重点{i - 2}"), text_cell(f"C{i}", "省重点"),
                 number_cell(f"D{i}", 100), number_cell(f"E{i}", 50)]
        if formulas and i == 3:  # a formula with its cached result, as Excel saves it
            cells[1] = '<c r="B3" t="str"><f>HYPERLINK("http://example.invalid","重点1")</f><v>重点1</v></c>'
            cells[4] = '<c r="E3"><f>D3/2</f><v>50</v></c>'
        rows.append(f'<row r="{i}">' + "".join(cells) + "</row>")
    return "".join(rows)


def sheet_xml(rows: str, before: str = "", after: str = "", prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
            f'<worksheet xmlns="{NS}" xmlns:r="{REL_NS}">{before}<sheetData>{rows}</sheetData>{after}</worksheet>'
            ).encode()


def workbook_xml(names: list[str], prolog: str = "", extra: str = "") -> bytes:
    sheets = "".join(f'<sheet name="{esc(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
            f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>{sheets}</sheets>{extra}</workbook>').encode()


def workbook_rels(count: int, targets: list[str] | None = None) -> bytes:
    targets = targets or [f"worksheets/sheet{i}.xml" for i in range(1, count + 1)]
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="{t}"/>'
                   for i, t in enumerate(targets, start=1))
    styles = f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
    shared = f'<Relationship Id="rId{count + 2}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{rels}{styles}{shared}</Relationships>').encode()


def styles_xml(prolog: str = "", body: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}<styleSheet xmlns="{NS}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            f'{body}</styleSheet>').encode()


def shared_strings_xml(texts: list[str], prolog: str = "") -> bytes:
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
            f'<sst xmlns="{NS}" count="{len(texts)}" uniqueCount="{len(texts)}">{items}</sst>').encode()


def package(sheets: list[tuple[str, bytes]], shared: bytes | None = None, styles: bytes | None = None,
            workbook: bytes | None = None, content_types: bytes | None = None) -> dict[str, bytes]:
    """The parts of a workbook, in the order Excel writes them."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    parts = {
        "[Content_Types].xml": content_types or CONTENT_TYPES.format(overrides=overrides).encode(),
        "_rels/.rels": ROOT_RELS.encode(),
        "xl/workbook.xml": workbook or workbook_xml([n for n, _ in sheets]),
        "xl/_rels/workbook.xml.rels": workbook_rels(len(sheets)),
        "xl/styles.xml": styles or styles_xml(),
        "xl/sharedStrings.xml": shared or shared_strings_xml([]),
    }
    for i, (_, xml) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    return parts


def write_zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


# ---- a zip written by hand, for directories that lie ----
@dataclass
class Entry:
    name: str
    deflated: bytes      # raw deflate stream
    crc: int
    size: int            # declared uncompressed size
    share: str | None = None  # point the central record at another entry's local header


def raw_zip(path: Path, entries: list[Entry]) -> Path:
    local, central, offsets = bytearray(), bytearray(), {}
    for e in entries:
        if e.share:
            continue
        offsets[e.name] = len(local)
        name = e.name.encode()
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, e.crc, len(e.deflated), e.size,
                             len(name), 0) + name + e.deflated
    for e in entries:
        owner = next(x for x in entries if x.name == (e.share or e.name))
        name = e.name.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, owner.crc,
                               len(owner.deflated), owner.size, len(name), 0, 0, 0, 0, 0,
                               offsets[owner.name]) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def honest(name: str, data: bytes) -> Entry:
    engine = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Entry(name, engine.compress(data) + engine.flush(), zlib.crc32(data), len(data))


def blank_stream(size: int, head: bytes = b"", tail: bytes = b"") -> tuple[bytes, int, int]:
    """A raw deflate stream of head + `size` spaces + tail, built from one repeated 1 MB block:
    a gigabyte costs a megabyte on disk and a second to make. Returns (stream, crc, length)."""
    def flushed(data: bytes) -> bytes:
        engine = zlib.compressobj(9, zlib.DEFLATED, -15)
        return engine.compress(data) + engine.flush(zlib.Z_FULL_FLUSH)

    block = b" " * MB
    packed = flushed(block)
    crc = zlib.crc32(head)
    for _ in range(size // MB):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = flushed(head) + packed * (size // MB) + final.compress(tail) + final.flush()
    return stream, crc, len(head) + (size // MB) * MB + len(tail)


def bomb_entry(name: str, size: int) -> Entry:
    head = sheet_xml("").split(b"<sheetData>")[0] + b"<sheetData>"
    stream, crc, length = blank_stream(size, head, b"</sheetData></worksheet>")
    return Entry(name, stream, crc, length)


def with_parts(parts: dict[str, bytes], replace: dict[str, Entry]) -> list[Entry]:
    return [replace.get(name) or honest(name, data) for name, data in parts.items()]


# ---- a compound file (OLE2/CFB) written by hand: .xls, .et and encrypted .xlsx ----
ENDOFCHAIN, FREESECT, FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def cfb(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file: one FAT sector, one directory sector, streams of ≥ 4096 bytes."""
    assert len(streams) <= 3
    data, fat, sectors = bytearray(), [FATSECT, ENDOFCHAIN], {}
    for name, body in streams.items():
        body = body.ljust(max(4096, -(-len(body) // 512) * 512), b"\x00")
        first = len(fat)
        count = len(body) // 512
        fat += [first + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
        sectors[name] = (first, len(body))
        data += body
    assert len(fat) <= 128
    fat_sector = struct.pack("<128I", *(fat + [FREESECT] * (128 - len(fat))))

    def entry(name: str, kind: int, start: int, size: int, child: int = FREESECT, right: int = FREESECT) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", FREESECT, right, child) + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
                + struct.pack("<IQ", start, size))

    names = list(streams)
    directory = entry("Root Entry", 5, ENDOFCHAIN, 0, child=1)
    for i, name in enumerate(names, start=1):
        start, size = sectors[name]
        directory += entry(name, 2, start, size, right=i + 1 if i < len(names) else FREESECT)
    directory = directory.ljust(512, b"\x00")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<109I", 0, *([FREESECT] * 108)))
    return header + fat_sector + directory + bytes(data)


def record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def biff_workbook(rows: list[list], dimension: tuple[int, int] | None = None, password: bool = False,
                  first_row: int = 0) -> bytes:
    """A minimal BIFF8 workbook stream with one sheet; `dimension` and `first_row` override the
    size its DIMENSIONS record claims."""
    bof = lambda kind: record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))
    name = "Sheet1".encode("latin-1")
    globals_ = [bof(0x0005)]
    if password:  # FILEPASS, RC4 CryptoAPI header: the rest of the stream would be ciphertext
        globals_.append(record(0x002F, struct.pack("<HHH", 1, 4, 2) + b"\x00" * 52))
    globals_ += [record(0x0042, struct.pack("<H", 1200))]
    xf = struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0)
    globals_ += [record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0)
                        + bytes([5, 0]) + "Arial".encode("latin-1"))]
    globals_ += [record(0x00E0, xf)] * 16 + [record(0x00E0, xf[:4] + struct.pack("<H", 0x0001) + xf[6:])]
    boundsheet_at = sum(len(r) for r in globals_)
    globals_.append(record(0x0085, b"\x00\x00\x00\x00" + b"\x00\x00" + bytes([len(name), 0]) + name))
    globals_.append(record(0x000A))
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    rows_claimed, cols_claimed = dimension or (height, width)
    sheet = [bof(0x0010), record(0x0200, struct.pack("<IIHHH", first_row, rows_claimed, 0, cols_claimed, 0))]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, str):
                text = value.encode("utf-16-le")
                sheet.append(record(0x0204, struct.pack("<HHHHB", i, j, 16, len(value), 1) + text))
            else:
                sheet.append(record(0x0203, struct.pack("<HHHd", i, j, 16, float(value))))
    sheet.append(record(0x000A))
    stream = bytearray(b"".join(globals_))
    sheet_at = len(stream)
    stream[boundsheet_at + 4:boundsheet_at + 8] = struct.pack("<I", sheet_at)
    return bytes(stream + b"".join(sheet))


def xls_pointing_past_its_end(path: Path) -> Path:
    """The sheet's BOUNDSHEET offset points 2 GB past a 4 KB stream: the reader panics (a Python
    BaseException, which no `except Exception` catches)."""
    stream = bytearray(biff_workbook(r05_table()))
    at = stream.index(struct.pack("<H", 0x0085))
    struct.pack_into("<I", stream, at + 4, 0x7FFF0000)
    path.write_bytes(cfb({"Workbook": bytes(stream)}))
    return path


def r05_table() -> list[list]:
    return [["2020Q3 省市重点项目投资进度"], R05_HEADERS] + [[u, f"重点{i}", "省重点", 100, 50]
                                                      for i, u in enumerate(UNITS, start=1)]


# ---- the fixtures ----
def entity_prolog(kind: str, root: str, secret: Path) -> tuple[str, str]:
    """(prolog, entity reference) for an external entity or an exponential expansion."""
    if kind == "xxe":
        return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret}">]>', "&xxe;"
    lol = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    return f'<!DOCTYPE {root} [<!ENTITY lol0 "lol">{lol}]>', "&lol9;"


def xml_attack(kind: str, part: str, secret: Path) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        roots = {"sheet": "worksheet", "sharedStrings": "sst", "workbook": "workbook", "styles": "styleSheet",
                 "content-types": "Types"}
        prolog, ref = entity_prolog(kind, roots[part], secret)
        rows = r05_rows() + f'<row r="20">{text_cell("A20", "x")}</row>'
        sheet = sheet_xml(rows, prolog=prolog).replace(b"<t>x</t>", f"<t>{ref}</t>".encode()) \
            if part == "sheet" else sheet_xml(rows)
        shared = shared_strings_xml([ref], prolog=prolog) if part == "sharedStrings" else None
        book = workbook_xml(["Sheet1"], prolog=prolog) if part == "workbook" else None
        styles = styles_xml(prolog=prolog) if part == "styles" else None
        parts = package([("Sheet1", sheet)], shared=shared, styles=styles, workbook=book)
        if part == "content-types":
            parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
                b"?>", f"?><!DOCTYPE Types SYSTEM \"file://{secret}\">".encode(), 1)
        return write_zip(path, parts)
    return build


def utf16_xxe(secret: Path) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        prolog, ref = entity_prolog("xxe", "worksheet", secret)
        xml = sheet_xml(r05_rows() + f'<row r="20">{text_cell("A20", "x")}</row>', prolog=prolog)
        xml = xml.replace(b"<t>x</t>", f"<t>{ref}</t>".encode()).replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
        return write_zip(path, package([("Sheet1", b"\xff\xfe" + xml.decode().encode("utf-16-le"))]))
    return build


def valid(path: Path, before: str = "", after: str = "", formulas: bool = False) -> Path:
    return write_zip(path, package([("Sheet1", sheet_xml(r05_rows(formulas), before=before, after=after))]))


def control_chars(path: Path) -> Path:
    """Valid layout; one unit name carries a terminal escape, one project name a control character
    (OOXML escapes them as _xHHHH_, and readers decode them)."""
    rows = r05_rows().replace("<t>安阳县</t>", "<t>安阳县_x001B_[2J_x001B_]0;pwned_x0007_</t>")
    rows = rows.replace("<t>重点1</t>", "<t>重点_x0001_1</t>")
    return write_zip(path, package([("Sheet1", sheet_xml(rows))]))


def long_text(length: int) -> str:
    """Varied CJK text: it compresses like prose, not like a bomb."""
    return "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(length))


def long_text_and_signed_zero(path: Path) -> Path:
    """Valid layout: a project name of a million characters (Excel itself stops at 32,767, and so
    does openpyxl), and negative zero as a number and as text."""
    rows = r05_rows().replace("<t>重点1</t>", f"<t>{long_text(MB)}</t>")
    rows = rows.replace('<c r="E4"><v>50</v></c>', '<c r="E4"><v>-0</v></c>')
    rows = rows.replace('<c r="E5"><v>50</v></c>', text_cell("E5", "-0"))
    return write_zip(path, package([("Sheet1", sheet_xml(rows))]))


def traversal_sheet_name(path: Path) -> Path:
    """A sheet name no Excel allows, in case anything builds a path from it."""
    return write_zip(path, package([("../../../evil", sheet_xml(r05_rows()))]))


def zipbomb_part(path: Path) -> Path:
    parts = package([("Sheet1", sheet_xml(r05_rows()))])
    return raw_zip(path, with_parts(parts, {"xl/worksheets/sheet1.xml": bomb_entry("xl/worksheets/sheet1.xml", GB),
                                            "xl/sharedStrings.xml": bomb_entry("xl/sharedStrings.xml", GB)}))


def zipbomb_total(path: Path) -> Path:
    names = [f"S{i}" for i in range(1, 7)]
    parts = package([(n, sheet_xml(r05_rows())) for n in names])
    bombs = {f"xl/worksheets/sheet{i}.xml": bomb_entry(f"xl/worksheets/sheet{i}.xml", 40 * MB) for i in range(1, 7)}
    return raw_zip(path, with_parts(parts, bombs))


def zipbomb_ratio(path: Path) -> Path:
    parts = package([("Sheet1", sheet_xml(r05_rows()))])
    return raw_zip(path, with_parts(parts, {"xl/worksheets/sheet1.xml": bomb_entry("xl/worksheets/sheet1.xml", 40 * MB)}))


def zipbomb_lying(path: Path) -> Path:
    """The directory says 4 KB; the stream inflates to a gigabyte."""
    parts = package([("Sheet1", sheet_xml(r05_rows()))])
    bomb = bomb_entry("xl/worksheets/sheet1.xml", GB)
    bomb.size, bomb.crc = 4096, 0
    return raw_zip(path, with_parts(parts, {"xl/worksheets/sheet1.xml": bomb}))


def zipbomb_overlap(path: Path) -> Path:
    """Several directory records share one compressed kernel (the overlapping-files technique)."""
    names = [f"S{i}" for i in range(1, 5)]
    parts = package([(n, sheet_xml(r05_rows())) for n in names])
    entries = with_parts(parts, {})
    for e in entries:
        if e.name.startswith("xl/worksheets/") and e.name != "xl/worksheets/sheet1.xml":
            e.share = "xl/worksheets/sheet1.xml"
    return raw_zip(path, entries)


def too_many_cells(path: Path) -> Path:
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in "ABCDEFGHIJ") + "</row>"
                   for r in range(1, 100_002))
    return write_zip(path, package([("Sheet1", sheet_xml(rows))]))


def cells_across_sheets(path: Path) -> Path:
    """Three sheets of 700,000 cells: each under the sheet limit, together over the workbook's."""
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in "ABCDEFGHIJ") + "</row>"
                   for r in range(1, 70_001))
    return write_zip(path, package([(f"S{i}", sheet_xml(rows)) for i in range(1, 4)]))


def far_cell(path: Path) -> Path:
    rows = r05_rows() + f'<row r="1048576">{number_cell("XFD1048576", 1)}</row>'
    return write_zip(path, package([("Sheet1", sheet_xml(rows))]))


def disguised_sheet(path: Path) -> Path:
    """The far cell again, in a sheet part named like a binary file: readers follow the workbook's
    relationships, not file extensions."""
    parts = package([("Sheet1", b"")])
    del parts["xl/worksheets/sheet1.xml"]
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"worksheets/sheet1.xml", b"blob.bin")
    parts["xl/blob.bin"] = sheet_xml(r05_rows() + f'<row r="1048576">{number_cell("XFD1048576", 1)}</row>')
    return write_zip(path, parts)


def many_sheets(count: int) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        return write_zip(path, package([(f"S{i}", sheet_xml(r05_rows())) for i in range(1, count + 1)]))
    return build


def empty_workbook(path: Path) -> Path:
    return write_zip(path, package([("Sheet1", sheet_xml(""))]))


def truncated(path: Path) -> Path:
    whole = valid(path)
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def docx(path: Path) -> Path:
    return write_zip(path, {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a workbook with an opening password: an OLE2 container."""
    info = struct.pack("<HHI", 4, 2, 0x24) + b"\x00" * 200
    package_ = struct.pack("<Q", 8000) + os.urandom(8000)
    path.write_bytes(cfb({"EncryptionInfo": info, "EncryptedPackage": package_}))
    return path


def xls(path: Path, dimension: tuple[int, int] | None = None, password: bool = False,
        first_row: int = 0) -> Path:
    path.write_bytes(cfb({"Workbook": biff_workbook(r05_table(), dimension, password, first_row)}))
    return path


def text_file(path: Path) -> Path:
    lines = ["县(市、区),项目名称,级别,本年计划投资(万元),本年累计完成投资(万元)"] + \
            [f"{u},重点{i},省重点,100,50" for i, u in enumerate(UNITS, start=1)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    return path


def html_table(path: Path) -> Path:
    cells = "".join(f"<td>{h}</td>" for h in R05_HEADERS)
    path.write_text(f"<html><head><meta charset='utf-8'></head><body><table><tr>{cells}</tr></table></body></html>",
                    encoding="utf-8")
    return path


def fixtures(secret: Path) -> dict[str, Callable[[Path], Path]]:
    """File name → builder. Each fixture is one case of SECURITY.md."""
    found: dict[str, Callable[[Path], Path]] = {
        # 1. zip bombs
        "zipbomb-part.xlsx": zipbomb_part,
        "zipbomb-total.xlsx": zipbomb_total,
        "zipbomb-ratio.xlsx": zipbomb_ratio,
        "zipbomb-lying.xlsx": zipbomb_lying,
        "zipbomb-overlap.xlsx": zipbomb_overlap,
        "cells-over-limit.xlsx": too_many_cells,
        "cells-across-sheets.xlsx": cells_across_sheets,
        "far-cell.xlsx": far_cell,
        "disguised-sheet.xlsx": disguised_sheet,
        # 2. XML attacks
        "xxe-utf16.xlsx": utf16_xxe(secret),
        "xxe-content-types.xlsx": xml_attack("xxe", "content-types", secret),
        # 3. formulas (valid data)
        "formula-cached.xlsx": lambda p: valid(p, formulas=True),
        # 4. not a spreadsheet
        "text.xlsx": text_file,
        "pdf.xlsx": pdf,
        "html.xls": html_table,
        "truncated.xlsx": truncated,
        "empty.xlsx": lambda p: (p.write_bytes(b""), p)[1],
        "empty-workbook.xlsx": empty_workbook,
        "docx.xlsx": docx,
        "encrypted.xlsx": encrypted_xlsx,
        "encrypted.xls": lambda p: xls(p, password=True),
        "wps.et": xls,
        "xls-named.xlsx": xls,
        # 5. sheets that lie
        "dimension-lie.xlsx": lambda p: valid(p, before='<dimension ref="A1:XFD1048576"/>'),
        "merged-all.xlsx": lambda p: valid(p, after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'),
        "dimension-lie.xls": lambda p: xls(p, dimension=(1_048_576, 16_384)),
        "dimension-tall.xls": lambda p: xls(p, dimension=(1_048_576, 5)),
        "dimension-inverted.xls": lambda p: xls(p, first_row=256),
        "panic.xls": xls_pointing_past_its_end,
        "sheets-300.xlsx": many_sheets(300),
        "sheets-5000.xlsx": many_sheets(5000),
        "valid.xls": xls,
        # 7. path tricks, 8. hostile values
        "sheet-name-traversal.xlsx": traversal_sheet_name,
        "control-chars.xlsx": control_chars,
        "long-text.xlsx": long_text_and_signed_zero,
    }
    for kind in ("xxe", "laughs"):
        for part in ("sheet", "sharedStrings", "workbook", "styles"):
            found[f"{kind}-{part}.xlsx"] = xml_attack(kind, part, secret)
    return found


def build_all(folder: Path, secret: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: build(folder / name) for name, build in fixtures(secret).items()}


# ---- measuring `sbsk check` on each ----
def measure(path: Path, env: dict | None = None, timeout: float = 120) -> dict:
    """Run `python -m sbsk.cli check PATH`: exit status, output, seconds and peak RSS in MB (the
    largest of the check process and the trial-parse child it waited for, as wait4 reports)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "sbsk.cli", "check", str(path)], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env=env, cwd=Path(__file__).resolve().parents[1])
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"path": path, "status": proc.returncode, "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace"), "seconds": seconds,
                "rss_mb": usage.ru_maxrss / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--secret", type=Path, help="the local file that XXE fixtures reach for")
    parser.add_argument("--measure", action="store_true", help="time `sbsk check` on each fixture")
    args = parser.parse_args()
    secret = args.secret or args.folder / "secret.txt"
    if not secret.exists():
        secret.parent.mkdir(parents=True, exist_ok=True)
        secret.write_text(f"SECRET-{os.urandom(8).hex()}\n")
    paths = build_all(args.folder, secret.resolve())
    for name, path in paths.items():
        print(f"{path.stat().st_size:>12,}  {name}")
    if args.measure:
        from sbsk.text import printable

        print("\n| fixture | size | exit | seconds | peak RSS (MB) | message |\n|---|---:|---:|---:|---:|---|")
        for name, path in paths.items():
            m = measure(path)
            message = next((line.strip()[2:] for line in m["stdout"].splitlines() if line.strip().startswith("- ")),
                           m["stdout"].strip().splitlines()[0] if m["stdout"].strip() else "")
            message = message.split("：", 1)[-1] if str(path) in message else message
            print(f"| {name} | {path.stat().st_size:,} | {m['status']} | {m['seconds']:.1f} | {m['rss_mb']:.0f} | "
                  f"{printable(message)[:90]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
