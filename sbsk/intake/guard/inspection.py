"""The whole check, run before any parser sees a file: what the file really is by its magic bytes
(zip, OLE2, PDF, text …, whatever its name says), then the trial parse in the sandboxed child."""

from __future__ import annotations

import stat
from pathlib import Path

from sbsk.intake.guard import biff, ole, zips
from sbsk.intake.guard.findings import Inspection
from sbsk.intake.guard.limits import LIMITS, Limits
from sbsk.intake.guard.refusals import (EMPTY_FILE, HTML, LOOKALIKES, NEW_FORMAT_NAMED_OLD, OLD_FORMAT_NAMED_NEW,
                                        PDF, TEXT, UNKNOWN, XML2003, reject, too_big)
from sbsk.intake.guard.trial import trial_parse


def inspect(path: Path, limits: Limits = LIMITS) -> Inspection:
    """Raise FileRejected unless the file is safe to hand to the parser."""
    head = _head(path, limits)
    ext = path.suffix.lower()
    if ext in LOOKALIKES:
        reject(LOOKALIKES[ext])
    if head.startswith(zips.MAGIC):
        if ext == ".xls":
            reject(NEW_FORMAT_NAMED_OLD.format(ext=ext))
        found = Inspection("xlsx")  # looked into by the sandboxed child, which decompresses it once
    elif head.startswith(ole.MAGIC):
        found = Inspection("xls", biff=ole.inspect_ole(path, limits))
        if ext in (".xlsx", ".xlsm"):
            reject(OLD_FORMAT_NAMED_NEW.format(ext=ext))
    else:
        reject(_what_else(head))
    trial_parse(path, found, limits)
    return found


def _head(path: Path, limits: Limits) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            reject("不是普通文件，已拒绝读取")
        if info.st_size == 0:
            reject(EMPTY_FILE)
        if info.st_size > limits.max_file_bytes:
            reject(too_big(info.st_size, limits.max_file_bytes))
        with open(path, "rb") as fh:
            return fh.read(4096)
    except PermissionError:
        reject("无法打开文件：没有读取权限，请检查文件权限后重试")
    except FileNotFoundError:
        reject("无法打开文件：文件已不存在（可能在检查过程中被移动或删除），请重新报送")
    except OSError:
        reject("无法打开文件：读取时发生磁盘或网络共享错误，请稍后重试；仍不行请重新拷贝该文件")


def _what_else(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return PDF
    old = biff.bare_version(head)
    if old:
        return biff.old_format(old)
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
