"""The dispatch workbook prints on A4 landscape with no text cut (slow: LibreOffice, about half a
minute). Skipped when LibreOffice is not installed (see tests/test_libreoffice.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest

from builders import UNITS, baseline, write_quarter
from conftest import query
from test_libreoffice import SOFFICE, page_count, to_pdf

pytestmark = pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                                reason="LibreOffice (soffice) and pdftotext (poppler-utils) are needed")


def _text(pdf, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout


def test_the_dispatch_workbook_prints_whole(dirs, tmp_path):
    from sbsk.dispatch import evaluate_dispatch

    raw, out = dirs
    for month, k in (("2020-07", 1.0), ("2020-08", 1.3)):   # August moves the ranks: 较上月 is filled
        rows = baseline(day=date(2020, 7, 10))
        for i, r in enumerate(rows["R06"]):
            r["paid"] = min(100, (20 + 9 * i) * k)
        for i, r in enumerate(rows["R07"]):
            r["spent"] = min(100, (70 - 7 * i) * k)
        write_quarter(raw, month, rows)
        evaluate_dispatch(month, raw, out)
    book = out / "2020-08" / "dispatch-2020-08.xlsx"
    pdf, = to_pdf([book], tmp_path / "pdf", tmp_path / "profile")
    first = _text(pdf, 1, 1)
    assert "2020年8月\"四比四看\"活动月调度暂定排名" in first
    assert [u for u in UNITS.values() if u not in first] == []          # both groups on page 1
    flat = re.sub(r"\s+", "", _text(pdf))
    details = [d.split("｜", 1)[1] for (d,) in query(out, "select detail from dispatch_warnings where month = '2020-08'")]
    assert len(details) > 20
    # every warning is printed in full: a row too short for its wrapped text would cut it
    assert [d for d in details if re.sub(r"\s+", "", d) not in flat] == []
    assert "2020年8月各项进度与序时进度对照" in flat
    # the progress sheet, the last, prints a page per group, its table and its chart on it: a column or
    # a chart that did not fit the page would spill onto pages of its own
    pages = [p for p in _text(pdf).split("\f") if p.strip()]
    first = next(i for i, p in enumerate(pages) if "各项进度与序时进度对照" in p)
    progress = pages[first:]
    assert len(progress) == 2 and all("目标进度" in p for p in progress)
    for page in progress:
        assert [c for c in ("C4", "C5-1", "C5-2", "C6", "C7", "C8", "D3-1", "D3-2") if c not in page] == []
    assert page_count(pdf) <= 16
