"""A zip (.xlsx, .xlsm) looked into before any parser: everything its directory declares is judged
before a byte is decompressed, then every part is decompressed in bounded steps, never past its
declared size, proving the declarations true. Runs in the sandboxed child (guard.child)."""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path

from sbsk.intake.guard.cells import SHEET_DATA, check_book, count_shared_strings, quick_scan, scan_sheet, stream_scan
from sbsk.intake.guard.findings import Inspection
from sbsk.intake.guard.limits import MB, Limits, size_text
from sbsk.intake.guard.refusals import BROKEN, EMPTY_BOOK, ENCRYPTED, LOOKALIKES, NOT_BOOK, TRUNCATED, reject
from sbsk.intake.guard.xmlparts import check_xml, rel_targets, sheets_of

MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_XML_PART = (".xml", ".rels")


def inspect_zip(path: Path, limits: Limits) -> Inspection:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        reject(TRUNCATED)
    found = Inspection("xlsx")
    with archive, open(path, "rb") as fh:
        infos = archive.infolist()
        check_entries(infos, limits)
        offsets = data_offsets(fh, infos, os.fstat(fh.fileno()).st_size)
        _check_package({i.filename for i in infos})
        sheets, targets = _listed_sheets(fh, {i.filename: i for i in infos}, offsets, limits)
        for info in infos:
            if info.filename in sheets and info.file_size > limits.exact_scan_bytes:  # a big sheet, never held whole
                found.sheets.append(stream_scan(sheets[info.filename], info.filename,
                                                inflate_steps(fh, info, offsets), limits))
                continue
            data = inflate(fh, info, offsets)  # every part, so that none can lie about its size
            if _parsed_as_xml(info.filename, data, targets):
                _scan_part(info.filename, check_xml(info.filename, data), sheets, found, limits)
    if not any(s.cells is None or s.cells for s in found.sheets):
        reject(EMPTY_BOOK)
    return found


def _listed_sheets(fh, by_name: dict[str, zipfile.ZipInfo], offsets: dict[str, int], limits: Limits
                   ) -> tuple[dict[str, str], set[str]]:
    """(sheet part → sheet name, every part the workbook's relationships point at); refused above
    limits.max_sheets."""
    book, rels = (check_xml(name, inflate(fh, by_name[name], offsets)) if name in by_name else b""
                  for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"))
    listed = sheets_of(book, rels)
    if len(listed) > limits.max_sheets:
        reject(f"工作簿有{len(listed):,}个工作表，超过上限{limits.max_sheets}个")
    return dict(listed), set(rel_targets(rels).values())


def _parsed_as_xml(part: str, data: bytes, targets: set[str]) -> bool:
    """Whether a reader may parse the part as XML: by its name, because the workbook points at it
    (whatever its name), or because it looks like XML. Images are never parsed, even SVG ones."""
    if part in targets or part.lower().endswith(_XML_PART):
        return True
    return not part.startswith("xl/media/") and data.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")[:1] == b"<"


def _scan_part(part: str, xml: bytes, sheets: dict[str, str], found: Inspection, limits: Limits) -> None:
    if part in sheets or SHEET_DATA.search(xml):
        scan = scan_sheet if len(xml) <= limits.exact_scan_bytes else quick_scan
        found.sheets.append(scan(sheets.get(part, part), part, xml, limits))
        check_book([s.rows * s.columns for s in found.sheets], limits)
    elif part == "xl/sharedStrings.xml":
        count_shared_strings(xml, limits)


def check_entries(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Everything the zip directory declares, judged before a byte is decompressed."""
    if len(infos) > limits.max_entries:
        reject(f"文件疑似压缩炸弹：压缩包内有{len(infos):,}个部件，超过上限{limits.max_entries:,}个")
    if len({i.filename for i in infos}) != len(infos):
        reject("文件结构异常：压缩包内有重名的部件，已拒绝读取")
    for info in infos:
        if info.flag_bits & 0x1:
            reject(ENCRYPTED)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            reject(f"文件结构异常：部件 {info.filename} 使用了Excel不会使用的压缩方式（{info.compress_type}）")
    for info in infos:
        if info.file_size > limits.max_part_bytes:
            reject(f"文件疑似压缩炸弹：部件 {info.filename} 解压后为{size_text(info.file_size)}，"
                   f"超过单个部件上限{size_text(limits.max_part_bytes)}")
    total = sum(i.file_size for i in infos)
    if total > limits.max_total_bytes:
        reject(f"文件疑似压缩炸弹：解压后总大小为{size_text(total)}，超过上限{size_text(limits.max_total_bytes)}")
    for info in infos:
        if info.file_size > limits.ratio_from_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            reject(f"文件疑似压缩炸弹：部件 {info.filename} 的压缩比为{ratio:,.0f}:1，超过上限{limits.max_ratio}:1")


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

