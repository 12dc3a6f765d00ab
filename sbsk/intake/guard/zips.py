"""A zip (.xlsx, .xlsm) looked into before any parser: everything its directory declares is judged
before a byte is decompressed, then every part is decompressed in bounded steps, never past its
declared size, proving the declarations true. Runs in the sandboxed child (guard.child)."""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

from sbsk.intake.guard.cells import SHEET_DATA, check_book, count_shared_strings, quick_scan, scan_sheet, stream_scan
from sbsk.intake.guard.findings import Inspection
from sbsk.intake.guard.limits import MB, Limits, size_text
from sbsk.intake.guard.refusals import (BROKEN, DAMAGED_PART, EMPTY_BOOK, ENCRYPTED, LOOKALIKES, NOT_BOOK, OTHER_OFFICE,
                                        TRUNCATED, reject)
from sbsk.intake.guard.xmlparts import PREFIX, check_xml, looks_like_xml, office_document, part_name, relationships, rels_of, sheets_of

MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_XML_PART = (".xml", ".rels")
_WORKBOOK = re.compile(PREFIX + rb"workbook(?=[\s/>])")
# A damaged part may inflate a little past its declared size; only far past it is it a bomb.
DAMAGE_SLACK = 1 * MB


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
        parts = _parts(infos)
        book = _workbook_part(fh, parts, offsets)
        sheets, shared = _listed_sheets(fh, parts, offsets, book, limits)
        for key, info in parts.items():
            name = part_name(info.filename)
            if key in sheets and info.file_size > limits.exact_scan_bytes:  # a big sheet, never held whole
                found.sheets.append(stream_scan(sheets[key], name, inflate_steps(fh, info, offsets), limits))
                continue
            data = inflate(fh, info, offsets)  # every part, so that none can lie about its size
            if _parsed_as_xml(key, data):
                _scan_part(key, name, check_xml(name, data), sheets, shared, found, limits)
    if not any(s.cells is None or s.cells for s in found.sheets):
        reject(EMPTY_BOOK)
    return found


def _parts(infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """Every part by the name readers look it up by: "/" for "\\", and case-insensitive, as the
    package standard compares part names. Two entries with one such name are refused: which of them
    a reader takes is anybody's guess."""
    parts = {part_name(i.filename).lower(): i for i in infos}
    if len(parts) != len(infos):
        reject("文件结构异常：压缩包内有重名的部件，已拒绝读取")
    return parts


def _workbook_part(fh, parts: dict[str, zipfile.ZipInfo], offsets: dict[str, int]) -> str:
    """The workbook part: the one the package's root relationships name (_rels/.rels), else where
    Excel puts it, holding a <workbook>; refused with what the file is when there is none."""
    root = parts.get("_rels/.rels")
    named = office_document(check_xml("_rels/.rels", inflate(fh, root, offsets))) if root else None
    named = named.lower() if named else None
    for candidate in (named, "xl/workbook.xml"):
        if candidate and candidate in parts and not candidate.endswith(".bin") \
                and _WORKBOOK.search(check_xml(candidate, inflate(fh, parts[candidate], offsets))[:4096]):
            return candidate
    if "xl/workbook.bin" in parts or (named or "").endswith(".bin"):
        reject(LOOKALIKES[".xlsb"])
    if "mimetype" in parts and "content.xml" in parts:
        reject(LOOKALIKES[".ods"])
    folder = (named or "").split("/", 1)[0]
    reject(OTHER_OFFICE.get(folder, NOT_BOOK))


def _listed_sheets(fh, parts: dict[str, zipfile.ZipInfo], offsets: dict[str, int], book: str, limits: Limits
                   ) -> tuple[dict[str, str], set[str]]:
    """(sheet part → sheet name, the shared-strings parts), parts by their lookup name (_parts);
    refused above limits.max_sheets."""
    xml, rels = (check_xml(name, inflate(fh, parts[name], offsets)) if name in parts else b""
                 for name in (book, rels_of(book)))
    links = relationships(rels, book)
    listed = sheets_of(xml, links)
    if len(listed) > limits.max_sheets:
        reject(f"工作簿有{len(listed):,}个工作表，超过上限{limits.max_sheets}个")
    shared = {target.lower() for _, kind, target in links if kind.endswith("/sharedStrings")}
    return {part.lower(): name for part, name in listed}, shared | {"xl/sharedstrings.xml"}


def _parsed_as_xml(part: str, data: bytes) -> bool:
    """Whether a reader may parse the part as XML: by its name, or because it looks like XML whatever
    its name (a sheet the workbook points at may be called blob.bin). A binary part (printer
    settings, a thumbnail, Google's workbook metadata) is no XML to any parser and is not scanned."""
    if part.lower().endswith(_XML_PART):
        return True
    return not part.startswith("xl/media/") and looks_like_xml(data)


def _scan_part(key: str, part: str, xml: bytes, sheets: dict[str, str], shared: set[str], found: Inspection,
               limits: Limits) -> None:
    if key in sheets or SHEET_DATA.search(xml):
        scan = scan_sheet if len(xml) <= limits.exact_scan_bytes else quick_scan
        found.sheets.append(scan(sheets.get(key, part), part, xml, limits))
        check_book([s.rows * s.columns for s in found.sheets], limits)
    elif key in shared:
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
    time the last step is taken. A part that inflates a little past its declared size, or to bytes
    that fail its CRC, is damaged (a bad download or copy): it is said so. Only one that goes on
    far past its declaration is refused as tampered with, the way bombs lie."""
    name = part_name(info.filename)
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
                reject(DAMAGED_PART.format(part=name))
        if not piece and not pending:
            break  # nothing left to read and nothing more comes out
        size += len(piece)
        if size > info.file_size + DAMAGE_SLACK:
            reject(f"文件疑似压缩炸弹：部件 {name} 实际解压后远超其声明的{size_text(info.file_size)}"
                   f"（文件被篡改），已拒绝读取")
        if size > info.file_size:
            continue  # damaged or a bomb: which one, the rest of the stream tells; nothing is yielded
        crc = zlib.crc32(piece, crc)
        if piece:
            yield piece
    if engine and not engine.eof or size < info.file_size:
        reject(TRUNCATED)
    if size != info.file_size or crc != info.CRC:
        reject(DAMAGED_PART.format(part=name))
