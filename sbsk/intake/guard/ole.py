"""An OLE2 compound file (.xls, .et, or an encrypted .xlsx) looked into for encryption: an
EncryptionInfo stream or a BIFF FILEPASS record means a password. Just enough of [MS-CFB]."""

from __future__ import annotations

import struct
from pathlib import Path

from sbsk.intake.guard import biff
from sbsk.intake.guard.cells import check_area, check_book
from sbsk.intake.guard.limits import Limits
from sbsk.intake.guard.refusals import BROKEN, ENCRYPTED, OLE_NOT_BOOK, TRUNCATED, reject

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE = 0xFFFFFFFA  # sector numbers at or above this mark ends and specials


def inspect_ole(path: Path, limits: Limits) -> int | None:
    """Refuse an encrypted workbook, a compound file that holds none, a workbook older than Excel
    5.0, an Excel 5.0/95 one in a double-byte code page (the parser would garble its Chinese text),
    and a sheet whose cells span more than the limits (before the parser allocates that span).
    Returns the workbook's BIFF version."""
    data = path.read_bytes()  # bounded by limits.max_file_bytes, checked before (guard.inspection)
    streams = ole_streams(data)
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        reject(ENCRYPTED)
    book = next((n for n in ("Workbook", "Book", "WORKBOOK", "BOOK") if n in streams), None)
    if book is None:
        reject(OLE_NOT_BOOK)
    stream = ole_read(data, streams, book, streams[book][2])
    found = biff.version(stream)
    biff.refuse_old(found)
    biff.refuse_double_byte(found, stream)
    if biff.encrypted(stream):
        reject(ENCRYPTED)
    areas = biff.used_areas(stream, found or 8)
    for name, rows, columns in areas:
        check_area(name, rows, columns, limits)
    check_book([rows * columns for _, rows, columns in areas], limits)
    return found


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
        # a file need not end on a sector boundary (Excel and other writers leave the last one
        # short): the missing tail of the last sector reads as zeros, as every reader takes it
        self.sectors = max(-(-len(data) // self.size) - 1, 0)
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
        return self.data[at:at + self.size].ljust(self.size, b"\x00")

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
