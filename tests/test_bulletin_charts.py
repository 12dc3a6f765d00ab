"""Native charts on the 图表 sheet of the bulletins, from a small hand-written database."""

from __future__ import annotations

import re

import duckdb
import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from sbsk import TRANSFORMS_DIR
from sbsk.outputs.bulletin import write_annual_bulletin, write_quarter_bulletin

UNITS = [("410581", "林州市", "county", "县(市)组"), ("410522", "安阳县", "county", "县(市)组"),
         ("410523", "汤阴县", "county", "县(市)组"), ("410502", "文峰区", "district", "区组"),
         ("410503", "北关区", "district", "区组")]
# quarter → unit → (total, group_rank); 汤阴县 has no 2020Q2 result
TOTALS = {
    "2020Q1": {"410581": ("80.50", 1), "410522": ("70.25", 2), "410523": ("60.00", 3),
               "410502": ("90.00", 1), "410503": ("50.10", 2)},
    "2020Q2": {"410581": ("82.00", 2), "410522": ("85.75", 1),
               "410502": ("88.00", 1), "410503": ("55.00", 2)},
    "2020Q3": {"410581": ("91.35", 1), "410522": ("73.71", 2), "410523": ("64.88", 3),
               "410502": ("95.75", 1), "410503": ("49.99", 2)},
}
ANNUAL = {"410581": ("84.62", 1), "410522": ("76.57", 2), "410523": ("62.44", 3),
          "410502": ("91.25", 1), "410503": ("51.70", 2)}


@pytest.fixture()
def con():
    con = duckdb.connect()
    con.execute((TRANSFORMS_DIR / "contract.sql").read_text(encoding="utf-8"))
    names = {}
    for code, name, group, label in UNITS:
        con.execute("insert into units values (?, ?, ?, ?, 2020, null)", [code, name, group, label])
        names[code] = (name, group)
    for quarter, rows in TOTALS.items():
        for code, (total, rank) in rows.items():
            con.execute("insert into quarter_results (quarter, unit_code, unit_name, unit_group, score_a, score_b, score_c, score_d, total, group_rank, reward_yuan, tie, status, rubric_version) values (?, ?, ?, ?, 0, 0, 0, 0, ?, ?, 0, false, 'final', "
                        "'2020.1')", [quarter, code, *names[code], total, rank])
    for code, (total, rank) in ANNUAL.items():
        con.execute("insert into annual_results (year, unit_code, unit_name, unit_group, score_a, score_b, score_c, "
                    "score_d, total, group_rank, reward_yuan, tie, quarters_used, status) values (2020, ?, ?, ?, 0, 0, "
                    "0, 0, ?, ?, 0, false, '2020Q1,2020Q2,2020Q3', 'provisional')", [code, *names[code], total, rank])
    yield con
    con.close()


def _charts(path):
    wb = load_workbook(path)
    return wb, wb["图表"], wb["图表"]._charts


def _cells(ws, ref: str) -> list:
    """The values a chart reference such as '图表'!$C$5:$C$7 (or '图表'!B38) points at."""
    m = re.fullmatch(r"'?(.+?)'?!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?", ref)
    assert m and m.group(1) == ws.title, ref
    first = f"{m.group(2)}{m.group(3)}"
    last = f"{m.group(4) or m.group(2)}{m.group(5) or m.group(3)}"
    return [c.value for row in ws[first:last] for c in row]


def _cat(ws, series) -> list:
    """Category labels; openpyxl refers to them through numRef even when they are text."""
    ref = series.cat.numRef or series.cat.strRef
    return _cells(ws, ref.f)


def _no_formulas(wb):
    found = [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("="))]
    assert found == []


def test_first_quarter_has_bar_charts_only(con, tmp_path):
    wb, ws, charts = _charts(write_quarter_bulletin(con, "2020Q1", tmp_path / "b.xlsx"))
    assert "图表" in wb.sheetnames
    assert [type(c) for c in charts] == [BarChart, BarChart]  # one per group, no trend yet
    assert [len(c.series) for c in charts] == [1, 1]
    county, district = charts
    assert _cat(ws, county.series[0]) == ["林州市", "安阳县", "汤阴县"]  # by rank
    assert _cells(ws, county.series[0].val.numRef.f) == [80.5, 70.25, 60.0]
    assert _cat(ws, district.series[0]) == ["文峰区", "北关区"]
    assert _cells(ws, district.series[0].val.numRef.f) == [90.0, 50.1]
    _no_formulas(wb)


def test_third_quarter_adds_a_trend_per_group(con, tmp_path):
    wb, ws, charts = _charts(write_quarter_bulletin(con, "2020Q3", tmp_path / "b.xlsx"))
    assert [type(c) for c in charts] == [BarChart, BarChart, LineChart, LineChart]
    assert [len(c.series) for c in charts] == [1, 1, 3, 2]  # one line per unit of the group
    county_bar, _, county_line, district_line = charts
    assert _cells(ws, county_bar.series[0].val.numRef.f) == [91.35, 73.71, 64.88]
    assert _cat(ws, county_line.series[0]) == ["第一季度", "第二季度", "第三季度"]
    lines = {_cells(ws, s.tx.strRef.f)[0]: _cells(ws, s.val.numRef.f) for s in county_line.series}
    assert lines == {"林州市": [80.5, 82.0, 91.35], "安阳县": [70.25, 85.75, 73.71],
                     "汤阴县": [60.0, None, 64.88]}  # no 2020Q2 result: a gap, not a zero
    lines = {_cells(ws, s.tx.strRef.f)[0]: _cells(ws, s.val.numRef.f) for s in district_line.series}
    assert lines == {"文峰区": [90.0, 88.0, 95.75], "北关区": [50.1, 55.0, 49.99]}
    _no_formulas(wb)


def test_second_quarter_trend_stops_at_the_quarter(con, tmp_path):
    wb, ws, charts = _charts(write_quarter_bulletin(con, "2020Q2", tmp_path / "b.xlsx"))
    lines = [c for c in charts if isinstance(c, LineChart)]
    assert len(lines) == 2
    assert _cat(ws, lines[0].series[0]) == ["第一季度", "第二季度"]
    # 汤阴县 has no 2020Q2 result, so the Q2 county ranking and its trend hold two units
    assert [len(c.series) for c in charts] == [1, 1, 2, 2]


def test_annual_bar_chart_per_group(con, tmp_path):
    wb, ws, charts = _charts(write_annual_bulletin(con, 2020, tmp_path / "a.xlsx"))
    assert [type(c) for c in charts] == [BarChart, BarChart]
    assert [len(c.series) for c in charts] == [1, 1]
    assert _cat(ws, charts[0].series[0]) == ["林州市", "安阳县", "汤阴县"]
    assert _cells(ws, charts[0].series[0].val.numRef.f) == [84.62, 76.57, 62.44]
    assert _cells(ws, charts[1].series[0].val.numRef.f) == [91.25, 51.7]
    _no_formulas(wb)


def test_chart_data_are_numbers_not_text(con, tmp_path):
    wb, ws, charts = _charts(write_quarter_bulletin(con, "2020Q3", tmp_path / "b.xlsx"))
    cells = [c for ch in charts for s in ch.series for row in ws[_range(s.val.numRef.f)] for c in row]
    assert len(cells) == 5 + 3 * 5  # two bar charts (3 + 2 units), two trends of 3 quarters
    assert all(c.data_type == "n" for c in cells)
    assert all(c.number_format == "0.00" for c in cells if c.value is not None)


def _range(ref: str) -> str:
    return ref.split("!")[1].replace("$", "")


def test_chart_sheet_prints_one_chart_per_page(con, tmp_path):
    wb, ws, charts = _charts(write_quarter_bulletin(con, "2020Q3", tmp_path / "b.xlsx"))
    # four charts: a page break before each but the first, and no fit-to-page (Excel would ignore the breaks)
    assert len(ws.row_breaks.brk) == 3
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    anchors = sorted(c.anchor._from.row for c in charts)
    breaks = sorted(b.id for b in ws.row_breaks.brk)
    assert all(a < b < c for a, b, c in zip(anchors, breaks, anchors[1:]))  # a break between each pair


def test_ranking_sheet_layout(con, tmp_path):
    wb = load_workbook(write_quarter_bulletin(con, "2020Q3", tmp_path / "b.xlsx"))
    ws = wb["排名"]
    # title, blank, 县(市)组 heading, header, 3 units, blank, 区组 heading, header, 2 units: last row 12
    assert ws.print_area == "'排名'!$A$1:$H$12"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    names = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
    assert names <= {"宋体", "黑体"} and ws["A1"].font.name == "黑体"
    linzhou = next(r for r in ws.iter_rows() if r[1].value == "林州市")
    assert all(c.alignment.horizontal == "center" for c in linzhou)
    assert ws.row_dimensions[linzhou[0].row].height == 22
    fonts = {c.font.name for sheet in wb.worksheets for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "Calibri" not in fonts
