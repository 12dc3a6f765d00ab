"""Bulletins and the validation report, from a small hand-written database."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from openpyxl import load_workbook

from sbsk import TRANSFORMS_DIR
from sbsk.outputs.bulletin import write_annual_bulletin, write_quarter_bulletin
from sbsk.config.rubric import load_rubric
from sbsk.outputs.validation_report import write_validation_report

HYPERLINK = '=HYPERLINK("http://x")'
UNITS = [  # district units first, so the test sees the groups put in registry order
    ("410502", "文峰区", "district", "区组"),
    ("410503", "北关区", "district", "区组"),
    ("410581", "林州市", "county", "县(市)组"),
    ("410522", "安阳县", "county", "县(市)组"),
    ("410523", "汤阴县", "county", "县(市)组"),
]
# unit_code → (score_a, score_b, score_c, score_d, group_rank, reward, tie)
Q3 = {
    "410581": ("25.50", "12.00", "35.25", "12.75", 1, 200000, True),
    "410522": ("26.00", "11.50", "35.00", "13.00", 1, 200000, True),
    "410523": ("20.10", "9.05", "30.00", "11.10", 3, -200000, False),
    "410502": ("28.00", "13.00", "36.00", "14.00", 1, 200000, False),
    "410503": ("18.00", "10.00", "25.12", "7.00", 2, -200000, False),
}


def _insert_quarter(con, quarter, rows, status):
    names = {u[0]: (u[1], u[2]) for u in UNITS}
    for code, (a, b, c, d, rank, reward, tie) in rows.items():
        total = sum(Decimal(x) for x in (a, b, c, d))
        con.execute("insert into quarter_results (quarter, unit_code, unit_name, unit_group, score_a, score_b, score_c, score_d, total, group_rank, reward_yuan, tie, status, rubric_version) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [quarter, code, names[code][0], names[code][1], a, b, c, d, total, rank, reward,
                     tie, status, "2020.1"])
        for category, score in zip("ABCD", (a, b, c, d)):
            con.execute("insert into category_scores values (?,?,?,?)", [quarter, code, category, score])


@pytest.fixture()
def con():
    con = duckdb.connect()
    con.execute((TRANSFORMS_DIR / "contract.sql").read_text(encoding="utf-8"))
    for code, name, group, label in UNITS:
        con.execute("insert into units values (?,?,?,?,2020,null)", [code, name, group, label])
    for ind in load_rubric().indicators:
        con.execute("insert into rubric_indicators values (?,?,?,?,?,?,?,?)",
                    ["2020.1", ind.code, ind.category, "比谋划看储备" if ind.category == "A" else
                     {"B": "比招引看投资", "C": "比开工看进度", "D": "比服务看实效"}[ind.category],
                     ind.name, ind.max_points, ",".join(p.method for p in ind.parts),
                     ",".join(sorted(ind.sources))])
    _insert_quarter(con, "2020Q3", Q3, "provisional")
    _insert_quarter(con, "2020Q1", {k: Q3[k] for k in ("410581", "410502")}, "final")
    con.execute("""insert into indicator_scores (quarter, unit_code, unit_group, indicator_code,
                   category_code, rubric_version, deduction, points, max_points)
                   values ('2020Q3', '410581', 'county', 'A1', 'A', '2020.1', 0, 2.75, 3),
                          ('2020Q3', '410581', 'county', 'C2', 'C', '2020.1', 0.5, 4.10, 5)""")
    con.execute("""insert into annual_results
        (year, unit_code, unit_name, unit_group, score_a, score_b, score_c, score_d, total, group_rank,
         reward_yuan, tie, quarters_used, status) values
        (2020, '410581', '林州市', 'county', 25, 12, 35, 13, 85.12, 1, 500000, false, '2020Q1,2020Q3', 'provisional'),
        (2020, '410522', '安阳县', 'county', 20, 11, 30, 12, 73.00, 2, -500000, false, '2020Q3', 'provisional'),
        (2020, '410502', '文峰区', 'district', 28, 13, 36, 14, 91.00, 1, 500000, false, '2020Q1,2020Q3', 'provisional'),
        (2020, '410503', '北关区', 'district', 18, 10, 25, 7, 60.12, 2, -500000, false, '2020Q3', 'provisional')""")
    con.execute("""insert into data_flags values
        ('2020Q3', '410581', 'R04', 'suspect_start', '新开工项目本年累计完成投资为0', 'tjj/R04.xlsx', 'Sheet1', 7),
        ('2020Q3', null, 'R03', 'missing_return', '本季度未收到该报表', null, null, null),
        ('2020Q2', '410581', 'R04', 'over_plan', '不应出现在第三季度', null, null, null)""")
    con.execute("""insert into source_files values
        ('2020Q3', 'fgw/R01.xlsx', 'aa', 'fgw', 'R01', 'Sheet1', 'loaded', 'template', 10, 7, 1, 2, 1, 1, 0, 0, null, null),
        ('2020Q3', 'czj/坏文件.xlsx', 'bb', 'czj', null, null, 'rejected', null, 0, 0, 0, 0, 0, 0, 0, 0, null, null)""")
    con.execute("""insert into rejected_rows values
        ('2020Q3', 'fgw', 'R01', 'fgw/R01.xlsx', 'aa', 'Sheet1', 5, '项目名称', ?, '项目名称不能是公式', 'B5',
         '项目名称：（空）'),
        ('2020Q3', 'czj', null, 'czj/坏文件.xlsx', 'bb', null, null, null, null, '文件无法读取：不是Excel文件', null,
         null)""",
                [HYPERLINK])
    yield con
    con.close()


def _cells(path):
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            yield from row


def _assert_no_formulas(path):
    assert [c.coordinate for c in _cells(path) if c.data_type == "f"] == []


def _rows_by_unit(ws):
    return {row[1].value: row for row in ws.iter_rows(min_row=2) if row[1].value in {u[1] for u in UNITS}}


def test_quarter_bulletin_ranking(con, tmp_path):
    path = write_quarter_bulletin(con, "2020Q3", tmp_path / "out" / "bulletin-2020Q3.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["排名", "指标得分", "数据核查", "名次变化", "图表"]
    ws = wb["排名"]
    assert ws["A1"].value == '2020年第三季度"四比四看"活动考评结果（草稿，未发布）'   # never published
    texts = [c.value for c in _cells(path) if isinstance(c.value, str)]
    assert any(t.startswith("注：本季度结果为暂定（部分报表缺报）") for t in texts)
    assert any("安阳县、林州市并列第一" in t and "专班办公室研究确定" in t for t in texts)
    headers = [c.value for c in next(r for r in ws.iter_rows() if r[0].value == "排名")]
    assert headers == ["排名", "县(市、区)", "比谋划看储备(30)", "比招引看投资(15)", "比开工看进度(40)",
                       "比服务看实效(15)", "总分", "奖惩(元)"]

    rows = _rows_by_unit(ws)
    stored = con.execute("select unit_name, total, reward_yuan, score_c from quarter_results "
                         "where quarter = '2020Q3'").fetchall()
    assert len(rows) == len(stored) == 5
    for name, total, reward, score_c in stored:
        row = rows[name]
        assert row[6].value == pytest.approx(float(total)) and row[6].number_format == "0.00"
        assert row[7].value == reward and row[7].number_format == "#,##0"
        assert row[4].value == pytest.approx(float(score_c))

    order = [c.value for c in ws["B"] if c.value in rows]
    assert order == ["安阳县", "林州市", "汤阴县", "文峰区", "北关区"]  # county first; rank, then code
    labels = [c.value for c in ws["A"]]
    assert labels.index("县(市)组") < labels.index("区组")
    assert ws.page_setup.orientation == "landscape"
    _assert_no_formulas(path)


def test_quarter_bulletin_indicator_and_flag_sheets(con, tmp_path):
    path = write_quarter_bulletin(con, "2020Q3", tmp_path / "bulletin.xlsx")
    wb = load_workbook(path)
    ws = wb["指标得分"]
    codes = [c.value for c in ws[2]][2:-1]
    assert codes[:5] == ["A1", "A2", "A3", "A4", "A5"] and codes[-1] == "D3" and len(codes) == 20
    assert [c.value for c in ws[4]][2] == 3  # A1 max points
    linzhou = next(r for r in ws.iter_rows(min_row=5) if r[1].value == "林州市")
    assert linzhou[2].value == pytest.approx(2.75)
    assert linzhou[2 + codes.index("C2")].value == pytest.approx(4.10)
    flags = wb["数据核查"]
    values = [[c.value for c in row] for row in flags.iter_rows(min_row=3)]
    assert ["林州市", "R04 亿元以上项目", "开而未动", "新开工项目本年累计完成投资为0", "tjj/R04.xlsx", 7] in values
    assert not any("不应出现" in str(v) for row in values for v in row)


def test_annual_bulletin(con, tmp_path):
    path = write_annual_bulletin(con, 2020, tmp_path / "2020" / "bulletin-2020.xlsx")
    ws = load_workbook(path)["排名"]
    assert ws["A1"].value == '2020年度"四比四看"活动考评结果'
    texts = [c.value for c in _cells(path) if isinstance(c.value, str)]
    assert any(t.startswith("注：年度结果为暂定") for t in texts)
    rows = _rows_by_unit(ws)
    for name, total, reward in con.execute(
            "select unit_name, total, reward_yuan from annual_results where year = 2020").fetchall():
        assert rows[name][6].value == pytest.approx(float(total))
        assert rows[name][7].value == reward
    linzhou = [c.value for c in rows["林州市"]]
    assert linzhou[2] == pytest.approx(85.50) and linzhou[3] is None and linzhou[5] is None
    assert linzhou[4] == pytest.approx(85.50)
    assert rows["安阳县"][2].value is None
    _assert_no_formulas(path)


def test_validation_report(con, tmp_path):
    path = write_validation_report(con, "2020Q3", tmp_path / "validation-2020Q3.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "退回明细", "数据核查"]
    summary = [[c.value for c in row] for row in wb["汇总"].iter_rows(min_row=3)]
    assert ["市财政局", "czj/坏文件.xlsx", None, "整表退回", 0, 0, 0, 0] in summary
    assert ["市发展改革委", "fgw/R01.xlsx", "R01 项目谋划储备", "已入库", 10, 7, 1, 2] in summary

    detail = wb["退回明细"]
    assert [c.value for c in detail[2]] == ["部门", "文件", "工作表", "行号", "关键字段", "列", "填报值", "问题说明"]
    # each row named by its key field in a column of its own; a file rejected whole says so
    assert [c.value for c in detail[3]][3:5] == [None, "（整个文件）"]
    assert [c.value for c in detail[4]][3:6] == [5, "项目名称：（空）", "项目名称"]
    link = [c for row in detail.iter_rows() for c in row if c.value == HYPERLINK]
    assert len(link) == 1 and link[0].data_type == "s"
    assert [c.value for c in detail[3]][:2] == ["市财政局", "czj/坏文件.xlsx"]  # ordered by department
    _assert_no_formulas(path)


def test_quarter_without_results_is_an_error(con, tmp_path):
    with pytest.raises(ValueError, match="2020Q4"):
        write_quarter_bulletin(con, "2020Q4", tmp_path / "x.xlsx")


def test_a_rejection_prints_its_problem_without_repeating_file_and_row(tmp_path):
    from sbsk.outputs.validation_report import problem_text
    file = "2020Q1/fgw/R06-central_budget.xlsx"
    assert problem_text(f"{file} 工作表「Sheet1」第12行 E列「已支付资金(万元)」：已支付资金(850)超过下达中央预算内资金(600)",
                        file) == "已支付资金(850)超过下达中央预算内资金(600)"
    assert problem_text(f"{file}：文件无法读取", file) == "文件无法读取"
    assert problem_text("项目名称不能是公式", file) == "项目名称不能是公式"
