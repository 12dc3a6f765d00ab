"""Look at a file before any parser does, and refuse what no real return looks like.

Every file under data/raw is untrusted (SECURITY.md). The parser (calamine, behind fastexcel)
allocates what a file claims and decompresses what it holds, and a crafted .xls can make it panic
or abort the whole process. So, before it runs:

- the magic bytes say what the file really is (zip, OLE2, PDF, text …), whatever its name says;
- a zip's declared sizes are checked against the limits below before anything is decompressed,
  then every XML part is decompressed in bounded steps, proving the declarations true;
- every XML part is refused if it carries a DTD: no Excel file has one, and without a DTD there is
  no external entity (XXE) and no entity expansion ("billion laughs");
- a sheet's cells are counted and its used area measured from the cell references themselves,
  never from its <dimension> claim (a big sheet is bounded by the area the capped parse measures);
- an OLE2 container is looked into for encryption (EncryptionInfo, or a BIFF FILEPASS record);
- the zip is looked into and the file parsed once, in a child process with a memory and a time
  limit (sbsk.intake.sandbox), so that a parser bug or a bomb costs one rejected file instead of the run.

Each refusal is one FileRejected (sbsk.intake.errors) whose Chinese message names the limit and the
file's own figure.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from sbsk.intake.errors import FileRejected

MB = 1 << 20

# ---- limits: each a module constant, each with the reason for its size ----
MAX_FILE_BYTES = 512 * MB       # a province's return of a million rows is 40–120 MB; far above any real one
MAX_ENTRIES = 2_000             # parts in one .xlsx: 255 sheets with their rels, drawings and comments fit
MAX_PART_BYTES = 1024 * MB      # one decompressed part: a full-height sheet of a dozen columns is ~600 MB of XML
MAX_TOTAL_BYTES = 2048 * MB     # all parts decompressed: two full-height sheets; inflated in bounded steps
MAX_RATIO = 500                 # real parts compress 5–50:1; deflate tops out at 1032:1, where bombs sit
RATIO_FROM_BYTES = 1 * MB       # below this a part may compress as well as it likes: it cannot hurt
MAX_SHEETS = 255                # a return has a handful of sheets; 255 is Excel's own default ceiling
MAX_CELLS = 16_000_000          # per sheet, rows × columns from A1: Excel's 1,048,576 rows × 15 columns
MAX_BOOK_CELLS = 32_000_000     # all sheets together: two at the sheet limit; bounds what any reader holds
MAX_SHARED_STRINGS = 16_000_000 # more distinct texts than a sheet may have cells is not a return
EXACT_SCAN_BYTES = 2 * MB       # sheets above this (a city's return is far below) are bounded by the parse's area
PARSE_SECONDS = 120             # a return parses in well under a second, a full-height sheet in about ten
PARSE_MEMORY = 8 << 30          # address space for the trial parse; a sheet at MAX_CELLS takes ~2 GB
# The defaults above, before any operator override (SBSK_<NAME>=<integer>, e.g. SBSK_MAX_CELLS): a
# site with smaller returns may tighten them; the tests run the hostile fixtures at small limits.
DEFAULTS = {name: value for name, value in globals().items()
            if name.startswith(("MAX_", "EXACT_", "PARSE_", "RATIO_"))}
globals().update({name: int(os.environ[f"SBSK_{name}"]) for name in DEFAULTS if os.environ.get(f"SBSK_{name}")})
EXCEL_MAX_TEXT = 32_767         # Excel's own cap on the characters in one cell

# Files a clerk may send instead of a return: reported with what to do, never silently ignored.
LOOKALIKES = {
    ".et": "文件是WPS表格格式（.et），请在WPS中“另存为”Excel工作簿（.xlsx）后重新报送",
    ".ett": "文件是WPS表格模板（.ett），请在WPS中“另存为”Excel工作簿（.xlsx）后重新报送",
    ".xlsb": "文件是Excel二进制工作簿（.xlsb），请在Excel中“另存为”Excel工作簿（.xlsx）后重新报送",
    ".ods": "文件是OpenDocument表格（.ods），请“另存为”Excel工作簿（.xlsx）后重新报送",
    ".csv": "文件是CSV文本，不是Excel工作簿，请在Excel中打开后“另存为”Excel工作簿（.xlsx）再报送",
    ".numbers": "文件是Numbers表格，请导出为Excel工作簿（.xlsx）后重新报送",
}

ENCRYPTED = "文件已加密，请去除密码后重新报送"
TRUNCATED = "文件不完整或已损坏（可能在下载或拷贝时被截断），请重新导出后报送"
BROKEN = "文件已损坏，无法解析，请在Excel中打开并“另存为”Excel工作簿（.xlsx）后重新报送"
EMPTY_FILE = "文件是空的（0字节），请重新报送"
EMPTY_BOOK = "工作簿是空的，没有任何数据，请填写后重新报送"
PDF = "文件实际是PDF文档，不是Excel工作簿，请报送Excel原文件（.xlsx）"
TEXT = "文件实际是文本文件（如CSV或TXT），不是Excel工作簿，请在Excel中打开后“另存为”Excel工作簿（.xlsx）再报送"
HTML = ("文件实际是网页（HTML）格式，不是真正的Excel工作簿（常见于从网上系统导出的表格），"
        "请在Excel中打开后“另存为”Excel工作簿（.xlsx）再报送")
XML2003 = "文件是Excel 2003 XML表格格式，请在Excel中打开后“另存为”Excel工作簿（.xlsx）再报送"
UNKNOWN = "无法识别的文件格式，不是Excel工作簿，请报送.xlsx文件"
OLE_NOT_BOOK = "文件是Office复合文档，但不含Excel工作簿（可能是Word .doc文档），请报送.xlsx文件"
NOT_BOOK = "压缩包中没有Excel工作簿（xl/workbook.xml），文件可能是Word、PowerPoint文档或普通压缩包，请报送.xlsx文件"
OLD_FORMAT_NAMED_NEW = ("文件扩展名是{ext}，但内容是旧版Excel 97-2003（.xls）或WPS表格（.et）格式，"
                        "请在Excel或WPS中“另存为”Excel工作簿（.xlsx）后重新报送")
NEW_FORMAT_NAMED_OLD = "文件扩展名是{ext}，但内容是.xlsx格式，请把扩展名改为.xlsx后重新报送"
OUTSIDE_LINK = "文件是指向报送目录之外的链接（符号链接），已拒绝读取"
ODD_NAME = "文件名含有控制字符或不可见字符（如换行、文字方向控制符），请重命名后重新报送"

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XML_PART = (".xml", ".rels")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)
_PROLOG_ENCODING = re.compile(rb'^\s*<\?xml[^>]*?encoding\s*=\s*["\']([^"\']*)["\']')
_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "us-ascii", "ascii"}
_ATTRS = rb"""((?:[^>"']|"[^"]*"|'[^']*')*)"""       # quoted values may hold '>'
_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"                # <x:c …> is as good as <c …> to a parser
_SHEET_TAG = re.compile(_PREFIX + rb"(row|c|f)(?=[\s/>])(?:\s+r=\"([^\"]*)\")?" + _ATTRS + rb">")
_SHEET_ENTRY = re.compile(_PREFIX + rb"sheet(?=[\s/>])" + _ATTRS + rb">")
_RELATIONSHIP = re.compile(_PREFIX + rb"Relationship(?=[\s/>])" + _ATTRS + rb">")
_SHARED_STRING = re.compile(_PREFIX + rb"si(?=[\s/>])")
_SHEET_DATA = re.compile(_PREFIX + rb"sheetData(?=[\s/>])")
_REF = re.compile(rb"^\$?([A-Za-z]{0,7})\$?(\d{0,15})$")
_ODD_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\\\\]")
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069]")


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
    sheets: list[SheetScan] = field(default_factory=list)
    # every sheet as the sandboxed parse read it (name → Arrow table of strings, absolute column
    # indexes), so the reader never parses the file a second time; None when the parse failed
    grids: dict | None = None


def reject(message: str):
    raise FileRejected(message)


def size_text(n: int) -> str:
    return f"{n / MB:,.1f} MB" if n >= MB else f"{n:,} 字节"


# ---- the whole check ----
def inspect(path: Path) -> Inspection:
    """Raise FileRejected unless the file is safe to hand to the parser."""
    head = _head(path)
    ext = path.suffix.lower()
    if ext in LOOKALIKES:
        reject(LOOKALIKES[ext])
    if head.startswith(_ZIP):
        if ext == ".xls":
            reject(NEW_FORMAT_NAMED_OLD.format(ext=ext))
        found = Inspection("xlsx")  # looked into by the sandboxed child, which decompresses it once
    elif head.startswith(_OLE):
        found = inspect_ole(path)
        if ext in (".xlsx", ".xlsm"):
            reject(OLD_FORMAT_NAMED_NEW.format(ext=ext))
    else:
        reject(_what_else(head))
    trial_parse(path, found)
    return found


def _head(path: Path) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            reject("不是普通文件，已拒绝读取")
        if info.st_size == 0:
            reject(EMPTY_FILE)
        if info.st_size > MAX_FILE_BYTES:
            reject(f"文件大小为{size_text(info.st_size)}，超过上限{size_text(MAX_FILE_BYTES)}；"
                   f"报表通常只有几十KB，请删除多余的图片或工作表后重新报送")
        with open(path, "rb") as fh:
            return fh.read(4096)
    except OSError as exc:
        reject(f"无法打开文件（{exc.strerror or type(exc).__name__}）")


def _what_else(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return PDF
    if b"\x00" in head:
        return UNKNOWN
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        return XML2003
    if text.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or b"<html" in text[:512]:
        return HTML
    for codec in ("utf-8", "gb18030"):
        try:
            head.decode(codec)
            return TEXT
        except UnicodeDecodeError:
            continue
    return UNKNOWN


# ---- zip (.xlsx, .xlsm) ----
def inspect_zip(path: Path) -> Inspection:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        reject(TRUNCATED)
    found = Inspection("xlsx")
    with archive, open(path, "rb") as fh:
        infos = archive.infolist()
        check_entries(infos)
        offsets = data_offsets(fh, infos, os.fstat(fh.fileno()).st_size)
        _check_package({i.filename for i in infos})
        sheets, targets = _listed_sheets(fh, {i.filename: i for i in infos}, offsets)
        for info in infos:
            if info.filename in sheets and info.file_size > EXACT_SCAN_BYTES:  # a big sheet, never held whole
                found.sheets.append(stream_scan(sheets[info.filename], info.filename,
                                                inflate_steps(fh, info, offsets)))
                continue
            data = inflate(fh, info, offsets)  # every part, so that none can lie about its size
            if _parsed_as_xml(info.filename, data, targets):
                _scan_part(info.filename, check_xml(info.filename, data), sheets, found)
    if not any(s.cells is None or s.cells for s in found.sheets):
        reject(EMPTY_BOOK)
    return found


def check_book(areas: list[int]) -> None:
    if sum(areas) > MAX_BOOK_CELLS:
        reject(f"工作簿各工作表的数据区域合计{sum(areas):,}个单元格，超过上限{MAX_BOOK_CELLS:,}个，已拒绝读取")


def _listed_sheets(fh, by_name: dict[str, zipfile.ZipInfo], offsets: dict[str, int]
                   ) -> tuple[dict[str, str], set[str]]:
    """(sheet part → sheet name, every part the workbook's relationships point at); refused above
    MAX_SHEETS."""
    book, rels = (check_xml(name, inflate(fh, by_name[name], offsets)) if name in by_name else b""
                  for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"))
    listed = sheets_of(book, rels)
    if len(listed) > MAX_SHEETS:
        reject(f"工作簿有{len(listed):,}个工作表，超过上限{MAX_SHEETS}个")
    return dict(listed), set(rel_targets(rels).values())


def _parsed_as_xml(part: str, data: bytes, targets: set[str]) -> bool:
    """Whether a reader may parse the part as XML: by its name, because the workbook points at it
    (whatever its name), or because it looks like XML. Images are never parsed, even SVG ones."""
    if part in targets or part.lower().endswith(_XML_PART):
        return True
    return not part.startswith("xl/media/") and data.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")[:1] == b"<"


def _scan_part(part: str, xml: bytes, sheets: dict[str, str], found: Inspection) -> None:
    if part in sheets or _SHEET_DATA.search(xml):
        scan = scan_sheet if len(xml) <= EXACT_SCAN_BYTES else quick_scan
        found.sheets.append(scan(sheets.get(part, part), part, xml))
        check_book([s.rows * s.columns for s in found.sheets])
    elif part == "xl/sharedStrings.xml":
        count_shared_strings(xml)


def check_entries(infos: list[zipfile.ZipInfo]) -> None:
    """Everything the zip directory declares, judged before a byte is decompressed."""
    if len(infos) > MAX_ENTRIES:
        reject(f"文件疑似压缩炸弹：压缩包内有{len(infos):,}个部件，超过上限{MAX_ENTRIES:,}个")
    if len({i.filename for i in infos}) != len(infos):
        reject("文件结构异常：压缩包内有重名的部件，已拒绝读取")
    for info in infos:
        if info.flag_bits & 0x1:
            reject(ENCRYPTED)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            reject(f"文件结构异常：部件 {info.filename} 使用了Excel不会使用的压缩方式（{info.compress_type}）")
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            reject(f"文件疑似压缩炸弹：部件 {info.filename} 解压后为{size_text(info.file_size)}，"
                   f"超过单个部件上限{size_text(MAX_PART_BYTES)}")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        reject(f"文件疑似压缩炸弹：解压后总大小为{size_text(total)}，超过上限{size_text(MAX_TOTAL_BYTES)}")
    for info in infos:
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            reject(f"文件疑似压缩炸弹：部件 {info.filename} 的压缩比为{ratio:,.0f}:1，超过上限{MAX_RATIO}:1")


def data_offsets(fh, infos: list[zipfile.ZipInfo], size: int) -> dict[str, int]:
    """Where each part's compressed bytes start; parts sharing bytes are a known bomb technique."""
    spans = []
    for info in infos:
        fh.seek(info.header_offset)
        local = fh.read(30)
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            reject(TRUNCATED)
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        start = info.header_offset + 30 + name_len + extra_len
        if start + info.compress_size > size:
            reject(TRUNCATED)
        spans.append((info.header_offset, start + info.compress_size, info.filename, start))
    spans.sort()
    for (_, end, name, _), (begin, _, other, _) in zip(spans, spans[1:]):
        if begin < end:
            reject(f"文件疑似压缩炸弹：部件 {name} 与 {other} 共用同一段压缩数据，已拒绝读取")
    return {name: start for _, _, name, start in spans}


def inflate(fh, info: zipfile.ZipInfo, offsets: dict[str, int]) -> bytes:
    """Decompress one part, never past its declared size, and prove that size and its CRC true."""
    return b"".join(inflate_steps(fh, info, offsets))


def inflate_steps(fh, info: zipfile.ZipInfo, offsets: dict[str, int]):
    """The part's bytes in bounded steps (at most 1 MB each); its size and CRC are proven by the
    time the last step is taken."""
    fh.seek(offsets[info.filename])
    left, size, crc = info.compress_size, 0, 0
    engine = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    while not (engine and engine.eof):
        pending = engine.unconsumed_tail if engine else b""
        if not pending and left:
            pending = fh.read(min(MB, left))
            if not pending:
                reject(TRUNCATED)
            left -= len(pending)
        if engine is None:
            piece = pending
        else:
            try:
                piece = engine.decompress(pending, MB)
            except zlib.error:
                reject(BROKEN)
        if not piece and not pending:
            break  # nothing left to read and nothing more comes out
        size += len(piece)
        if size > info.file_size:
            reject(f"文件疑似压缩炸弹：部件 {info.filename} 实际解压后超过其声明的{size_text(info.file_size)}"
                   f"（文件被篡改），已拒绝读取")
        crc = zlib.crc32(piece, crc)
        if piece:
            yield piece
    if (engine and not engine.eof) or size != info.file_size or crc != info.CRC:
        reject(TRUNCATED)


def _check_package(names: set[str]) -> None:
    if "xl/workbook.xml" in names:
        return
    if "xl/workbook.bin" in names:
        reject(LOOKALIKES[".xlsb"])
    if "mimetype" in names and "content.xml" in names:
        reject(LOOKALIKES[".ods"])
    reject(NOT_BOOK)


def check_xml(part: str, data: bytes) -> bytes:
    """The part as UTF-8 bytes, refused if it declares a DTD or an encoding that could hide one."""
    data = _utf8(part, data)
    _check_prolog(part, data)
    if _DTD.search(data):
        _refuse_dtd(part)
    return data


def _utf8(part: str, data: bytes) -> bytes:
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16").encode("utf-8")
        if data[:4].count(b"\x00"):
            raise UnicodeError
    except UnicodeError:
        reject(f"文件的 {part} 使用了不支持的字符编码，已拒绝读取")
    return data


def _check_prolog(part: str, data: bytes) -> None:
    declared = _PROLOG_ENCODING.match(data[:200])
    if declared and declared.group(1).decode("ascii", "replace").lower() not in _ENCODINGS:
        reject(f"文件的 {part} 使用了不支持的字符编码（{declared.group(1).decode('ascii', 'replace')}），已拒绝读取")


def _refuse_dtd(part: str):
    reject(f"文件的 {part} 含有XML文档类型定义（DOCTYPE/ENTITY），正常的Excel文件不会有，可能是恶意文件，已拒绝读取")


def _attr_bytes(attrs: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"(?:^|\s)(?:[\w.-]+:)?" + name + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", attrs)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def _attr(attrs: bytes, name: bytes) -> str | None:
    raw = _attr_bytes(attrs, name)
    return None if raw is None else _unescape(raw.decode("utf-8", "replace"))


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def rel_targets(rels: bytes) -> dict[str, str]:
    """Relationship id → the part it points at, as a path inside the package."""
    targets = {}
    for m in _RELATIONSHIP.finditer(rels):
        rid, target = _attr(m.group(1), b"Id"), _attr(m.group(1), b"Target")
        if rid and target:
            targets[rid] = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    return targets


def sheets_of(book: bytes, rels: bytes) -> list[tuple[str, str]]:
    """(sheet part path, sheet name) for every sheet the workbook lists."""
    targets = rel_targets(rels)
    sheets = []
    for i, m in enumerate(_SHEET_ENTRY.finditer(book)):
        name = _attr(m.group(1), b"name") or f"#{i + 1}"
        sheets.append((targets.get(_attr(m.group(1), b"id"), f"?{i}"), name))
    return sheets


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def scan_sheet(name: str, part: str, xml: bytes) -> SheetScan:
    """Count the cells holding a value and the area a reader would allocate for them (from A1)."""
    scan = SheetScan(name, part)
    dim = re.search(_PREFIX + rb"dimension(?=[\s/>])" + _ATTRS + rb">", xml[:4096])
    scan.dimension = _attr(dim.group(1), b"ref") if dim else None
    # Cells are counted everywhere (a false "</sheetData>" must not hide any); formulas only
    # inside sheetData, where data-validation and conditional-format formulas are not.
    end = re.search(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData>", xml)
    cells_end = end.start() if end else len(xml)
    row = col = 0
    for m in _SHEET_TAG.finditer(xml):
        tag, ref, attrs = m.groups()
        if ref is None and b"r" in attrs:  # r= is first as Excel writes it; look further otherwise
            ref = _attr_bytes(attrs, b"r")
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
        if scan.cells > MAX_CELLS:
            reject(f"工作表「{name}」的单元格超过{MAX_CELLS:,}个上限，已拒绝读取")
    check_area(name, scan.rows, scan.columns)
    return scan


def quick_scan(name: str, part: str, xml: bytes) -> SheetScan:
    """A big sheet at C speed: count the cell tags against the limit; the area a reader allocates is
    then taken from the trial parse, which runs under a memory cap (see trial_parse)."""
    scan = SheetScan(name, part)
    scan.cells = _cell_tags(xml)
    if scan.cells > MAX_CELLS:
        reject(f"工作表「{name}」的单元格超过{MAX_CELLS:,}个上限，已拒绝读取")
    return scan  # formulas are not counted here: formula_note finds them when a report asks


def stream_scan(name: str, part: str, pieces) -> SheetScan:
    """A big sheet, decompressed step by step so that it is inflated once and never held whole:
    searched for a DTD (each step with the tail of the one before). Its cells are not counted
    here: the capped parse measures its used area, which bounds them (trial_parse)."""
    tail = b""
    for piece in pieces:
        if not tail:
            if piece.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: converted whole, as check_xml does
                return quick_scan(name, part, check_xml(part, piece + b"".join(pieces)))
            _check_prolog(part, _utf8(part, piece))
        # "!" is rare in sheet XML and found at memchr speed; only then is the step searched properly
        if (b"!" in piece or b"!" in tail) and _DTD.search(tail + piece):
            _refuse_dtd(part)
        tail = (tail + piece[-16:])[-16:]
    return SheetScan(name, part, cells=None)


def _cell_tags(xml: bytes) -> int:
    return xml.count(b"<c ") + xml.count(b":c ")  # <x:c …> counts as much as <c …>


def check_area(name: str, rows: int, columns: int) -> None:
    if rows * columns > MAX_CELLS:
        reject(f"工作表「{name}」的数据区域为{rows:,}行×{columns:,}列（{rows * columns:,}个单元格），"
               f"超过上限{MAX_CELLS:,}个；请删除表格以外远处单元格中的内容后重新报送")


def _number(text: bytes, sheet: str) -> int:
    if not text.isdigit() or len(text) > 15:
        reject(f"工作表「{sheet}」中行号「{text[:40].decode('utf-8', 'replace')}」格式异常，文件已损坏或被篡改")
    return int(text)


def _ref_text(row: int, col: int) -> str:
    from sbsk.intake.reader import column_letter

    return f"{column_letter(col - 1)}{row}" if col else f"第{row}行"


def count_shared_strings(xml: bytes) -> int:
    count = 0
    for _ in _SHARED_STRING.finditer(xml):
        count += 1
        if count > MAX_SHARED_STRINGS:
            reject(f"共享字符串超过{MAX_SHARED_STRINGS:,}个上限，已拒绝读取")
    return count


# ---- OLE2 compound file (.xls, .et, encrypted .xlsx) ----
_FREE = 0xFFFFFFFA  # sector numbers at or above this mark ends and specials


def inspect_ole(path: Path) -> Inspection:
    data = path.read_bytes()  # bounded by MAX_FILE_BYTES
    streams = ole_streams(data)
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        reject(ENCRYPTED)
    book = next((n for n in ("Workbook", "Book", "WORKBOOK", "BOOK") if n in streams), None)
    if book is None:
        reject(OLE_NOT_BOOK)
    if biff_encrypted(ole_read(data, streams, book, 64 * 1024)):
        reject(ENCRYPTED)
    return Inspection("xls")


def _u16(data: bytes, at: int) -> int:
    return struct.unpack_from("<H", data, at)[0]


def _u32(data: bytes, at: int) -> int:
    return struct.unpack_from("<I", data, at)[0]


class _Cfb:
    """Just enough of [MS-CFB] to list the streams and read the start of one."""

    def __init__(self, data: bytes):
        if len(data) < 512:
            reject(TRUNCATED)
        shift = _u16(data, 30)
        if shift not in (9, 12):
            reject(BROKEN)
        self.data, self.size = data, 1 << shift
        self.sectors = max(len(data) // self.size - 1, 0)
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < _FREE]
        nxt, hops = _u32(data, 68), 0
        while nxt < _FREE and hops <= self.sectors:
            entries = struct.unpack(f"<{self.size // 4}I", self.sector(nxt))
            fat_sectors += [s for s in entries[:-1] if s < _FREE]
            nxt, hops = entries[-1], hops + 1
        self.fat = [n for s in fat_sectors for n in struct.unpack(f"<{self.size // 4}I", self.sector(s))]

    def sector(self, n: int) -> bytes:
        if n >= self.sectors:
            reject(TRUNCATED)
        at = (n + 1) * self.size
        return self.data[at:at + self.size]

    def chain(self, start: int, fat: list[int], limit: int):
        seen = 0
        while start < _FREE:
            if start >= len(fat) or seen > limit:
                reject(BROKEN)
            yield start
            start, seen = fat[start], seen + 1


def ole_streams(data: bytes) -> dict[str, tuple[int, int, int]]:
    """Stream name → (object type, start sector, size); the root entry is "Root Entry"."""
    cfb = _Cfb(data)
    directory = b"".join(cfb.sector(s) for s in cfb.chain(_u32(data, 48), cfb.fat, cfb.sectors))
    found = {}
    for at in range(0, len(directory) - 127, 128):
        entry = directory[at:at + 128]
        length, kind = _u16(entry, 64), entry[66]
        if kind in (1, 2, 5) and 2 <= length <= 64:
            name = entry[:length - 2].decode("utf-16-le", "replace")
            found[name] = (kind, _u32(entry, 116), _u32(entry, 120))
    return found


def ole_read(data: bytes, streams: dict, name: str, limit: int) -> bytes:
    """The first `limit` bytes of a stream, from the regular or the mini stream."""
    cfb = _Cfb(data)
    _, start, size = streams[name]
    want = min(size, limit)
    if size >= _u32(data, 56):
        out = b"".join(cfb.sector(s) for s in _take(cfb.chain(start, cfb.fat, cfb.sectors), want, cfb.size))
        return out[:want]
    _, root_start, _ = streams.get("Root Entry", (5, 0xFFFFFFFE, 0))
    mini = b"".join(cfb.sector(s) for s in cfb.chain(root_start, cfb.fat, cfb.sectors))
    minifat_sectors = list(cfb.chain(_u32(data, 60), cfb.fat, cfb.sectors))
    minifat = [n for s in minifat_sectors for n in struct.unpack(f"<{cfb.size // 4}I", cfb.sector(s))]
    step = 1 << _u16(data, 32)
    parts = [mini[s * step:(s + 1) * step] for s in _take(cfb.chain(start, minifat, len(minifat)), want, step)]
    return b"".join(parts)[:want]


def _take(chain, want: int, step: int):
    for i, sector in enumerate(chain):
        if i * step >= want:
            return
        yield sector


def biff_encrypted(stream: bytes) -> bool:
    """A FILEPASS record (0x002F) near the start of the workbook globals means a password."""
    at = 0
    for _ in range(64):
        if at + 4 > len(stream):
            return False
        kind, length = struct.unpack_from("<HH", stream, at)
        if kind == 0x002F:
            return True
        if kind == 0x0085:  # BOUNDSHEET: past the place where FILEPASS may stand
            return False
        at += 4 + length
    return False


# ---- the trial parse, in a child that may die without taking the run with it ----
def trial_parse(path: Path, found: Inspection) -> None:
    """Look into the file and parse it in a child with bounded memory and time (sbsk.intake.sandbox),
    exactly as the reader would, and keep what it read (found.sheets, found.grids): the file is
    decompressed and parsed once, never in this process, and a zip is looked into under the same
    caps as it is parsed.

    A parser exception is left for the reader to report in its own words (it will meet the same
    one); a child that panics, aborts, runs out of memory or time is a file that would have done
    the same to the run.
    """
    from sbsk.intake import sandbox

    limits = {name: globals()[name] for name in DEFAULTS}
    size = path.stat().st_size
    with tempfile.TemporaryDirectory(prefix="sbsk-parse-", dir=_scratch_root(size)) as scratch:
        request = {"path": str(path), "kind": found.kind, "limits": limits, "scratch": scratch}
        stderr = b""
        try:
            verdict = sandbox.ask(request, PARSE_MEMORY, PARSE_SECONDS, size)
        except TimeoutError:
            reject(f"读取超过{PARSE_SECONDS}秒仍未完成，文件结构异常（疑似恶意文件），已拒绝读取")
        except sandbox.Died as died:
            verdict, stderr = None, died.stderr
        if b"memory allocation" in stderr or b"MemoryError" in stderr or (verdict or {}).get("error") == "MemoryError":
            reject(f"读取该文件需要超过{size_text(PARSE_MEMORY)}内存，文件结构异常（疑似恶意文件），已拒绝读取")
        if verdict is None:
            reject(BROKEN)
        if "rejected" in verdict:
            reject(str(verdict["rejected"]))
        found.sheets = [SheetScan(**scan) for scan in verdict.get("scans", [])]
        # the area the parser really used: for .xls the only count there is, for big sheets the exact one
        for name, (rows, columns) in verdict.get("sheets", {}).items():
            check_area(name, rows, columns)
        check_book([rows * columns for rows, columns in verdict.get("sheets", {}).values()])
        if "grids" in verdict:
            found.grids = {name: (_read_arrow(Path(file), scratch), offsets)
                           for name, file, offsets in verdict["grids"]}


def _scratch_root(file_bytes: int) -> str | None:
    """Memory-backed /dev/shm when it has room (a container's may have only 64 MB): the grids then go
    from child to parent without touching a disk. Text grids take up to ~16× the .xlsx."""
    try:
        room = os.statvfs("/dev/shm")
        if room.f_bavail * room.f_frsize > 16 * file_bytes + 256 * MB and os.access("/dev/shm", os.W_OK):
            return "/dev/shm"
    except OSError:
        pass
    return None


def _read_arrow(file: Path, scratch: str):
    import pyarrow as pa

    if file.parent != Path(scratch):  # the child names its own files; take nothing from elsewhere
        reject(BROKEN)
    with pa.memory_map(str(file)) as source:
        return pa.ipc.open_file(source).read_all()


# ---- formulas: the reader takes their cached values; the report says so ----
def formula_note(path: Path, sheet: str) -> str | None:
    """A Chinese note when cells of the sheet held formulas (their saved results were read)."""
    try:
        with open(path, "rb") as fh:
            found = inspect_zip(path) if fh.read(4) in _ZIP else None
    except Exception:  # a file the reader took is no place to fail; the note is a courtesy
        return None
    scan = next((s for s in (found.sheets if found else []) if s.name == sheet), None)
    if scan is None or not scan.formula_count:
        return None
    some = "、".join(scan.formulas[:5])
    more = "等" if scan.formula_count > 5 else ""
    return (f"工作表「{sheet}」有{scan.formula_count}个单元格是公式（{some}{more}），"
            f"已按文件中保存的计算结果读取，公式本身不会被执行")


def formula_flags(path: Path, sheet: str, rel: str, return_code: str) -> list[dict]:
    """The note above as a 数据核查 row (flag `formula_value`), or nothing."""
    note = formula_note(path, sheet)
    return [] if note is None else [{"unit_code": None, "return_code": return_code, "flag": "formula_value",
                                     "detail": note, "source_file": rel, "sheet": sheet, "row_number": None}]


# ---- paths: what discover must not even open ----
def refusal(path: Path, raw_dir: Path) -> str | None:
    """Why a file found under the raw folder must not be read at all, or None."""
    if _ODD_NAME.search(path.name):
        return ODD_NAME
    try:
        real = path.resolve(strict=True)
        inside = real.is_relative_to(raw_dir.resolve(strict=True))
    except (OSError, RuntimeError):
        return OUTSIDE_LINK
    if not inside:
        return OUTSIDE_LINK
    if path.suffix.lower() in LOOKALIKES:
        return LOOKALIKES[path.suffix.lower()]
    try:
        size = path.stat().st_size
    except OSError:
        return "无法读取文件信息"
    if size > MAX_FILE_BYTES:
        return (f"文件大小为{size_text(size)}，超过上限{size_text(MAX_FILE_BYTES)}；"
                f"报表通常只有几十KB，请删除多余的图片或工作表后重新报送")
    return None


def unread_digest(path: Path, why: str) -> str:
    """A stand-in for the content hash of a file that is refused unread (its link, size and time)."""
    try:
        info = path.lstat()
        link = os.readlink(path) if path.is_symlink() else ""
        facts = f"{why}\0{path}\0{link}\0{info.st_size}\0{info.st_mtime_ns}"
    except OSError:
        facts = f"{why}\0{path}"
    return hashlib.sha256(facts.encode("utf-8", "surrogateescape")).hexdigest()


# ---- text we write: never a formula, never a character Excel or a terminal would act on ----
def excel_text(text: str) -> str:
    """Text a workbook cell can hold as written: no XML-illegal characters, at most 32,767 of them."""
    text = _ILLEGAL_XML.sub("\ufffd", text)
    return text if len(text) <= EXCEL_MAX_TEXT else text[:EXCEL_MAX_TEXT - 1] + "…"


def printable(text: str) -> str:
    """Text safe to print to a terminal: control and direction characters shown, not obeyed."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


def safe_component(name: str, fallback: str = "_") -> str:
    """One path component built from untrusted text (a unit, sheet or file name): no separators or
    control characters, never '.' or '..' or absolute, never empty, at most 100 characters."""
    text = re.sub(r'[/\\:*?"<>|]', "_", name)
    text = _ODD_NAME.sub("", _UNPRINTABLE.sub("", text)).strip().strip(".")
    return text[:100] or fallback
