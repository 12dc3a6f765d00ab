"""A property-based fuzz of the intake (hypothesis): workbooks built from a valid return and then
mutated (the zip's structure and bytes, its XML, the shared strings, the cell text, the header
arrangement), and legacy .xls streams mutated record by record. Whatever the file, checking it gives
exactly one verdict, in bounded time, with no exception escaping and no exception's name in what a
clerk reads, and the rows add up (read = loaded + rejected + skipped).

The suite runs a bounded, derandomised sample (about 25 s); `make fuzz` runs SBSK_FUZZ_EXAMPLES per
property with fresh randomness and prints the figures SECURITY.md records. A crash it finds becomes
a fixture in tests/realworld.py.
"""

from __future__ import annotations

import os
import re
import signal
import struct
import tempfile
import time
import zipfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import hostile
from hostile import R05_HEADERS, UNITS, biff_workbook, cfb, esc, package, sheet_xml, shared_strings_xml, write_zip
from sbsk.intake.check import check_paths
from sbsk.intake.errors import FileRejected
from sbsk.intake.guard.inspection import inspect

LONG = bool(os.environ.get("SBSK_FUZZ_EXAMPLES"))
EXAMPLES = int(os.environ.get("SBSK_FUZZ_EXAMPLES", "0"))
SECONDS = 60  # one check of one small file; the sandboxed parse has its own 30 s cap in the suite
EXCEPTION_NAME = re.compile(r"[A-Za-z]*(?:Error|Exception|Panic)\b|Traceback")
FIGURES: Counter = Counter()


def _settings(bounded: int):
    return settings(max_examples=EXAMPLES or bounded, deadline=None, database=None, derandomize=not LONG,
                    suppress_health_check=list(HealthCheck), print_blob=True)


# ---- what a clerk may write: header variants, cell text ----
VARIANTS = {  # each header as clerks write it: spaces, line breaks, full-width brackets, Traditional, aliases
    "县(市、区)": ["县(市、区)", "县（市、区）", "縣(市、區)", "县 市 区", "县市区", "单位", "地区"],
    "项目名称": ["项目名称", "項目名稱", "项目\n名称", " 项目名称 "],
    "级别": ["级别", "項目級別", "项目级别"],
    "本年计划投资(万元)": ["本年计划投资(万元)", "本年计划投资（万元）", "年度计划投资", "本年计划投资(亿元)"],
    "本年累计完成投资(万元)": ["本年累计完成投资(万元)", "本年累计完成投资", "本年累計完成投資（萬元）"],
}
cell_text = st.one_of(
    st.sampled_from(UNITS + ["林州", "內黃縣", "省重点", "市重点", "合计", "小计", "注：", "—", "", "0", "-0", "1e308",
                             "NaN", "=1+1", "@SUM(A1)", "2020.7.3", "81%", "1,234.5", "_x001B_[2J"]),
    st.text(max_size=40),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def table(draw) -> tuple[list[str], list[list[str]]]:
    """A header arrangement of R05 (a variant of each header, columns shuffled or dropped, title rows
    above) and rows of cell text."""
    order = draw(st.permutations(R05_HEADERS))
    keep = draw(st.lists(st.booleans(), min_size=len(order), max_size=len(order)))
    headers = [draw(st.sampled_from(VARIANTS[h])) for h, k in zip(order, keep) if k or draw(st.booleans())]
    rows = [[draw(st.sampled_from(["2020Q3 省市重点项目投资进度", "填报单位：", "单位：万元"]))]
            for _ in range(draw(st.integers(0, 3)))]
    rows.append(headers)
    rows += [[draw(cell_text) for _ in headers] for _ in range(draw(st.integers(0, 12)))]
    return headers, rows


def sheet_of(rows: list[list[str]], shared: bool) -> tuple[bytes, bytes | None]:
    """The sheet XML (inline strings, or shared ones) and the shared-strings part."""
    texts: list[str] = []
    body = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c % 26)}{r}"
            if shared:
                texts.append(esc(value))
                cells.append(f'<c r="{ref}" t="s"><v>{len(texts) - 1}</v></c>')
            else:
                cells.append(hostile.text_cell(ref, value))
        body.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    return sheet_xml("".join(body)), (shared_strings_xml(texts) if shared else None)


# ---- mutations ----
def _xml_safe(text: str) -> str:
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)


xml_edit = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.binary(max_size=24)),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 200)),
    st.tuples(st.just("retag"), st.sampled_from([b"<c ", b"<row ", b"<v>", b"<si>", b"<sheet ", b"r=\"", b"t=\"s\""]),
              st.sampled_from([b"<x:c ", b"<rowx ", b"<v >", b"", b"<si><si>", b"r=\"XFD1048576", b"t=\"e\""])),
    st.tuples(st.just("prolog"), st.sampled_from([b'encoding="UTF-16"', b'encoding="UTF-7"', b"\xef\xbb\xbf",
                                                  b"<!DOCTYPE x>", b"\xff\xfe"]), st.just(b"")),
)
zip_edit = st.one_of(
    st.tuples(st.just("drop"), st.integers(0, 20)),
    st.tuples(st.just("rename"), st.integers(0, 20), st.sampled_from(["backslash", "upper", "slash", "dup"])),
    st.tuples(st.just("stored"), st.booleans()),
)
byte_edit = st.one_of(
    st.tuples(st.just("truncate"), st.integers(0, 10**5)),
    st.tuples(st.just("flip"), st.lists(st.tuples(st.integers(0, 10**5), st.integers(1, 255)), max_size=6)),
)


def apply_xml(parts: dict[str, bytes], name_at: int, edit) -> None:
    name = sorted(parts)[name_at % len(parts)]
    data = parts[name]
    kind, a, b = edit
    if kind == "insert":
        at = a % (len(data) + 1)
        parts[name] = data[:at] + b + data[at:]
    elif kind == "delete":
        at = a % (len(data) + 1)
        parts[name] = data[:at] + data[at + b:]
    elif kind == "retag":
        parts[name] = data.replace(a, b, 3)
    elif a.startswith(b"encoding"):
        parts[name] = data.replace(b'encoding="UTF-8"', a, 1)
    else:
        parts[name] = a + data


def write_mutated(path: Path, parts: dict[str, bytes], zips: list, nbytes: list) -> Path:
    names = list(parts)
    stored = False
    for edit in zips:
        if edit[0] == "stored":
            stored = edit[1]
            continue
        name = names[edit[1] % len(names)]
        if name not in parts:
            continue
        if edit[0] == "drop":
            del parts[name]
        else:
            new = {"backslash": name.replace("/", "\\"), "upper": name.upper(), "slash": "/" + name,
                   "dup": name.upper()}[edit[2]]
            data = parts[name] if edit[2] == "dup" else parts.pop(name)
            parts[new] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    data = bytearray(path.read_bytes())
    for edit in nbytes:
        if edit[0] == "truncate":
            data = data[:edit[1] % (len(data) + 1)]
        else:
            for at, xor in edit[1]:
                if data:
                    data[at % len(data)] ^= xor
    path.write_bytes(bytes(data))
    return path


# ---- the properties ----
class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang


@contextmanager
def watched():
    """Under a wall-clock alarm of SECONDS; what escapes is counted as a hang or a crash."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS)
    try:
        yield
    except Hang:
        FIGURES["hangs"] += 1
        raise
    except BaseException:
        FIGURES["crashes"] += 1
        raise
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def verdict_of(path: Path) -> dict:
    """check_paths on one file, under a wall-clock alarm: one verdict, its messages clear."""
    started = time.monotonic()
    with watched():
        verdicts = check_paths([path], year=2020)
    FIGURES["cases"] += 1
    FIGURES["seconds"] += time.monotonic() - started
    (v,) = verdicts
    assert v["rows_read"] == v["rows_loaded"] + v["rows_rejected"] + v["rows_skipped"], v
    if v["status"] == "rejected" and v["rows_loaded"] == 0 and v["rows_read"] == 0:
        assert len(v["errors"]) == 1, v["errors"]  # a file rejected whole is told once
    for err in v["errors"]:
        text = err["message"].split("：", 1)[-1]
        assert text and re.search("[\u4e00-\u9fff]", text), err
        assert not EXCEPTION_NAME.search(text), err
    FIGURES[v["status"]] += 1
    return v


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory(prefix="sbsk-fuzz-") as folder:
        yield Path(folder)
    if FIGURES:
        print(f"\nfuzz: cases {FIGURES['cases']}, crashes {FIGURES['crashes']}, hangs {FIGURES['hangs']}, "
              f"loaded {FIGURES['loaded']}, rejected {FIGURES['rejected']}, guard refusals {FIGURES['refused']}, "
              f"{FIGURES['seconds'] / max(FIGURES['cases'], 1):.2f} s per check")


@_settings(bounded=25)
@given(spec=table(), shared=st.booleans(), xml=st.lists(st.tuples(st.integers(0, 20), xml_edit), max_size=2),
       zips=st.lists(zip_edit, max_size=2), nbytes=st.lists(byte_edit, max_size=1))
def test_any_mutated_workbook_gets_one_clear_verdict(scratch, spec, shared, xml, zips, nbytes):
    _, rows = spec
    sheet, strings = sheet_of(rows, shared)
    parts = package([("Sheet1", sheet)], shared=strings)
    for name_at, edit in xml:
        apply_xml(parts, name_at, edit)
    verdict_of(write_mutated(scratch / "fuzz.xlsx", parts, zips, nbytes))


@_settings(bounded=20)
@given(spec=table(), shared=st.booleans())
def test_any_header_arrangement_and_cell_text_gets_one_clear_verdict(scratch, spec, shared):
    """Well-formed workbooks only: the reader, parser and validation meet every arrangement."""
    headers, rows = spec
    sheet, strings = sheet_of([[_xml_safe(c) for c in row] for row in rows], shared)
    v = verdict_of(write_zip(scratch / "table.xlsx", package([("Sheet1", sheet)], shared=strings)))
    if v["status"] == "loaded":
        assert v["return_code"] == "R05"


record_edit = st.tuples(st.integers(0, 400), st.sampled_from(["length", "kind", "row", "cut", "bytes"]),
                        st.integers(0, 0xFFFF))


@_settings(bounded=60)
@given(cells=st.lists(st.lists(st.one_of(st.integers(-10**6, 10**6), st.text(max_size=8)), max_size=4), max_size=6),
       edits=st.lists(record_edit, max_size=3), stream_name=st.sampled_from(["Workbook", "Book"]))
def test_any_mutated_xls_is_refused_or_read_by_the_guard(scratch, cells, edits, stream_name):
    """The compound file and the BIFF records (the guard reads them itself now: version, FILEPASS,
    cell spans), mutated: the guard answers with a FileRejected or an inspection, nothing else."""
    stream = bytearray(biff_workbook([hostile.R05_HEADERS] + [[c for c in row] for row in cells]))
    for at, what, value in edits:
        offsets = _record_offsets(bytes(stream))
        pos = offsets[at % len(offsets)]
        if what == "length":
            struct.pack_into("<H", stream, pos + 2, value)
        elif what == "kind":
            struct.pack_into("<H", stream, pos, value)
        elif what == "row" and pos + 8 <= len(stream):
            struct.pack_into("<HH", stream, pos + 4, value, value >> 8)
        elif what == "cut":
            del stream[pos:pos + value % 64]
        else:
            stream[pos % len(stream)] ^= value & 0xFF or 1
    path = scratch / "fuzz.xls"
    path.write_bytes(cfb({stream_name: bytes(stream)}))
    refusal = None
    with watched():
        try:
            inspect(path)
        except FileRejected as exc:
            refusal = exc.message
    if refusal is None:
        FIGURES["xls read"] += 1
    else:
        assert not EXCEPTION_NAME.search(refusal) and re.search("[\u4e00-\u9fff]", refusal), refusal
        FIGURES["refused"] += 1
    FIGURES["cases"] += 1


def _record_offsets(stream: bytes) -> list[int]:
    at, found = 0, []
    while at + 4 <= len(stream):
        found.append(at)
        at += 4 + struct.unpack_from("<H", stream, at + 2)[0]
    return found or [0]
