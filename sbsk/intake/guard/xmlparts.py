"""Every XML part of a workbook, before any XML parser sees it: its encoding, a DTD (never in an
Excel file: without one there is no external entity and no entity expansion), and the few
attributes the guard reads (the workbook's sheet list and its relationships)."""

from __future__ import annotations

import posixpath
import re

from sbsk.intake.guard.refusals import reject

DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)
_PROLOG_ENCODING = re.compile(rb'^\s*<\?xml[^>]*?encoding\s*=\s*["\']([^"\']*)["\']')
_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "us-ascii", "ascii"}
ATTRS = rb"""((?:[^>"']|"[^"]*"|'[^']*')*)"""       # quoted values may hold '>'
PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"                # <x:c …> is as good as <c …> to a parser
_SHEET_ENTRY = re.compile(PREFIX + rb"sheet(?=[\s/>])" + ATTRS + rb">")
_RELATIONSHIP = re.compile(PREFIX + rb"Relationship(?=[\s/>])" + ATTRS + rb">")


def check_xml(part: str, data: bytes) -> bytes:
    """The part as UTF-8 bytes, refused if it declares a DTD or an encoding that could hide one."""
    data = utf8(part, data)
    check_prolog(part, data)
    if DTD.search(data):
        refuse_dtd(part)
    return data


def utf8(part: str, data: bytes) -> bytes:
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16").encode("utf-8")
        # UTF-16 without a byte-order mark, recognised by its first "<" (XML 1.0 Appendix F), as
        # a parser would autodetect it: decoded and scanned like any other part (Excel writes
        # custom properties this way), never refused
        if data[:2] == b"<\x00" and data[2:4] != b"\x00\x00":
            return data.decode("utf-16-le").encode("utf-8")
        if data[:2] == b"\x00<" and data[:4] != b"\x00<\x00\x00":
            return data.decode("utf-16-be").encode("utf-8")
        if data[:4].count(b"\x00"):
            raise UnicodeError
    except UnicodeError:
        reject(f"文件的 {part} 使用了不支持的字符编码，已拒绝读取")
    return data


def looks_like_xml(data: bytes) -> bool:
    """Whether a parser could take the part for XML: markup first, in UTF-8, UTF-16 (with or without a
    byte-order mark) or UTF-32. A binary part (an image, printer settings, a Google metadata blob) is
    no XML to any parser, so it carries no DTD to fear."""
    head = data[:8]
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00\x00<", b"<\x00\x00\x00")):
        return True
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def check_prolog(part: str, data: bytes) -> None:
    declared = _PROLOG_ENCODING.match(data[:200])
    if declared and declared.group(1).decode("ascii", "replace").lower() not in _ENCODINGS:
        reject(f"文件的 {part} 使用了不支持的字符编码（{declared.group(1).decode('ascii', 'replace')}），已拒绝读取")


def refuse_dtd(part: str):
    reject(f"文件的 {part} 含有XML文档类型定义（DOCTYPE/ENTITY），正常的Excel文件不会有，可能是恶意文件，已拒绝读取")


def attr_bytes(attrs: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"(?:^|\s)(?:[\w.-]+:)?" + name + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", attrs)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def attr(attrs: bytes, name: bytes) -> str | None:
    raw = attr_bytes(attrs, name)
    return None if raw is None else _unescape(raw.decode("utf-8", "replace"))


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def part_name(name: str) -> str:
    """A part's name as the package means it: readers take "xl\\workbook.xml" (written by some
    tools) for "xl/workbook.xml", and a leading "/" is the package root."""
    return posixpath.normpath(name.replace("\\", "/")).lstrip("/")


def rels_of(part: str) -> str:
    """Where a part's relationships are: xl/workbook.xml → xl/_rels/workbook.xml.rels."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def relationships(rels: bytes, source: str) -> list[tuple[str, str, str]]:
    """(id, type, target part) of every internal relationship of the part `source`; a target is
    resolved against the folder that holds the source part (or from the root when it starts with /)."""
    folder = posixpath.dirname(source)
    found = []
    for m in _RELATIONSHIP.finditer(rels):
        rid, kind, target = attr(m.group(1), b"Id"), attr(m.group(1), b"Type") or "", attr(m.group(1), b"Target")
        if not rid or not target or (attr(m.group(1), b"TargetMode") or "").lower() == "external":
            continue
        target = target.replace("\\", "/")
        found.append((rid, kind, part_name(target if target.startswith("/") else posixpath.join(folder, target))))
    return found


def office_document(root_rels: bytes) -> str | None:
    """The workbook part the package's root relationships (_rels/.rels) name, as the standard says."""
    return next((target for _, kind, target in relationships(root_rels, "")
                 if kind.endswith("/officeDocument")), None)


def sheets_of(book: bytes, rels: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(sheet part path, sheet name) for every sheet the workbook lists."""
    targets = {rid: target for rid, _, target in rels}
    sheets = []
    for i, m in enumerate(_SHEET_ENTRY.finditer(book)):
        name = attr(m.group(1), b"name") or f"#{i + 1}"
        sheets.append((targets.get(attr(m.group(1), b"id"), f"?{i}"), name))
    return sheets
