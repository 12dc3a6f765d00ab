"""Build the real-world fixtures: files that real readers take (or that are really damaged) and that
the guard once judged wrongly. Each is the smallest file showing one class found in the public
corpus (corpus/manifest.toml), built from scratch with the pieces of tests/hostile.py.

    python tests/realworld.py DIR       write every fixture into DIR
"""

from __future__ import annotations

import struct
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Callable

import hostile
from hostile import (NS, REL_NS, R05_HEADERS, UNITS, Entry, biff_workbook, cfb, honest, package, r05_rows, r05_table,
                     raw_zip, record, sheet_xml, text_cell, workbook_xml, write_zip)

GOOGLE_METADATA = "http://customschemas.google.com/relationships/workbookmetadata"


def r05_parts() -> dict[str, bytes]:
    return package([("Sheet1", sheet_xml(r05_rows()))])


# ---- readable workbooks the guard must take ----
def backslash_names(path: Path) -> Path:
    """Every part named with backslashes (xl\\workbook.xml), as some exporters write them."""
    return write_zip(path, {name.replace("/", "\\"): data for name, data in r05_parts().items()})


def workbook_elsewhere(path: Path) -> Path:
    """The workbook at the package root, found only through _rels/.rels (as the standard says)."""
    parts = r05_parts()
    moved = {"[Content_Types].xml": parts["[Content_Types].xml"].replace(b"/xl/", b"/"),
             "_rels/.rels": parts["_rels/.rels"].replace(b'Target="xl/workbook.xml"', b'Target="workbook.xml"'),
             "workbook.xml": parts["xl/workbook.xml"],
             "_rels/workbook.xml.rels": parts["xl/_rels/workbook.xml.rels"].replace(b"worksheets/", b"sheets/"),
             "styles.xml": parts["xl/styles.xml"], "sharedStrings.xml": parts["xl/sharedStrings.xml"],
             "sheets/sheet1.xml": parts["xl/worksheets/sheet1.xml"]}
    return write_zip(path, moved)


def binary_parts(path: Path) -> Path:
    """Excel's custom properties (UTF-16 without a byte-order mark, no .xml name) and Google's
    binary workbook metadata, which the workbook's relationships point at."""
    parts = r05_parts()
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rId90" Type="{GOOGLE_METADATA}" Target="metadata"/>'
                             "</Relationships>".encode())
    parts["xl/metadata"] = b"\x00\xc5\x16\xdae\xffB\xf4\xb8\xd4\xa72\x0c\xeeb\xda" * 20
    parts["xl/customProperty1.bin"] = "<root/>\r\n".encode("utf-16-le")
    parts["xl/customProperty2.bin"] = "ORB_SHEETCODENAME_131206".encode("utf-16-le")
    return write_zip(path, parts)


def short_last_sector(path: Path) -> Path:
    """A valid .xls whose length is not a multiple of 512: the zero tail of its last sector left
    off, as some writers save it."""
    data = cfb({"Workbook": biff_workbook(r05_table())})
    cut = len(data) - 200
    assert data[cut:] == b"\x00" * 200 and cut % 512
    path.write_bytes(data[:cut])
    return path


def unit_as_danwei(path: Path) -> Path:
    """A real R05 whose county column is headed 单位 (an alias of 县(市、区)): it must load."""
    rows = r05_rows().replace("<t>县(市、区)</t>", "<t>单位</t>")
    return write_zip(path, package([("Sheet1", sheet_xml(rows))]))


# ---- files the guard must refuse, with the right diagnosis ----
def crc_damage(path: Path) -> Path:
    """One byte of a stored (uncompressed) sheet changed after the CRC was taken: damage."""
    parts = r05_parts()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data, zipfile.ZIP_STORED if name.endswith("sheet1.xml") else zipfile.ZIP_DEFLATED)
    raw = bytearray(path.read_bytes())
    at = raw.index("重点3".encode())
    raw[at:at + 3] = "轻".encode()  # same length, other bytes: 轻点3
    path.write_bytes(bytes(raw))
    return path


def size_damage(path: Path) -> Path:
    """A part that inflates to 40 bytes more than its directory declares, with a wrong CRC: a copy
    gone wrong, not a bomb (bombs inflate to far more)."""
    entries = [honest(n, d) for n, d in r05_parts().items()]
    sheet = next(e for e in entries if e.name == "xl/worksheets/sheet1.xml")
    sheet.size -= 40
    sheet.crc ^= 0xFFFF
    return raw_zip(path, entries)


def shared_string_out_of_range(path: Path) -> Path:
    """A cell pointing past the shared-strings table: the parser refuses the file."""
    rows = r05_rows().replace(text_cell("B3", "重点1"), '<c r="B3" t="s"><v>99</v></c>')
    return write_zip(path, package([("Sheet1", sheet_xml(rows))]))


def macro_sheet(path: Path) -> Path:
    """An Excel 4.0 macro sheet beside the data (the parser cannot open such a workbook)."""
    parts = package([("Sheet1", sheet_xml(r05_rows())), ("Macro1", sheet_xml(""))])
    parts["xl/macrosheets/sheet1.xml"] = parts.pop("xl/worksheets/sheet2.xml").replace(b"<worksheet", b"<xm:macrosheet") \
        .replace(b"</worksheet>", b"</xm:macrosheet>").replace(b"xmlns=", b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" xmlns=')
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        f'Type="{REL_NS}/worksheet" Target="worksheets/sheet2.xml"'.encode(),
        b'Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" Target="macrosheets/sheet1.xml"')
    parts["xl/_rels/workbook.xml.rels"] = rels
    return write_zip(path, parts)


def bare_biff(version: int) -> Callable[[Path], Path]:
    """An Excel 2.x/3.0/4.0 worksheet: a bare BIFF stream, no compound file around it."""
    kinds = {2: (0x0009, 4), 3: (0x0209, 6), 4: (0x0409, 6)}

    def build(path: Path) -> Path:
        kind, length = kinds[version]
        bof = record(kind, struct.pack("<HH", 0, 0x0010)[:length] + b"\x00" * (length - 4))
        label = record(0x0204 if version > 2 else 0x0004, struct.pack("<HHHH", 0, 0, 0, 5) + b"Title")
        path.write_bytes(bof + label + record(0x000A))
        return path
    return build


def biff5_workbook(rows: list[list], codepage: int) -> bytes:
    """An Excel 5.0/95 workbook stream (BIFF5): a CODEPAGE record, text as LABEL records in that code
    page, the sheet named in it too. LibreOffice reads the GBK one below as the R05 it is."""
    encoding = {936: "gbk", 950: "big5", 1252: "cp1252"}[codepage]
    bof = lambda kind: record(0x0809, struct.pack("<HHHH", 0x0500, kind, 0x0DBB, 0x07CC))  # noqa: E731
    xf = lambda kind: record(0x00E0, struct.pack("<HHHHHHHH", 0, 0, kind, 0x20, 0, 0, 0, 0))  # noqa: E731
    font = record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + bytes([5]) + b"Arial")
    name = "Sheet1".encode(encoding)
    globals_ = [bof(0x0005), record(0x0042, struct.pack("<H", codepage))] + [font] * 5 + [xf(0xFFF5)] * 15 + [xf(1)]
    boundsheet_at = sum(len(r) for r in globals_)
    globals_ += [record(0x0085, b"\0\0\0\0\0\0" + bytes([len(name)]) + name), record(0x000A)]
    sheet = [bof(0x0010), record(0x0200, struct.pack("<HHHHH", 0, len(rows), 0, max(map(len, rows)), 0))]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, str):
                text = value.encode(encoding)
                sheet.append(record(0x0204, struct.pack("<HHHH", i, j, 15, len(text)) + text))
            else:
                sheet.append(record(0x0203, struct.pack("<HHHd", i, j, 15, float(value))))
    stream = bytearray(b"".join(globals_))
    stream[boundsheet_at + 4:boundsheet_at + 8] = struct.pack("<I", len(stream))
    return bytes(stream + b"".join(sheet) + record(0x000A))


def excel95(codepage: int) -> Callable[[Path], Path]:
    """An R05 saved as Excel 5.0/95 in GBK (or its Traditional headers in Big5): the parser decodes
    each byte of 县(市、区) alone (a replacement character for each), so it would be told 未找到可识别的表头行."""
    def build(path: Path) -> Path:
        rows = r05_table() if codepage == 936 else [["縣(市、區)", "項目名稱", "級別"], ["林州市", "重點項目", "省重點"]]
        path.write_bytes(cfb({"Book": biff5_workbook(rows, codepage)}))
        return path
    return build


def four_corners_xls(path: Path) -> Path:
    """41 KB in the corpus: a value in each corner of a 65,536 × 256 sheet. The parser allocates the
    whole span (16.8 million cells) whatever the file holds."""
    stream = biff_workbook([["左上"]])
    corners = b"".join(record(0x0203, struct.pack("<HHHd", r, c, 16, 1.0)) for r, c in
                       ((0, 255), (65535, 0), (65535, 255)))
    eof = record(0x000A)
    assert stream.endswith(eof)
    path.write_bytes(cfb({"Workbook": stream[:-len(eof)] + corners + eof}))
    return path


def measure_units(path: Path) -> Path:
    """An unrelated monthly report whose 单位 column is a unit of measure (个, 万元), on three
    sheets: never taken for a county column, and no hint said three times."""
    def rows(sheet: int) -> str:
        head = [text_cell(f"{c}1", h) for c, h in zip("ABCD", ["指标代码", "指标名称", "单位", "实际"])]
        body = [f'<row r="{r}">' + text_cell(f"A{r}", str(r)) + text_cell(f"B{r}", f"用户数{sheet}-{r}")
                + text_cell(f"C{r}", unit) + f'<c r="D{r}"><v>{r}</v></c></row>'
                for r, unit in zip(range(2, 8), ["个", "万元", "次", "个", "%", "户"])]
        return '<row r="1">' + "".join(head) + "</row>" + "".join(body)
    return write_zip(path, package([(f"月报{i}", sheet_xml(rows(i))) for i in range(1, 4)]))


def organisations(path: Path) -> Path:
    """A roster of projects by office: its 单位 column names organisations (市财政局 …), neither a
    unit of measure nor a county. 单位 and 项目名称 alone must not make it a half-recognised return."""
    head = [text_cell(f"{c}1", h) for c, h in zip("ABC", ["单位", "项目名称", "负责人"])]
    body = [f'<row r="{i}">' + text_cell(f"A{i}", office) + text_cell(f"B{i}", f"课题{i}") + text_cell(f"C{i}", "张三")
            + "</row>" for i, office in enumerate(["市财政局", "市教育局", "市卫健委"], start=2)]
    return write_zip(path, package([("Sheet1", sheet_xml('<row r="1">' + "".join(head) + "</row>" + "".join(body)))]))


def incomplete_on_three_sheets(path: Path) -> Path:
    """R07 without its 已支出 column, the same table on three sheets: the hint names R07 once."""
    def rows() -> str:
        head = [text_cell(f"{c}1", h) for c, h in zip("ABC", ["县(市、区)", "项目名称", "债券资金(万元)"])]
        body = [f'<row r="{i}">' + text_cell(f"A{i}", u) + text_cell(f"B{i}", f"专项债{i}") + f'<c r="C{i}"><v>100</v></c></row>'
                for i, u in enumerate(UNITS, start=2)]
        return '<row r="1">' + "".join(head) + "</row>" + "".join(body)
    return write_zip(path, package([(f"S{i}", sheet_xml(rows())) for i in range(1, 4)]))


def no_unit_column(path: Path) -> Path:
    """R05's table without its county column: it matches no return, and R05 is named as the closest,
    with the headers it expects."""
    rows = "".join(f'<row r="{i}">' + "".join(text_cell(f"{c}{i}", v) for c, v in zip("ABC", values)) + "</row>"
                   for i, values in enumerate([R05_HEADERS[1:4], ["重点1", "省重点", "100"]], start=1))
    return write_zip(path, package([("Sheet1", sheet_xml(rows))]))


def docx_package(path: Path) -> Path:
    """A Word document (its _rels/.rels names word/document.xml) sent as .xlsx."""
    rels = (f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="word/document.xml"/></Relationships>')
    return write_zip(path, {"[Content_Types].xml": b"<Types/>", "_rels/.rels": rels.encode(),
                            "word/document.xml": b'<w:document xmlns:w="urn:w"/>'})


def fixtures() -> dict[str, Callable[[Path], Path]]:
    return {
        "backslash-names.xlsx": backslash_names, "workbook-elsewhere.xlsx": workbook_elsewhere,
        "binary-parts.xlsx": binary_parts, "short-last-sector.xls": short_last_sector,
        "unit-as-danwei.xlsx": unit_as_danwei, "crc-damage.xlsx": crc_damage, "size-damage.xlsx": size_damage,
        "shared-string-out-of-range.xlsx": shared_string_out_of_range, "macro-sheet.xlsm": macro_sheet,
        "excel2.xls": bare_biff(2), "excel3.xls": bare_biff(3), "excel4.xls": bare_biff(4),
        "four-corners.xls": four_corners_xls, "excel95-gbk.xls": excel95(936), "excel95-big5.xls": excel95(950),
        "measure-units.xlsx": measure_units, "organisations.xlsx": organisations, "incomplete-on-three-sheets.xlsx": incomplete_on_three_sheets,
        "no-unit-column.xlsx": no_unit_column, "docx-package.xlsx": docx_package,
    }


def build_all(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: build(folder / name) for name, build in fixtures().items()}


if __name__ == "__main__":
    for name, p in build_all(Path(sys.argv[1])).items():
        print(f"{p.stat().st_size:>10,}  {name}")
