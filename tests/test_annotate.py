"""Annotated copies: the bad cell highlighted with the message as its comment, nothing executable."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from builders import write_quarter
from sbsk.outputs.annotate import annotate
from sbsk.schemas import load_returns
from sbsk.intake.discover import discover
from sbsk.intake.ingest import ingest
from sbsk.intake.validate import context_for
from sbsk.config.registry import load_registry
from sbsk.config.rubric import load_rubric


def _ingest_one(raw: Path, quarter: str):
    defs = load_returns()
    ctx = context_for(2020, load_rubric(), load_registry())
    [source] = discover(raw, quarter, defs)
    return ingest(source, defs, ctx)


def test_bad_cells_are_highlighted_with_their_message(tmp_path):
    write_quarter(tmp_path / "raw", "2020Q3", {"R06": [
        dict(unit="林州市", project_name="=HYPERLINK(\"http://x\",\"y\")", allocated=1000, paid=500),
        dict(unit="汤阴县", project_name="超付", allocated=1000, paid=1500),
        dict(unit="安阳市", project_name="非考评单位", allocated=10, paid=1),
    ]})
    result = _ingest_one(tmp_path / "raw", "2020Q3")
    assert result.rows_rejected == 2
    path = annotate(result, tmp_path / "annotated")
    assert path == tmp_path / "annotated" / "fgw" / "R06-central_budget-问题标注.xlsx"
    ws = load_workbook(path)["Sheet1"]
    # row 4 (汤阴县): 已支付资金 is column E; row 5: the unit in column A
    assert ws["E4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "已支付资金(1500)超过下达中央预算内资金(1000)" in ws["E4"].comment.text
    assert "「安阳市」不是本年度考评的县(市、区)" in ws["A5"].comment.text
    assert ws["A3"].comment is None and ws["E3"].comment is None
    # the formula-looking project name went in as text and comes back as text
    assert ws["B3"].data_type == "s" and ws["B3"].value.startswith("=HYPERLINK")
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_no_copy_for_a_clean_file(tmp_path):
    write_quarter(tmp_path / "raw", "2020Q3", {"R06": [dict(unit="林州市", project_name="a", allocated=10, paid=1)]})
    assert annotate(_ingest_one(tmp_path / "raw", "2020Q3"), tmp_path / "annotated") is None
