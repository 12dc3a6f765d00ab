"""Untrusted input (SECURITY.md): no file can hang, crash, exhaust, leak or inject.

Every hostile fixture is built by tests/hostile.py and checked through the real command line,
`python -m sbsk.cli check FILE`: one clear Chinese rejection, exit status 1, no traceback, seconds
not minutes, bounded memory, and never a byte of the secret file the XML attacks reach for.
Files that only look dangerous (formula-like text, extreme numbers) load, and what we publish
from them holds no formula. Expected messages are written out by hand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

import hostile
from builders import baseline, write_quarter
from conftest import evaluate, query
from sbsk.schemas import load_returns
from sbsk.intake.errors import FileRejected
from sbsk.intake.guard import cells, formulas
from sbsk.intake.guard.inspection import inspect
from sbsk.intake.guard.limits import LIMITS, Limits
from sbsk.outputs.bulletin import write_quarter_bulletin
from sbsk.intake.discover import discover
from sbsk.pipeline import open_published
from sbsk.outputs.return_writer import write_plain
from sbsk.outputs.validation_report import write_validation_report
from sbsk.text import excel_text, printable, safe_component

# A hang is a check still running after this: measure() kills it, its status is -9 and every test of
# it fails. No tighter bound on seconds: the suite runs beside others on 2 cores (20 s was exceeded at
# load 10 by checks that take 2 s idle); how long a check takes is bench/fixed_cost.py's business.
HANG_SECONDS = 90     # the suite caps the sandboxed parse at 30 s (conftest PARSE_SECONDS)
PEAK_RSS_MB = 600     # the check process or its trial-parse child, whichever is larger
Q = "2020Q3"

# fixture → the message fragment its rejection must carry (hand-written)
REJECTED = {
    "zipbomb-part.xlsx": "文件疑似压缩炸弹：部件 xl/sharedStrings.xml 解压后为1,024.0 MB，超过单个部件上限50.0 MB",
    "zipbomb-total.xlsx": "文件疑似压缩炸弹：解压后总大小为240.0 MB，超过上限200.0 MB",
    "zipbomb-ratio.xlsx": "超过上限500:1",
    "zipbomb-lying.xlsx": "部件 xl/worksheets/sheet1.xml 实际解压后远超其声明的4,096 字节（文件被篡改）",
    "zipbomb-overlap.xlsx": "部件 xl/worksheets/sheet1.xml 与 xl/worksheets/sheet2.xml 共用同一段压缩数据",
    # about 4 MB of XML: a big sheet, so its parsed area (100,001 rows × 10 columns) is what is refused
    "cells-over-limit.xlsx": "工作表「Sheet1」的数据区域为100,001行×10列（1,000,010个单元格），超过上限1,000,000个",
    "cells-across-sheets.xlsx": "工作簿各工作表的数据区域合计2,100,000个单元格，超过上限2,000,000个",
    "far-cell.xlsx": "工作表「Sheet1」的数据区域为1,048,576行×16,384列（17,179,869,184个单元格），超过上限1,000,000个",
    "disguised-sheet.xlsx": "工作表「Sheet1」的数据区域为1,048,576行×16,384列（17,179,869,184个单元格），超过上限1,000,000个",
    "xxe-sheet.xlsx": "文件的 xl/worksheets/sheet1.xml 含有XML文档类型定义（DOCTYPE/ENTITY）",
    "xxe-sharedStrings.xlsx": "文件的 xl/sharedStrings.xml 含有XML文档类型定义（DOCTYPE/ENTITY）",
    "xxe-workbook.xlsx": "文件的 xl/workbook.xml 含有XML文档类型定义（DOCTYPE/ENTITY）",
    "xxe-styles.xlsx": "文件的 xl/styles.xml 含有XML文档类型定义（DOCTYPE/ENTITY）",
    "xxe-content-types.xlsx": "文件的 [Content_Types].xml 含有XML文档类型定义（DOCTYPE/ENTITY）",
    "xxe-utf16.xlsx": "文件的 xl/worksheets/sheet1.xml 含有XML文档类型定义（DOCTYPE/ENTITY）",
    "laughs-sheet.xlsx": "文件的 xl/worksheets/sheet1.xml 含有XML文档类型定义（DOCTYPE/ENTITY）",
    "laughs-sharedStrings.xlsx": "文件的 xl/sharedStrings.xml 含有XML文档类型定义（DOCTYPE/ENTITY）",
    "laughs-workbook.xlsx": "文件的 xl/workbook.xml 含有XML文档类型定义（DOCTYPE/ENTITY）",
    "laughs-styles.xlsx": "文件的 xl/styles.xml 含有XML文档类型定义（DOCTYPE/ENTITY）",
    "text.xlsx": "文件实际是文本文件（如CSV或TXT），不是Excel工作簿",
    "pdf.xlsx": "文件实际是PDF文档，不是Excel工作簿",
    "html.xls": "文件实际是网页（HTML）格式，不是真正的Excel工作簿",
    "truncated.xlsx": "文件不完整或已损坏（可能在下载或拷贝时被截断）",
    "empty.xlsx": "文件是空的（0字节），请重新报送",
    "empty-workbook.xlsx": "工作簿是空的，没有任何数据，请填写后重新报送",
    "docx.xlsx": "压缩包中没有Excel工作簿，文件可能是Word、PowerPoint文档",
    "encrypted.xlsx": "文件已加密，请去除密码后重新报送",
    "encrypted.xls": "文件已加密，请去除密码后重新报送",
    "wps.et": "文件是WPS表格格式（.et），请在WPS中“另存为”Excel工作簿（.xlsx）后重新报送",
    "xls-named.xlsx": "文件扩展名是.xlsx，但内容是旧版Excel 97-2003（.xls）或WPS表格（.et）格式",
    "dimension-lie.xls": "读取该文件需要超过1,024.0 MB内存，文件结构异常（疑似恶意文件），已拒绝读取",
    "dimension-inverted.xls": "读取该文件需要超过1,024.0 MB内存，文件结构异常（疑似恶意文件），已拒绝读取",
    "panic.xls": "文件已损坏，无法解析，请在Excel中打开并“另存为”Excel工作簿（.xlsx）后重新报送",
    "sheets-300.xlsx": "工作簿有300个工作表，超过上限255个",
    "sheets-5000.xlsx": "文件疑似压缩炸弹：压缩包内有5,006个部件，超过上限2,000个",
}
# fixtures that look hostile but hold a valid R05 return: they load, all nine rows
LOADS = ["dimension-lie.xlsx", "merged-all.xlsx", "dimension-tall.xls", "formula-cached.xlsx", "valid.xls",
         "sheet-name-traversal.xlsx"]


# ---- fixtures ----
@pytest.fixture(scope="session")
def secret(tmp_path_factory) -> tuple[Path, str]:
    """A local file that must never show up anywhere: the XML attacks point at it."""
    token = f"SBSK-SECRET-{os.urandom(12).hex()}"
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(token + "\n")
    return path, token


@pytest.fixture(scope="session")
def built(tmp_path_factory, secret) -> dict[str, Path]:
    # under <quarter>/<owner of R05>/ so that a file that loads is judged for 2020 and its sender is right
    folder = tmp_path_factory.mktemp("hostile") / Q / "zdxmb"
    return hostile.build_all(folder, secret[0])


@pytest.fixture(scope="session")
def checked(built) -> dict[str, dict]:
    """`sbsk check` on every fixture, four at a time."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = pool.map(lambda item: (item[0], hostile.measure(item[1], timeout=HANG_SECONDS)), built.items())
        return dict(runs)


def _no_leak(text: str, token: str) -> None:
    assert token not in text
    assert "SBSK-SECRET" not in text


# ---- 1, 2, 4, 5: every hostile file gets one clear rejection from `sbsk check` ----
@pytest.mark.parametrize("name", sorted(REJECTED))
def test_check_rejects_with_a_clear_message(name, checked, built, secret):
    run = checked[name]
    assert run["status"] == 1, run["stdout"] + run["stderr"]
    assert REJECTED[name] in run["stdout"]
    assert f"{built[name]}：" in run["stdout"]           # the message names the file
    assert "Traceback" not in run["stderr"] and "panicked" not in run["stderr"]
    assert run["rss_mb"] < PEAK_RSS_MB
    _no_leak(run["stdout"] + run["stderr"], secret[1])


@pytest.mark.parametrize("name", LOADS)
def test_files_that_only_look_dangerous_load(name, checked):
    run = checked[name]
    assert run["status"] == 0, run["stdout"] + run["stderr"]
    assert "R05 读取9 入库9 退回0 跳过0" in run["stdout"]
    assert "Traceback" not in run["stderr"]
    assert run["rss_mb"] < PEAK_RSS_MB


def test_every_fixture_is_covered(built):
    assert set(built) == set(REJECTED) | set(LOADS) | {"control-chars.xlsx", "long-text.xlsx"}


def test_check_of_the_whole_folder_as_json_never_leaks(built, secret):
    folder = next(iter(built.values())).parent
    done = subprocess.run([sys.executable, "-m", "sbsk.cli", "check", str(folder), "--json"], capture_output=True,
                          text=True, timeout=180, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    _no_leak(done.stdout + done.stderr, secret[1])
    verdicts = {Path(v["path"]).name: v for v in json.loads(done.stdout)}
    for name, fragment in REJECTED.items():
        if name.endswith(".et"):
            continue  # a folder scan takes .xlsx/.xlsm/.xls; discover() reports .et (test below)
        assert verdicts[name]["status"] == "rejected"
        assert fragment in verdicts[name]["errors"][0]["message"]
    for name in LOADS:
        assert verdicts[name]["status"] == "loaded" and verdicts[name]["rows_loaded"] == 9


# ---- 3: formulas in an input are read as their cached values, and the report can say so ----
def test_cached_formula_results_are_read_and_noted(built):
    assert formulas.formula_note(built["formula-cached.xlsx"], "Sheet1") == (
        "工作表「Sheet1」有2个单元格是公式（B3、E3），已按文件中保存的计算结果读取，公式本身不会被执行")
    assert formulas.formula_note(built["dimension-lie.xlsx"], "Sheet1") is None
    assert formulas.formula_flags(built["formula-cached.xlsx"], "Sheet1", "2020Q3/zdxmb/f.xlsx", "R05") == [{
        "unit_code": None, "return_code": "R05", "flag": "formula_value", "source_file": "2020Q3/zdxmb/f.xlsx",
        "sheet": "Sheet1", "row_number": None,
        "detail": "工作表「Sheet1」有2个单元格是公式（B3、E3），已按文件中保存的计算结果读取，公式本身不会被执行"}]


def test_reading_never_evaluates_a_formula(built):
    from sbsk.intake.reader import read_table

    table = read_table(built["formula-cached.xlsx"], load_returns())
    first = table.data.iloc[0]
    assert (first["project_name"], first["ytd_completed"]) == ("重点1", "50")


# ---- 3, 8: valid data that only looks dangerous loads, and what we publish holds no formula ----
FORMULA_LIKE = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR"]


def _formula_cells(path: Path) -> list[str]:
    wb = load_workbook(path)  # not data_only: a formula would show as data_type 'f'
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def _strings(path: Path) -> set[str]:
    wb = load_workbook(path)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def _publish_reports(out: Path) -> list[Path]:
    folder = out / Q
    folder.mkdir(parents=True, exist_ok=True)
    con = open_published(out)
    try:
        return [write_validation_report(con, Q, folder / f"validation-{Q}.xlsx"),
                write_quarter_bulletin(con, Q, folder / f"bulletin-{Q}.xlsx")]
    finally:
        con.close()


def test_formula_like_text_loads_and_is_published_as_text(dirs):
    raw, out = dirs
    data = baseline()
    for row, name in zip(data["R05"], FORMULA_LIKE):
        row["project_name"] = name
    data["R05"][0]["ytd_completed"] = 200       # over_plan: the name reaches the bulletin's flags
    data["R05"][6]["level"] = "=1+1"            # rejected: the value reaches the validation report
    data["R05"][7]["unit"] = "@林州市"
    write_quarter(raw, Q, data)
    assert evaluate(raw, out, Q)["status"] == "done"

    names = [r[0] for r in query(out, "select project_name from stg_key_project_investment where quarter = ? "
                                      "order by row_number", [Q])]
    assert names[:6] == ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "TAB", "CR"]
    assert query(out, "select value, message from rejected_rows where quarter = ? and return_code = 'R05' "
                      "order by row_number", [Q]) == [
        ("=1+1", "2020Q3/zdxmb/R05-key_project_investment.xlsx 工作表「Sheet1」第9行 C列「级别」："
                 "「=1+1」不在可选范围内，应为：省重点、市重点"),
        ("@林州市", "2020Q3/zdxmb/R05-key_project_investment.xlsx 工作表「Sheet1」第10行 A列「县(市、区)」："
                  "「@林州市」不是本年度考评的县(市、区)，请填写规范名称（如 林州市、汤阴县、龙安区）"),
    ]
    validation, bulletin = _publish_reports(out)
    for path in (validation, bulletin):
        assert _formula_cells(path) == []
    assert {"=1+1", "@林州市"} <= _strings(validation)
    assert any('项目「=HYPERLINK("http://x","y")」' in s for s in _strings(bulletin))


def test_hostile_values_are_rejected_with_a_message_or_loaded_exactly(dirs, built):
    raw, out = dirs
    data = baseline()
    r06 = data["R06"]
    for row, value in zip(r06, [1e308, "1e308", "NaN", float("nan"), "123456789012345678901234567890", "inf"]):
        row["allocated"] = value
    data["R03"][0]["project_count"] = "1e308"
    write_quarter(raw, Q, {k: v for k, v in data.items() if k != "R05"})
    (raw / Q / "zdxmb" / "R05.xlsx").write_bytes(built["long-text.xlsx"].read_bytes())
    assert evaluate(raw, out, Q)["status"] == "done"

    loaded = query(out, "select length(project_name), ytd_completed::double from stg_key_project_investment "
                        "where quarter = ? order by row_number limit 3", [Q])
    assert loaded == [(1 << 20, 50.0), (3, 0.0), (3, 0.0)]
    [(name,)] = query(out, "select project_name from stg_key_project_investment where quarter = ? "
                           "and row_number = 3", [Q])
    assert name == hostile.long_text(1 << 20)
    r03 = [m for (m,) in query(out, "select message from rejected_rows where quarter = ? and return_code = 'R03'",
                               [Q])]
    assert r03 and all("第3行" in m for m in r03) and "「1e308」数值过大" in r03[0]
    assert query(out, "select count(*) from stg_groundbreaking_events where quarter = ?", [Q]) == [(8,)]
    messages = [m.split("：", 1)[1] for (m,) in query(
        out, "select message from rejected_rows where quarter = ? and return_code = 'R06' order by row_number", [Q])]
    assert messages[0].endswith("数值过大，超出±1000000000万元，请核对金额单位（万元）")   # the float, written out in full
    assert messages[1:] == [
        "下达中央预算内资金(1e308)数值过大，超出±1000000000万元，请核对金额单位（万元）",
        "「NaN」不是数字",
        "必填项「下达中央预算内资金」为空",                               # openpyxl writes NaN as "nan"
        "下达中央预算内资金(123456789012345678901234567890)数值过大，超出±1000000000万元，请核对金额单位（万元）",
        "下达中央预算内资金(inf)数值过大，超出±1000000000万元，请核对金额单位（万元）",
    ]
    for path in _publish_reports(out):
        assert _formula_cells(path) == []


def test_control_characters_are_kept_as_data_but_never_break_or_drive_outputs(dirs, built):
    raw, out = dirs
    write_quarter(raw, Q, {k: v for k, v in baseline().items() if k != "R05"})
    target = raw / Q / "zdxmb" / "R05.xlsx"
    target.write_bytes(built["control-chars.xlsx"].read_bytes())
    assert evaluate(raw, out, Q)["status"] == "done"
    [(value,)] = query(out, "select value from rejected_rows where quarter = ? and return_code = 'R05'", [Q])
    assert value == "安阳县\x1b[2J\x1b]0;pwned\x07"
    validation, bulletin = _publish_reports(out)    # openpyxl refuses control characters: they are replaced
    assert "安阳县\ufffd[2J\ufffd]0;pwned\ufffd" in _strings(validation)
    assert _formula_cells(validation) == []


def test_annotated_copy_of_a_file_with_control_characters_is_a_valid_workbook(dirs, built):
    from sbsk.outputs.annotate import annotate

    raw, out = dirs
    write_quarter(raw, Q, {k: v for k, v in baseline().items() if k != "R05"})
    (raw / Q / "zdxmb" / "R05.xlsx").write_bytes(built["control-chars.xlsx"].read_bytes())
    [result] = [r for r in evaluate(raw, out, Q)["results"] if r.return_code == "R05"]
    copy = annotate(result, out / "annotated")
    assert _formula_cells(copy) == []  # loading it fails while a comment holds a raw control character


def test_check_output_carries_no_terminal_escape(checked):
    run = checked["control-chars.xlsx"]
    assert "\x1b" not in run["stdout"] and "\x07" not in run["stdout"]


# ---- 6: the wrong sender ----
def test_a_return_filed_by_a_department_that_does_not_own_it_is_rejected(dirs):
    raw, out = dirs
    data = baseline()
    write_quarter(raw, Q, data)
    stray = write_plain(raw / Q / "fgw" / "R05-key_project_investment.xlsx", load_returns().returns["R05"],
                        data["R05"][:1])
    res = evaluate(raw, out, Q)
    [result] = [r for r in res["results"] if r.source.rel == f"{Q}/fgw/R05-key_project_investment.xlsx"]
    assert result.status == "rejected"
    assert result.file_message == (f"{Q}/fgw/R05-key_project_investment.xlsx："
                                   "R05「省市重点项目投资进度」由市政府重点项目办负责报送，市发展改革委无权报送此表")
    done = subprocess.run([sys.executable, "-m", "sbsk.cli", "check", str(stray)], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 1 and "市发展改革委无权报送此表" in done.stdout and "Traceback" not in done.stderr


# ---- 7: path tricks ----
def test_a_link_out_of_the_raw_folder_is_refused_unread(dirs, secret):
    raw, out = dirs
    write_quarter(raw, Q, baseline())
    link = raw / Q / "czj" / "R07-extra.xlsx"
    link.symlink_to(secret[0])
    inside = raw / Q / "czj" / "R07-again.xlsx"
    inside.symlink_to(raw / Q / "czj" / "R07-special_bonds.xlsx")
    sources = {s.rel: s for s in discover(raw, Q, load_returns())}
    assert sources[f"{Q}/czj/R07-extra.xlsx"].refused == "文件是指向报送目录之外的链接（符号链接），已拒绝读取"
    assert sources[f"{Q}/czj/R07-again.xlsx"].refused is None   # a link inside the raw folder is just a file
    res = evaluate(raw, out, Q)
    [result] = [r for r in res["results"] if r.source.rel.endswith("R07-extra.xlsx")]
    assert result.status == "rejected"
    assert result.file_message == f"{Q}/czj/R07-extra.xlsx：文件是指向报送目录之外的链接（符号链接），已拒绝读取"
    _no_leak(_everything_in(out), secret[1])


def test_odd_file_names_are_refused_and_lookalikes_reported(dirs):
    raw, out = dirs
    write_quarter(raw, Q, baseline())
    folder = raw / Q / "zdxmb"
    for name in ("R05\x1b[2J.xlsx", "R05\u202egpj.xlsx", "R05\nnew.xlsx"):
        (folder / name).write_bytes(b"x")
    (folder / "R05.et").write_bytes(b"x")
    sources = {s.path.name: s for s in discover(raw, Q, load_returns())}
    for name in ("R05\x1b[2J.xlsx", "R05\u202egpj.xlsx", "R05\nnew.xlsx"):
        assert sources[name].refused == "文件名含有控制字符或不可见字符（如换行、文字方向控制符），请重命名后重新报送"
    assert sources["R05.et"].refused == "文件是WPS表格格式（.et），请在WPS中“另存为”Excel工作簿（.xlsx）后重新报送"
    res = evaluate(raw, out, Q)
    assert res["status"] == "done"
    _publish_reports(out)  # the odd names reach the validation report as text, without breaking it


def test_sheet_and_unit_names_never_become_paths(dirs, built, tmp_path):
    raw, out = dirs
    data = baseline()
    data["R06"][0]["unit"] = "../../../../tmp/evil"
    write_quarter(raw, Q, {k: v for k, v in data.items() if k != "R05"})
    (raw / Q / "zdxmb" / "R05.xlsx").write_bytes(built["sheet-name-traversal.xlsx"].read_bytes())
    before = {p for p in tmp_path.rglob("*")}
    assert evaluate(raw, out, Q)["status"] == "done"
    _publish_reports(out)
    created = {p for p in tmp_path.rglob("*")} - before
    assert created and all(p.is_relative_to(out) for p in created)
    assert query(out, "select sheet from source_files where quarter = ? and path like '%R05%'", [Q]) == \
        [("../../../evil",)]


def test_safe_component_makes_one_harmless_path_part():
    assert safe_component("../../etc/passwd") == "_.._etc_passwd"
    assert safe_component("/abs/path") == "_abs_path"
    assert safe_component("..") == "_"
    assert safe_component("林州市\x1b[2J") == "林州市[2J"
    assert safe_component("C:\\Windows\\evil") == "C__Windows_evil"
    assert safe_component("汤阴县") == "汤阴县"


# ---- the text we write and print ----
def test_excel_text_and_printable():
    assert excel_text("a\x01b\x0bc\td\ne") == "a\ufffdb\ufffdc\td\ne"
    assert excel_text("长" * 40_000) == "长" * 32_766 + "…"
    assert printable("安阳县\x1b[2J\x07") == "安阳县\\x1b[2J\\x07"
    assert printable("a\u202eb\nc\td") == "a\\u202eb\\x0ac\td"


# ---- guarantees for a quarter run ----
def _everything_in(out: Path) -> str:
    """Every text the outputs hold: database rows, every part of every workbook we wrote, and the
    raw archive's copies of the inputs as they are (unzipping those would inflate the bombs)."""
    texts = []
    con = duckdb.connect(str(out / "sbsk.duckdb"), read_only=True)
    try:
        for (table,) in con.execute("select table_name from information_schema.tables where table_schema = 'main'"
                                    ).fetchall():
            texts += [repr(row) for row in con.execute(f'select * from "{table}"').fetchall()]
    finally:
        con.close()
    for path in out.rglob("*"):
        if path.is_dir():
            continue
        if path.is_relative_to(out / "archive"):
            texts.append(path.read_bytes().decode("utf-8", "replace"))
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                texts += [zf.read(n).decode("utf-8", "replace") for n in zf.namelist()]
        elif path.suffix != ".duckdb":
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


def test_a_quarter_with_hostile_files_validates_the_rest_and_keeps_stored_results(dirs, built, secret):
    raw, out = dirs
    sent = {p.name for p in write_quarter(raw, Q, baseline())}
    assert evaluate(raw, out, Q)["status"] == "done"
    stored = query(out, "select * from quarter_results where quarter = ? order by unit_code", [Q])

    r05 = raw / Q / "zdxmb" / "R05-key_project_investment.xlsx"
    r05.unlink()                                            # the department "resends" R05 as a zip bomb
    (raw / Q / "zdxmb" / "R05.xlsx").write_bytes(built["zipbomb-part.xlsx"].read_bytes())
    for dept, name in (("fgw", "xxe-sharedStrings.xlsx"), ("tjj", "encrypted.xlsx"), ("czj", "laughs-styles.xlsx"),
                       ("swj", "dimension-lie.xls"), ("zwfw", "far-cell.xlsx")):
        (raw / Q / dept / name).write_bytes(built[name].read_bytes())
    res = evaluate(raw, out, Q)  # no hang: each parse is capped at 30 s in the suite (conftest)
    assert res["status"] == "failed" and res["missing"] == ["R05"]
    verdicts = {r.source.rel.split("/", 1)[1]: r for r in res["results"]}
    assert verdicts["zdxmb/R05.xlsx"].file_message.endswith("超过单个部件上限50.0 MB")
    assert verdicts["fgw/xxe-sharedStrings.xlsx"].file_message.endswith("可能是恶意文件，已拒绝读取")
    assert verdicts["tjj/encrypted.xlsx"].file_message.endswith("文件已加密，请去除密码后重新报送")
    assert verdicts["swj/dimension-lie.xls"].file_message.endswith("文件结构异常（疑似恶意文件），已拒绝读取")
    assert verdicts["zwfw/far-cell.xlsx"].file_message.endswith("请删除表格以外远处单元格中的内容后重新报送")
    others = [r for r in res["results"] if r.source.path.name in sent]
    assert len(others) == 10 and all(r.status == "loaded" and r.rows_loaded == 9 for r in others)
    # a failed run changes no stored result
    assert query(out, "select * from quarter_results where quarter = ? order by unit_code", [Q]) == stored
    _no_leak(_everything_in(out), secret[1])


def test_limits_are_what_security_md_says():
    doc = (Path(__file__).resolve().parents[1] / "SECURITY.md").read_text(encoding="utf-8")
    for figure in ("512 MB", "1,024 MB", "2,048 MB", "500:1", "2,000", "255", "16,000,000", "32,000,000",
                   "120 s", "8 GB", "20 MB", "50 MB", "200 MB", "1,000,000", "2,000,000", "30 s", "1 GB"):
        assert figure in doc
    d = Limits()
    assert (d.max_file_bytes, d.max_part_bytes, d.max_total_bytes) == (512 << 20, 1024 << 20, 2048 << 20)
    assert (d.max_ratio, d.max_entries, d.max_sheets, d.max_cells, d.max_book_cells) == \
        (500, 2000, 255, 16_000_000, 32_000_000)
    assert (d.parse_seconds, d.parse_memory) == (120, 8 << 30)
    # the suite itself runs at the tight figures (tests/conftest.py)
    s = LIMITS
    assert (s.max_file_bytes, s.max_part_bytes, s.max_total_bytes) == (20 << 20, 50 << 20, 200 << 20)
    assert (s.max_cells, s.max_book_cells, s.parse_seconds, s.parse_memory) == \
        (1_000_000, 2_000_000, 30, 1 << 30)

# ---- big sheets are decompressed once, in steps, inside the sandboxed child (sbsk/intake/guard/) ----
# fixtures whose attack sits in a worksheet part: the streamed check must refuse them in the same words
# (not the cell counts: a big sheet's cells are bounded by the area the capped parse measures)
STREAMED = ["zipbomb-lying.xlsx", "xxe-sheet.xlsx", "xxe-utf16.xlsx", "laughs-sheet.xlsx"]


@pytest.mark.parametrize("name", STREAMED)
def test_a_streamed_sheet_is_refused_in_the_same_words(name, built):
    with pytest.raises(FileRejected) as caught:
        inspect(built[name], replace(LIMITS, exact_scan_bytes=0))  # every sheet takes the big-sheet path
    assert REJECTED[name] in caught.value.message


def test_a_streamed_sheet_too_big_is_refused_by_the_capped_parse(built):
    with pytest.raises(FileRejected) as caught:
        inspect(built["far-cell.xlsx"], replace(LIMITS, exact_scan_bytes=0))
    assert caught.value.message == "读取该文件需要超过1,024.0 MB内存，文件结构异常（疑似恶意文件），已拒绝读取"


def test_a_small_sheet_is_refused_by_its_counted_cells():
    row = '<row r="{r}"><c r="A{r}"><v>1</v></c><c r="B{r}"><v>2</v></c></row>'
    xml = ("<worksheet><sheetData>" + "".join(row.format(r=r) for r in (1, 2, 3)) + "</sheetData></worksheet>").encode()
    with pytest.raises(FileRejected) as caught:  # six cells, one over
        cells.scan_sheet("Sheet1", "xl/worksheets/sheet1.xml", xml, replace(LIMITS, max_cells=5))
    assert caught.value.message == "工作表「Sheet1」的单元格超过5个上限，已拒绝读取"


def test_a_streamed_sheet_loads_what_the_exact_scan_loads(built):
    exact = inspect(built["merged-all.xlsx"])
    streamed = inspect(built["merged-all.xlsx"], replace(LIMITS, exact_scan_bytes=0))
    assert [s.cells for s in streamed.sheets] == [None] * len(exact.sheets)
    assert {n: t.equals(streamed.grids[n][0]) for n, (t, _) in exact.grids.items()} == {n: True for n in exact.grids}


def _pieces(data: bytes, step: int) -> list[bytes]:
    return [data[i:i + step] for i in range(0, len(data), step)]


def test_stream_scan_finds_a_dtd_split_between_steps():
    xml = b'<?xml version="1.0"?><!DOCTYPE x><worksheet><sheetData/></worksheet>'  # one marker, split anywhere
    splits = [_pieces(xml, step) for step in range(1, len(xml) + 1)] + [[xml[:i], xml[i:]] for i in range(1, len(xml))]
    for pieces in splits:
        with pytest.raises(FileRejected, match="含有XML文档类型定义"):
            cells.stream_scan("S", "xl/worksheets/sheet1.xml", iter(pieces), LIMITS)
