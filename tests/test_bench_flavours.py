"""The bench's flavours of files (bench/writers.py) mean the same rows, written as their writer writes them.

Issue 18 measures the 1M-row marginal on each flavour: that only compares like with like if every flavour
holds the same rows, and each is written the way it claims (shared or inline strings, dates as cells or as
text, the messy layouts). A small quarter (300 rows) of each flavour is generated and read by sbsk.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
import writers  # noqa: E402

from sbsk import pipeline  # noqa: E402

ROWS = 300  # the least the plan accepts for nine units in eleven returns is 216


@pytest.fixture(scope="module")
def quarters(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("bench-data")
    saved = generate.DATA_DIR
    generate.DATA_DIR = base
    try:
        return {f: generate.ensure(ROWS, 1, "2020Q3", flavour=f, workers=1, quiet=True) / "raw"
                for f in writers.FLAVOURS}
    finally:
        generate.DATA_DIR = saved


@pytest.fixture(scope="module")
def loaded(quarters, tmp_path_factory) -> dict[str, dict]:
    """Per flavour: return code → its typed rows (lineage columns dropped), sorted, as sbsk loads them."""
    out = {}
    for flavour, raw in quarters.items():
        state = pipeline.evaluate("2020Q3", raw, tmp_path_factory.mktemp(flavour), up_to="combine")
        frames = {}
        for r in state["results"]:
            assert r.status == "loaded" and not r.rows_rejected, (flavour, r.source.rel, r.file_message, r.rejections[:3])
            frame = r.loaded.drop(columns=[c for c in r.loaded.columns if c.startswith("_")])
            # 亿元 back to 万元 is ×10,000 in binary floating point (4042.9900000000002): to 6 decimals
            frame = frame.round({c: 6 for c in frame.columns if frame[c].dtype.kind == "f"})
            frames.setdefault(r.return_code, []).append(frame)
        out[flavour] = {code: sorted(map(tuple, sum((f.astype(str).values.tolist() for f in fs), [])))
                        for code, fs in frames.items()}
    return out


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def _parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return z.namelist()


@pytest.mark.parametrize("flavour", [f for f in writers.FLAVOURS if f != "openpyxl"])
def test_every_flavour_loads_the_same_rows_as_the_first(loaded, flavour):
    assert set(loaded[flavour]) == set(loaded["openpyxl"]) == {f"R{i:02d}" for i in range(1, 12)}
    for code, rows in loaded["openpyxl"].items():
        assert loaded[flavour][code] == rows, (flavour, code)


def test_the_quarter_has_the_rows_asked_for(loaded):
    # the plan gives every unit at least one row in every return, so a small quarter rounds up a little;
    # nine units get exactly one R10 row each
    assert len(loaded["openpyxl"]["R10"]) == 9
    assert ROWS <= sum(len(rows) for rows in loaded["openpyxl"].values()) <= ROWS + 9 * 11


def test_strings_are_inline_or_shared_as_the_writer_writes_them(quarters):
    r01 = {f: next((raw / "2020Q3").rglob("R01-*.xlsx")) for f, raw in quarters.items()}
    for flavour in ("openpyxl", "openpyxl-textdates"):
        assert "xl/sharedStrings.xml" not in _parts(r01[flavour])
        assert 't="inlineStr"' in _sheet_xml(r01[flavour]) and 't="s"' not in _sheet_xml(r01[flavour])
    for flavour in ("xlsxwriter", "xlsxwriter-textdates"):
        assert "xl/sharedStrings.xml" in _parts(r01[flavour])
        assert 't="s"' in _sheet_xml(r01[flavour]) and "inlineStr" not in _sheet_xml(r01[flavour])


@pytest.mark.parametrize("flavour, as_text", [("openpyxl", False), ("xlsxwriter", False),
                                              ("openpyxl-textdates", True), ("xlsxwriter-textdates", True)])
def test_dates_are_cells_or_text(quarters, flavour, as_text):
    path = next((quarters[flavour] / "2020Q3").rglob("R09-*.xlsx"))  # R09: 应办结 is never empty
    ws = load_workbook(path, read_only=True).active
    header = [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))]
    due = [row[header.index("应办结日期")] for row in ws.iter_rows(min_row=3, values_only=True)]
    assert due and all(isinstance(v, str) for v in due) == as_text
    if as_text:  # the four forms a clerk types, one after the other
        assert due[0].count("-") == 2 and "/" in due[1] and "." in due[2] and due[3].endswith("日")
    else:
        assert all(hasattr(v, "year") for v in due)


def test_the_messy_flavour_has_the_clerks_layouts(quarters):
    raw = quarters["messy"] / "2020Q3"
    r01 = load_workbook(next(raw.rglob("R01-*.xlsx")))
    assert len(r01.sheetnames) == 2  # a 说明 sheet in front of the data
    data = r01.worksheets[1]
    assert data.merged_cells.ranges  # title rows and the two-row header
    texts = [c for row in data.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("亿元" in t for t in texts) and "合计" in texts
    r05 = load_workbook(next(raw.rglob("R05-*.xlsx"))).active
    texts = [c for row in r05.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "单位：亿元" in texts and sum("小计" in t for t in texts) == 9  # one 小计 per unit
