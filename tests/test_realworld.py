"""Real spreadsheets get the right verdict (issue 17): each class the public corpus showed
(corpus/manifest.toml, `make corpus`), as the smallest fixture tests/realworld.py builds. Readable
files load; damaged, foreign and unreadable ones are told what they are and what to do, in words a
clerk can act on. Expected messages are written out by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import realworld
from sbsk.intake import sandbox
from sbsk.intake.check import check_paths
from sbsk.intake.errors import FileRejected
from sbsk.intake.guard import biff
from sbsk.intake.guard.inspection import inspect
from sbsk.intake.guard.limits import Limits
from hostile import cfb
from sbsk.intake.guard.refusals import parse_failure

EXCEPTION_NAME = re.compile(r"[A-Za-z]*(?:Error|Exception|Panic)\b")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    return realworld.build_all(tmp_path_factory.mktemp("realworld"))


@pytest.fixture(scope="module")
def verdicts(built) -> dict[str, dict]:
    return {Path(v["path"]).name: v for v in check_paths(list(built.values()), year=2020)}


def _message(v: dict) -> str:
    (err,) = v["errors"]
    return err["message"].split("：", 1)[1]


@pytest.mark.parametrize("name", ["backslash-names.xlsx", "workbook-elsewhere.xlsx", "binary-parts.xlsx",
                                  "short-last-sector.xls", "unit-as-danwei.xlsx"])
def test_readable_workbooks_load(name, verdicts):
    """Part names with backslashes, the workbook found through _rels/.rels, binary parts that are no
    XML, an .xls not ending on a 512-byte boundary, the county column headed 单位: all nine rows load."""
    v = verdicts[name]
    assert (v["status"], v["return_code"], v["rows_loaded"], v["rows_rejected"]) == ("loaded", "R05", 9, 0), v["errors"]


# fixture → (fragment its one message must carry, fragment it must not)
REFUSED = {
    "crc-damage.xlsx": ("文件已损坏：部件 xl/worksheets/sheet1.xml 的内容与压缩包记录的校验值（CRC）或大小不符"
                        "（这是传输或存储造成的损坏，不是恶意文件）", "炸弹"),
    "size-damage.xlsx": ("文件已损坏：部件 xl/worksheets/sheet1.xml 的内容与压缩包记录的校验值（CRC）或大小不符", "炸弹"),
    "shared-string-out-of-range.xlsx": ("文件虽是Excel工作簿（.xlsx），但内部结构有误，无法解析（文件可能已损坏，或由不规范的"
                                        "软件导出）；请在Excel或WPS中打开，确认内容无误后“另存为”Excel工作簿（.xlsx）再报送",
                                        "Calamine"),
    "macro-sheet.xlsm": ("工作簿含有Excel 4.0宏表（xl/macrosheets/sheet1.xml），本系统无法读取；请删除宏表", "Calamine"),
    "excel2.xls": ("文件是Excel 2.x格式（上世纪90年代的旧版Excel文件），本系统无法读取；请在Excel或WPS中打开，"
                   "“另存为”Excel工作簿（.xlsx）后重新报送", "不是Excel工作簿"),
    "excel3.xls": ("文件是Excel 3.0格式", "不是Excel工作簿"),
    "excel4.xls": ("文件是Excel 4.0格式", "不是Excel工作簿"),
    # Excel 5.0/95 text in a double-byte code page: said as what it is, not as a file with no header
    "excel95-gbk.xls": ("文件是Excel 5.0/95格式（上世纪90年代的旧版Excel文件），其中的中文文字（代码页936）本系统无法正确读取；"
                        "请在Excel或WPS中打开，“另存为”Excel工作簿（.xlsx）后重新报送", "未找到可识别的表头行"),
    "excel95-big5.xls": ("其中的繁体中文文字（代码页950）本系统无法正确读取", "未找到可识别的表头行"),
    # at the suite's limit (1,000,000 cells); the default limit is tested below
    "four-corners.xls": ("工作表「Sheet1」的数据区域为65,536行×256列（16,777,216个单元格），超过上限1,000,000个", "内存"),
    "docx-package.xlsx": ("文件实际是Word文档（.docx），不是Excel工作簿，请报送Excel工作簿（.xlsx）", "工作簿是空的"),
    # the 单位 column holds 个, 万元 …: a unit of measure, so nothing but 指标代码 matches R10
    "measure-units.xlsx": ("未找到可识别的表头行：文件不符合任何一张报表。最接近的是R10「专班评分」（工作表「月报1」第1行只有：指标），"
                           "该表的表头应为：县(市、区)、指标、得分；请使用下发模板", "表头不完整"),
    # 单位 + 项目名称 only: the unit column does not count towards recognising a return
    "organisations.xlsx": ("未找到可识别的表头行：文件不符合任何一张报表。最接近的是", "表头不完整"),
    "incomplete-on-three-sheets.xlsx": ("表头不完整，无法识别为任何报表。最接近的是：R07「地方政府专项债券项目」（工作表「S1」第1行）"
                                        "缺少列：已支出(万元)。请补齐表头", "；R07"),
    "no-unit-column.xlsx": ("最接近的是：R05「省市重点项目投资进度」（工作表「Sheet1」第1行）缺少列：县(市、区)、本年累计完成投资(万元)",
                            "未找到"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_the_right_diagnosis(name, verdicts):
    v = verdicts[name]
    assert v["status"] == "rejected" and v["rows_loaded"] == 0, v
    message = _message(v)
    wanted, unwanted = REFUSED[name]
    assert wanted in message, message
    assert unwanted not in message, message
    assert not EXCEPTION_NAME.search(message), message
    assert "请" in message, message  # every refusal says what to do


def test_every_fixture_is_covered(built):
    assert set(built) == set(REFUSED) | {"backslash-names.xlsx", "workbook-elsewhere.xlsx", "binary-parts.xlsx",
                                         "short-last-sector.xls", "unit-as-danwei.xlsx"}


def test_the_four_corners_are_refused_from_the_cell_records_before_any_parse(built, monkeypatch):
    """At the province-sized default limit (16,000,000 cells) too, and without the parser ever being
    asked: the legacy parser would allocate the whole span (1.6 GB in the corpus's 41 KB file)."""
    stream_areas = biff.used_areas(_workbook_stream(built["four-corners.xls"]))
    assert stream_areas == [("Sheet1", 65536, 256)]

    def no_parse(*args, **kwargs):
        raise AssertionError("the parser was asked")

    monkeypatch.setattr(sandbox, "ask", no_parse)
    with pytest.raises(FileRejected) as refused:
        inspect(built["four-corners.xls"], Limits())
    assert "65,536行×256列（16,777,216个单元格），超过上限16,000,000个" in refused.value.message


def test_cell_records_measure_the_span_a_reader_allocates(tmp_path):
    """Row and column from every value record (MULRK by its last column); empty formatted cells
    (BLANK, MULBLANK) and a formula's string result (STRING, no position) do not count."""
    from hostile import biff_workbook, record
    import struct

    stream = biff_workbook([["a", 1], ["b", 2]])
    eof = record(0x000A)
    extra = (record(0x00BD, struct.pack("<HH", 9, 2) + b"\x00" * 12 + struct.pack("<H", 4))  # MULRK row 10, cols 3–5
             + record(0x0201, struct.pack("<HHH", 5000, 200, 0))                              # BLANK far away
             + record(0x00BE, struct.pack("<HHHH", 6000, 0, 0, 250))                          # MULBLANK
             + record(0x0207, b"\x01\x00x"))                                                  # STRING
    assert biff.used_areas(stream[:-len(eof)] + extra + eof) == [("Sheet1", 10, 5)]


def test_a_file_the_parser_refused_is_never_parsed_again(built, monkeypatch):
    """The sandboxed parse met the parser's refusal: the run itself does not parse the file a second
    time (outside the sandbox) to find out again."""
    import fastexcel

    calls = []
    monkeypatch.setattr(fastexcel, "read_excel", lambda *a, **k: calls.append(a) or (_ for _ in ()).throw(OSError()))
    (v,) = check_paths([built["shared-string-out-of-range.xlsx"]], year=2020)
    assert "内部结构有误，无法解析" in _message(v) and calls == []


def test_an_excel95_file_in_a_single_byte_code_page_is_still_read(tmp_path):
    """Only double-byte text is garbled: an Excel 5.0/95 file in Western European (1252) is read, é and all."""
    import fastexcel

    path = tmp_path / "excel95-latin.xls"
    path.write_bytes(cfb({"Book": realworld.biff5_workbook([["café", "x"], [1, 2]], 1252)}))
    assert inspect(path, Limits()).biff == 5
    assert fastexcel.read_excel(str(path)).load_sheet(0, header_row=None).to_pandas().iloc[0, 0] == "café"


def test_parser_refusals_name_the_format(tmp_path):
    detail = "calamine error: Xls error: End of stream 'record length'"
    assert parse_failure(detail, "xls", 5).startswith("文件虽是Excel 5.0/95工作簿，但内部结构有误，无法解析")
    assert parse_failure(detail, "xls", 8).startswith("文件虽是Excel 97-2003工作簿（.xls），但内部结构有误")
    assert parse_failure("Workbook is password protected", "xls", 8) == "文件已加密，请去除密码后重新报送"


def _workbook_stream(path: Path) -> bytes:
    from sbsk.intake.guard.ole import ole_read, ole_streams

    data = path.read_bytes()
    streams = ole_streams(data)
    return ole_read(data, streams, "Workbook", streams["Workbook"][2])
