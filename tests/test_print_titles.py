"""Long sheets print their title and column header at the top of every page (print titles), so page 2
of a list is not a page of rows with no column names. The dispatch workbook's 预警清单 runs to several
pages for a city: title in row 1, the one column header in row 2, and no header repeated inside the
list (its units' rows used to carry one each, which no print title can repeat). The restatement sheet
is checked in tests/test_versions.py, where a second version is published."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from builders import UNITS, baseline, write_quarter
from conftest import query

HEADER = ["县(市、区)", "预警", "指标", "情况与差距", "可争取(分)"]


@pytest.fixture(scope="module")
def dispatch_book(tmp_path_factory):
    from sbsk.dispatch import evaluate_dispatch

    root = tmp_path_factory.mktemp("print_titles")
    raw, out = root / "raw", root / "out"
    rows = baseline(day=date(2020, 7, 10))
    for i, r in enumerate(rows["R06"]):   # units behind in payments and spending: many warnings
        r["paid"] = min(100, 20 + 9 * i)
    for i, r in enumerate(rows["R07"]):
        r["spent"] = min(100, 70 - 7 * i)
    write_quarter(raw, "2020-08", rows)
    evaluate_dispatch("2020-08", raw, out)
    return out, out / "2020-08" / "dispatch-2020-08.xlsx"


def test_the_warning_list_repeats_its_title_and_header_on_every_page(dispatch_book):
    out, book = dispatch_book
    ws = load_workbook(book)["预警清单"]
    assert ws.print_title_rows == "$1:$2"
    assert ws["A1"].value == "2020年8月月调度预警清单"
    assert [c.value for c in ws[2]] == HEADER
    cells = [[c.value for c in r] for r in ws.iter_rows()]
    assert [i for i, r in enumerate(cells, start=1) if "情况与差距" in r] == [2]   # the header once, in row 2
    # every warning is a row of the list, below the header: as many 红灯/黄灯 cells as stored warnings
    stored = query(out, "select count(*) from dispatch_warnings where month = '2020-08'")[0][0]
    levels = [i for i, r in enumerate(cells, start=1) if r[1] in ("红灯", "黄灯")]
    assert stored > 20 and len(levels) == stored and min(levels) > 2
    # the legend is the last row printed, below the list
    note = cells[-1][0]
    assert note.startswith("注：红灯：明显落后于序时进度或组内先进") and "请各县(市、区)对照清单" in note
    assert ws.print_area == f"'预警清单'!$A$1:$E${ws.max_row}"
    # every unit has its line, 无预警 or its counts
    assert [u for u in UNITS.values() if not any(str(r[0]).startswith(f"{u}：") for r in cells)] == []


def test_the_other_dispatch_sheets_keep_their_print_titles(dispatch_book):
    _, book = dispatch_book
    wb = load_workbook(book)
    assert wb["排名"].print_title_rows == "$1:$1"   # one page (tests/test_dispatch_print.py): the title
    assert wb["进度对照"].print_title_rows is None   # a page per group, each under its own header
