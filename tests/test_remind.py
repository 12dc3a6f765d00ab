"""`sbsk status PERIOD` and `sbsk remind PERIOD` through the real command line (SPEC §8, §12), and the
contacts file they read. The raw folder is tests/submission_cases.py's 2020Q3: R07 never sent, R06
garbled, R09 with one bad row, R04 sent twice for 林州市, every receipt time set by hand."""

from __future__ import annotations

import json
from collections import Counter
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from builders import baseline, reference_set, write_quarter
from conftest import evaluate
from submission_cases import at, touch, write_q3
from sbsk.config.departments import DepartmentsError, load_departments
from sbsk.schemas import load_returns

SBSK = [sys.executable, "-m", "sbsk.cli"]
CONTACTS = """department,name,contact,phone
fgw,市发展改革委,王建国,0372-5101234
czj,市财政局,李红,0372-5102345
tjj,统计局,赵敏,0372-5103456
swj,市商务局,孙立,0372-5104567
zwfw,市政务服务和大数据局,周伟,0372-5105678 转 801
zdxmb,市政府重点项目办,,
"""


def sbsk(*args, raw: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*SBSK, *args, "--raw-dir", str(raw), "--out-dir", str(out)], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def q3(dirs, tmp_path):
    raw, out = dirs
    write_q3(raw)
    contacts = tmp_path / "departments.csv"
    contacts.write_text(CONTACTS, encoding="utf-8")
    return raw, out, contacts


def _states(status: dict) -> dict:
    return {(s["department"], s["return_code"]): (s["state"], s["received_at"], s["working_days_late"])
            for s in status["submissions"]}


def test_status_of_a_period_before_and_after_its_run(q3):
    raw, out, _ = q3
    done = sbsk("status", "2020Q3", "--json", raw=raw, out=out)
    assert done.returncode == 0, done.stderr
    before = json.loads(done.stdout)
    assert (before["period"], before["due_on"]) == ("2020Q3", "2020-10-14")
    states = _states(before)
    # nothing evaluated yet: every file is 已报, attributed without reading it
    assert states[("fgw", "R06")] == ("已报", "2020-10-15T00:10:00+08:00", 1)
    assert states[("tjj", "R04")] == ("已报", "2020-10-16T10:00:00+08:00", 2)
    assert states[("czj", "R07")][0] == "未报"
    assert {s for s, _, _ in states.values()} == {"已报", "未报"}

    evaluate(raw, out, "2020Q3", continue_on_missing=True)
    states = _states(json.loads(sbsk("status", "2020Q3", "--json", raw=raw, out=out).stdout))
    assert states[("fgw", "R01")] == ("已入库", "2020-10-14T23:30:00+08:00", 0)
    assert states[("fgw", "R06")] == ("整表退回", "2020-10-15T00:10:00+08:00", 1)
    assert states[("fgw", "R08")] == ("已入库", "2020-10-20T10:00:00+08:00", 4)
    assert states[("tjj", "R04")] == ("部分退回", "2020-10-16T10:00:00+08:00", 2)
    assert states[("zwfw", "R09")] == ("部分退回", "2020-10-09T15:00:00+08:00", 0)
    state, received, late = states[("czj", "R07")]
    # overdue from 2020-10-15 to today: more than six years of working days (unknown past the calendar)
    assert (state, received) == ("未报", None) and (late is None or late > 1400)

    # corrections arrive: a new R09 at the same path, R07 under any name, an unnamed file at fgw
    rows = baseline()
    write_quarter(raw, "2020Q3", {"R09": rows["R09"]})
    touch(raw / "2020Q3" / "zwfw" / "R09-joint_approvals.xlsx", at(2020, 10, 22, 9, 0))
    write_quarter(raw, "2020Q3", {"R07": rows["R07"]})
    (raw / "2020Q3" / "czj" / "R07-special_bonds.xlsx").rename(raw / "2020Q3" / "czj" / "专项债.xlsx")
    touch(raw / "2020Q3" / "czj" / "专项债.xlsx", at(2020, 10, 15, 16, 0))
    (raw / "2020Q3" / "fgw" / "新建 XLSX 工作表.xlsx").write_bytes(b"PK")
    touch(raw / "2020Q3" / "fgw" / "新建 XLSX 工作表.xlsx", at(2020, 10, 21, 9, 0))
    done = sbsk("status", "2020Q3", "--json", raw=raw, out=out)
    status = json.loads(done.stdout)
    states = _states(status)
    assert states[("zwfw", "R09")] == ("已报", "2020-10-22T09:00:00+08:00", 6)   # 15, 16, 19, 20, 21, 22
    assert states[("czj", "R07")] == ("已报", "2020-10-15T16:00:00+08:00", 1)
    assert states[("fgw", "R01")][0] == "已入库"                                   # unchanged: kept its verdict
    assert status["other_files"] == [{"path": "2020Q3/fgw/新建 XLSX 工作表.xlsx", "department": "fgw",
                                      "return_code": None, "state": "已报",
                                      "received_at": "2020-10-21T09:00:00+08:00",
                                      "detail": "尚未识别（运行后确定是哪张报表）"}]
    text = sbsk("status", "2020Q3", raw=raw, out=out)
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert lines[0].startswith("2020Q3 报送情况：截止 2020-10-14（季末后第5个工作日）；共 11 张报表：")
    r04 = next(line for line in lines if "R04" in line).split()
    assert r04 == ["市统计局", "R04", "亿元以上项目", "部分退回", "2020-10-16", "10:00", "2", "1"]
    assert "  2020Q3/fgw/新建 XLSX 工作表.xlsx  已报：尚未识别（运行后确定是哪张报表）" in lines


def test_status_usage_and_the_year_view(q3):
    raw, out, _ = q3
    for bad in ("2020Q5", "2020-13", "20"):
        done = sbsk("status", bad, raw=raw, out=out)
        assert done.returncode == 2 and "not a" in done.stderr
    year = json.loads(sbsk("status", "2020", "--json", raw=raw, out=out).stdout)
    assert [q["due_on"] for q in year["quarters"]] == ["2020-04-08", "2020-07-07", "2020-10-14", "2021-01-08"]
    month = json.loads(sbsk("status", "2020-09", "--json", raw=raw, out=out).stdout)
    # a month: the 3rd working day after 09-30 is 10-12 (10-09, Sat 10-10, 10-12); no returns under 2020-09/
    assert (month["due_on"], len(month["submissions"])) == ("2020-10-12", 10)
    assert {s["state"] for s in month["submissions"]} == {"未报"}


def _sheet(book, name) -> list[list]:
    return [[c for c in row] for row in book[name].iter_rows(values_only=True)]


def _find(rows, first) -> list:
    return next(r for r in rows if r[0] == first)


def test_remind_writes_the_cuibaodan(q3):
    raw, out, contacts = q3
    done = sbsk("remind", "2020Q3", "--departments", str(contacts), raw=raw, out=out)
    assert done.returncode == 1, done.stderr                    # something is missing or rejected (§8)
    path = out / "2020Q3" / "remind-2020Q3.xlsx"
    assert done.stdout.strip() == str(path)
    book = load_workbook(path)
    # a sheet per department with something outstanding; swj and zdxmb have everything in
    assert book.sheetnames == ["汇总", "市发展改革委", "市财政局", "市统计局", "市政务服务和大数据局"]

    summary = _sheet(book, "汇总")
    assert summary[1][0].startswith("报送截止：2020年10月14日（季末后第5个工作日）")
    assert _find(summary, "市发展改革委")[:10] == ["市发展改革委", "王建国", "0372-5101234", 3, 2, 0, 1, 0, 1, 4]
    assert _find(summary, "市政府重点项目办")[:10] == ["市政府重点项目办", None, None, 4, 4, 0, 0, 0, 0, 0]

    fgw = _sheet(book, "市发展改革委")
    assert fgw[1][0] == "致：市发展改革委　联系人：王建国　联系电话：0372-5101234"
    r06 = _find(fgw, "R06 中央预算内投资项目")
    assert r06[1:6] == ["2020Q3/fgw/R06-central_budget.xlsx", "整表退回", 1, "2020-10-15 00:10", "2020年10月14日"]
    r08 = _find(fgw, "R08 补短板\"982\"工程项目")
    assert r08[2:4] == ["已入库", 4]
    fix = [r for r in fgw if r[1] == "2020Q3/fgw/R06-central_budget.xlsx" and r[5] == "（整个文件）"]
    assert len(fix) == 1 and fix[0][0] == "R06 中央预算内投资项目" and fix[0][3] is None
    assert fix[0][6].startswith("文件实际是文本文件") and "2020Q3/fgw" not in fix[0][6]   # file has its own column

    czj = _sheet(book, "市财政局")
    r07 = _find(czj, "R07 地方政府专项债券项目")
    assert r07[1:3] == ["（无）", "未报"] and r07[6].startswith("尚未报送，已逾期")

    zwfw = _sheet(book, "市政务服务和大数据局")
    assert zwfw[1][0] == "致：市政务服务和大数据局　联系人：周伟　联系电话：0372-5105678 转 801"
    row = next(r for r in zwfw if r[1] == "2020Q3/zwfw/R09-joint_approvals.xlsx" and r[3] == 4)
    # the second unit's row (Excel row 4: title, header, then data), named by its key fields
    assert row == ["R09 联审联批事项", "2020Q3/zwfw/R09-joint_approvals.xlsx", "Sheet1", 4, "安阳县",
                   "项目名称：审批2；审批事项：施工许可", "F列「办结日期」：办结日期(2020-06-20)早于受理日期(2020-07-01)"]

    tjj = _sheet(book, "市统计局")
    fix = next(r for r in tjj if r[1] == "2020Q3/tjj/R04-补报.xlsx")
    assert fix[5] == "（整个文件）" and fix[6].startswith("与 2020Q3/tjj/R04-major_projects.xlsx 是同一报表（R04）")
    assert _find(tjj, "R04 亿元以上项目")[2:5] == ["部分退回", 2, "2020-10-16 10:00"]


def test_remind_with_nothing_outstanding_exits_0(dirs, tmp_path):
    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline())
    for path in (raw / "2020Q3").rglob("*.xlsx"):
        touch(path, at(2020, 10, 12, 9, 0))
    done = sbsk("remind", "2020Q3", raw=raw, out=out)
    assert done.returncode == 0, done.stderr
    book = load_workbook(out / "2020Q3" / "remind-2020Q3.xlsx")
    assert book.sheetnames == ["汇总"]
    assert any(r[0] == "各部门报表均已入库，无需催报。" for r in _sheet(book, "汇总"))


def test_remind_refuses_what_it_cannot_know(q3, tmp_path):
    raw, out, contacts = q3
    done = sbsk("remind", "2026Q4", raw=raw, out=out)        # due in 2027: beyond the calendar
    assert done.returncode == 1 and "2027-01-01 超出工作日历覆盖的年份" in done.stderr
    assert done.stderr.startswith("sbsk: ") and "Traceback" not in done.stderr    # a message, not a crash
    assert not (out / "2026Q4").exists()
    broken = tmp_path / "broken.csv"
    broken.write_text(CONTACTS.replace("czj,市财政局", "czj,市税务局"), encoding="utf-8")
    done = sbsk("remind", "2020Q3", "--departments", str(broken), raw=raw, out=out)
    assert done.returncode == 1
    assert "broken.csv 第3行 name 列：「市税务局」不是部门「czj」的名称（应为市财政局）" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (out / "2020Q3" / "remind-2020Q3.xlsx").exists()
    assert sbsk("remind", "2020Q9", raw=raw, out=out).returncode == 2


# A reference set one level up (SPEC §10): two cities active in 2020 (丙市 left in 2019), their returns'
# unit column 省辖市, returns due by the 6th working day (the shipped rubric: the 5th), its own contacts.
CITIES = """unit_code,unit_name,unit_group,valid_from,valid_to,aliases
990100,甲市,city,2020,,
990200,乙市,city,2020,,
990300,丙市,city,2019,2019,
"""
CITY_GROUP = "unit_group,label,sort_order\ncity,省辖市,1\n"
CITY_LEVEL = 'name = "全省"\nunit_name = "省辖市"\nunit_header = "省辖市"\nunit_aliases = ["地市"]\n'


def test_remind_reads_the_reference_set_it_is_given(dirs, tmp_path):
    """--reference DIR: its cities and unit column (every file read, only 乙市's bad R09 row to fix),
    its rubric's due day, its contacts; without it the shipped county set, whose unit column 县(市、区)
    none of these files has, so every department has its returns sent back whole."""
    raw, out = dirs
    ref = reference_set(tmp_path / "cities", CITIES, CITY_GROUP, level=CITY_LEVEL,
                        rubric={"due_working_day = 5": "due_working_day = 6"}, departments=CONTACTS)
    rows = baseline({"990100": "甲市", "990200": "乙市"})
    rows["R09"][1]["completed_on"] = date(2020, 6, 20)                 # 乙市's row: done before it was accepted
    write_quarter(raw, "2020Q3", rows, load_returns().with_unit_column("省辖市", ("地市",)))
    for path in (raw / "2020Q3").rglob("*.xlsx"):
        touch(path, at(2020, 10, 14, 9, 0))                             # on time by either due day

    done = sbsk("remind", "2020Q3", "--reference", str(ref), raw=raw, out=out)
    assert done.returncode == 1, done.stderr
    book = load_workbook(out / "2020Q3" / "remind-2020Q3.xlsx")
    assert book.sheetnames == ["汇总", "市政务服务和大数据局"]
    # 6th working day after 09-30: 10-09, Sat 10-10, 10-12, 10-13, 10-14, 10-15
    assert _sheet(book, "汇总")[1][0].startswith("报送截止：2020年10月15日（季末后第6个工作日）")
    zwfw = _sheet(book, "市政务服务和大数据局")
    assert zwfw[1][0] == "致：市政务服务和大数据局　联系人：周伟　联系电话：0372-5105678 转 801"
    assert ["报表", "文件", "工作表", "行号", "省辖市", "关键字段", "问题说明"] in zwfw
    assert _find(zwfw, "R09 联审联批事项")[2] == "部分退回"
    row = next(r for r in zwfw if r[1] == "2020Q3/zwfw/R09-joint_approvals.xlsx" and r[3] == 4)
    assert row == ["R09 联审联批事项", "2020Q3/zwfw/R09-joint_approvals.xlsx", "Sheet1", 4, "乙市",
                   "项目名称：审批2；审批事项：施工许可", "F列「办结日期」：办结日期(2020-06-20)早于受理日期(2020-07-01)"]

    shipped = tmp_path / "out-shipped"
    done = sbsk("remind", "2020Q3", raw=raw, out=shipped)
    assert done.returncode == 1, done.stderr
    book = load_workbook(shipped / "2020Q3" / "remind-2020Q3.xlsx")
    assert book.sheetnames == ["汇总", "市发展改革委", "市财政局", "市统计局", "市商务局", "市政务服务和大数据局",
                               "市政府重点项目办"]
    assert _sheet(book, "汇总")[1][0].startswith("报送截止：2020年10月14日（季末后第5个工作日）")
    zwfw = _sheet(book, "市政务服务和大数据局")
    assert zwfw[1][0] == "致：市政务服务和大数据局　联系人：未登记（请在 departments.csv 中填写）"
    assert _find(zwfw, "R09 联审联批事项")[2] == "整表退回"
    assert ["报表", "文件", "工作表", "行号", "县(市、区)", "关键字段", "问题说明"] in zwfw
    assert "缺少列：县(市、区)" in next(r for r in zwfw if r[5] == "（整个文件）")[6]


def test_check_records_receipts_of_files_in_the_raw_folder(q3, tmp_path):
    raw, out, _ = q3
    r01 = raw / "2020Q3" / "fgw" / "R01-project_reserve.xlsx"
    elsewhere = tmp_path / "desk" / "R01.xlsx"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(r01.read_bytes())
    touch(elsewhere, at(2020, 10, 1, 9, 0))
    done = subprocess.run([*SBSK, "check", str(r01), str(elsewhere), "--raw-dir", str(raw), "--out-dir", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in (out / "receipts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(x["period"], x["path"], x["received_at"], x["seen_by"]) for x in lines] == [
        ("2020Q3", "2020Q3/fgw/R01-project_reserve.xlsx", "2020-10-14T23:30:00+08:00", "check")]


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("department,name", "dept,name"), "departments.csv：缺少列 department"),
    (lambda t: t.replace("swj,市商务局", "sw,市商务局"), "departments.csv 第5行 department 列：「sw」不是部门代码"),
    (lambda t: t + "fgw,市发改委,张三,0372-1111111\n", "departments.csv 第8行 department 列：部门「fgw」重复登记"),
    (lambda t: t.replace("0372-5102345", "李红的手机"), "departments.csv 第3行 phone 列：「李红的手机」不是电话号码"),
    (lambda t: t.replace("zdxmb,市政府重点项目办,,\n", ""), "departments.csv：缺少部门 zdxmb 的联系人行"),
])
def test_the_contacts_file_is_validated_on_load(tmp_path, edit, message):
    path = tmp_path / "departments.csv"
    path.write_text(edit(CONTACTS), encoding="utf-8")
    with pytest.raises(DepartmentsError, match=message):
        load_departments(load_returns(), path)


def test_the_shipped_contacts_file_loads_and_names_every_department(tmp_path):
    shipped = load_departments(load_returns())
    assert list(shipped) == ["fgw", "czj", "tjj", "swj", "zwfw", "zdxmb"]
    assert shipped["fgw"].text == "联系人：未登记（请在 departments.csv 中填写）"
    path = tmp_path / "departments.csv"
    path.write_text(CONTACTS, encoding="utf-8")
    mine = load_departments(load_returns(), path)
    assert mine["tjj"].name == "市统计局"                     # an accepted name (统计局) stands for the department
    assert mine["zdxmb"].text == "联系人：未登记（请在 departments.csv 中填写）"


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
                    reason="needs LibreOffice and poppler-utils (see tests/test_libreoffice.py)")
def test_the_cuibaodan_prints_on_a4_landscape_with_no_text_cut(q3, tmp_path):
    from test_libreoffice import page_count, to_pdf

    raw, out, contacts = q3
    assert sbsk("remind", "2020Q3", "--departments", str(contacts), raw=raw, out=out).returncode == 1
    book_path = out / "2020Q3" / "remind-2020Q3.xlsx"
    pdf = to_pdf([book_path], tmp_path / "pdf", tmp_path / "profile")[0]
    book = load_workbook(book_path)
    pages = page_count(pdf)
    assert pages == len(book.sheetnames)                  # each sheet on one page
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(pages), str(pdf)], capture_output=True, text=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert len(sizes) == pages and all((round(float(w)), round(float(h))) == (842, 595) for w, h in sizes)  # A4 landscape
    # every character of every cell is printed: a row too short for its wrapped text would lose whole
    # lines. (Characters, not strings: wrapped cells come out of pdftotext interleaved with their
    # neighbours, and a hyphen at a line end is dropped.)
    printed = Counter(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    written = Counter()
    for name in book.sheetnames:
        for row in book[name].iter_rows(values_only=True):
            written.update(ch for value in row if value is not None for ch in str(value))
    lost = {ch: n - printed[ch] for ch, n in written.items() if not ch.isspace() and ch != "-" and printed[ch] < n}
    assert lost == {}


def test_the_demo_dates_its_returns_as_departments_would_send_them(tmp_path):
    from sbsk.config.periods import Quarter
    from sbsk.samples.receipts import date_sample_files, received_at

    q3 = Quarter(2020, 3)
    assert received_at(q3, "czj", date(2020, 10, 14)) == at(2020, 10, 16, 16, 30)    # two working days late
    assert received_at(q3, "zdxmb", date(2020, 10, 14)) == at(2020, 10, 14, 16, 30)  # on the due day
    # three working days before 10-14: 10-13, 10-12, then Saturday 10-10 (a make-up working day)
    assert received_at(q3, "tjj", date(2020, 10, 14)) == at(2020, 10, 10, 16, 30)
    # before 2020-04-08 (Qingming 04-04 … 04-06): 04-07, then 04-03
    assert received_at(Quarter(2020, 1), "zwfw", date(2020, 4, 8)) == at(2020, 4, 3, 16, 30)
    assert received_at(Quarter(2020, 2), "czj", date(2020, 7, 7)) == at(2020, 7, 3, 16, 30)   # late only in Q3
    path = tmp_path / "raw" / "2020Q3" / "czj" / "R07.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    date_sample_files([path], tmp_path / "raw")
    assert path.stat().st_mtime == at(2020, 10, 16, 16, 30).timestamp()
