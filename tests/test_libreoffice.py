"""Every workbook of a small evaluated year opens and prints in LibreOffice (slow: about half a minute).

Skipped when LibreOffice is not installed. On Debian/Ubuntu:
    apt-get install -y --no-install-recommends libreoffice-calc poppler-utils fonts-noto-cjk
(poppler-utils gives pdfinfo/pdftotext, fonts-noto-cjk the Chinese glyphs; both are optional here).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from builders import UNITS, baseline, write_quarter
from conftest import evaluate

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not on PATH: "
                                "apt-get install libreoffice-calc to run the PDF rendering test")
TIMEOUT = 300


def _year_rows(q: int) -> dict:
    rows = baseline(day=date(2020, 3 * q - 1, 10))
    for r in rows["R04"] + rows["R05"] + rows["R08"]:
        r["ytd_completed"] = r["ytd_completed"] * q / 4
    if q == 2:  # one rejected row, so the validation report has something to say
        rows["R06"][0] = dict(unit="林州市", project_name="超付项目", allocated=1000, paid=1500)
    return rows


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> list[Path]:
    from sbsk.schemas import load_returns
    from sbsk import pipeline
    from sbsk.outputs.bulletin import write_annual_bulletin, write_quarter_bulletin
    from sbsk.config.registry import load_registry
    from sbsk.config.rubric import load_rubric
    from sbsk.outputs.validation_report import write_validation_report

    root = tmp_path_factory.mktemp("libreoffice")
    raw, out = root / "raw", root / "out"
    quarters = [f"2020Q{q}" for q in range(1, 5)]
    for q in range(1, 5):
        write_quarter(raw, quarters[q - 1], _year_rows(q))
        assert evaluate(raw, out, quarters[q - 1])["status"] == "done"
    pipeline.publish_year(2020, load_returns(), load_rubric(), load_registry(), out, pipeline.new_run_id(),
                          pipeline.now())
    con = pipeline.open_published(out)
    try:
        paths = []
        for q in quarters:
            paths.append(write_quarter_bulletin(con, q, out / q / f"bulletin-{q}.xlsx"))
            paths.append(write_validation_report(con, q, out / q / f"validation-{q}.xlsx"))
        paths.append(write_annual_bulletin(con, 2020, out / "2020" / "bulletin-2020.xlsx"))
    finally:
        con.close()
    return paths


def to_pdf(workbooks: list[Path], out_dir: Path, profile: Path) -> list[Path]:
    """Convert with a private LibreOffice profile, so a desktop session or another test cannot interfere."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, workbooks)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr[-2000:]
    return [out_dir / f"{p.stem}.pdf" for p in workbooks]


def page_count(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def _sheet_count(path: Path) -> int:
    from openpyxl import load_workbook

    return len(load_workbook(path, read_only=True).sheetnames)


def test_every_workbook_renders_to_a_sensible_pdf(workbooks, tmp_path):
    pdfs = to_pdf(workbooks, tmp_path / "pdf", tmp_path / "profile")
    assert len(workbooks) == 9  # four bulletins, four validation reports, the annual bulletin
    for book, pdf in zip(workbooks, pdfs):
        assert pdf.exists() and pdf.stat().st_size > 1000, book.name
        assert pdf.read_bytes().startswith(b"%PDF"), book.name
        sheets = _sheet_count(book)
        # every sheet prints, and none spills over many pages (each is fitted to the page width)
        assert sheets <= page_count(pdf) <= 3 * sheets, (book.name, sheets, page_count(pdf))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not on PATH")
def test_ranking_fits_on_the_first_page(workbooks, tmp_path):
    books = [p for p in workbooks if p.name in ("bulletin-2020Q3.xlsx", "bulletin-2020.xlsx")]
    for pdf in to_pdf(books, tmp_path / "pdf", tmp_path / "profile"):
        text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                              capture_output=True, text=True, timeout=60).stdout
        assert "四比四看" in text and "县(市)组" in text and "区组" in text, pdf.name
        missing = [name for name in UNITS.values() if name not in text]
        assert missing == [], (pdf.name, missing)  # both groups, all nine units, on page 1


def _words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) of every word on a page, from pdftotext -bbox."""
    xml = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                         capture_output=True, text=True, timeout=60).stdout
    return [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', xml)]


def _page_with(pdf: Path, text: str) -> int:
    for page in range(1, page_count(pdf) + 1):
        found = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                               capture_output=True, text=True, timeout=60).stdout
        if text in found:
            return page
    raise AssertionError(f"{pdf.name}: no page says {text}")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not on PATH")
def test_the_indicator_sheet_prints_every_name_whole(workbooks, tmp_path):
    """The printed 指标名称 row, read column by column between the code row and the 满分 row, spells
    every indicator's name from the rubric in full: a row too short for a long name (A4, D1) clips
    its first and last lines."""
    from sbsk.config.rubric import load_rubric

    book = next(p for p in workbooks if p.name == "bulletin-2020Q3.xlsx")
    pdf = to_pdf([book], tmp_path / "pdf", tmp_path / "profile")[0]
    words = _words(pdf, _page_with(pdf, "各指标得分"))
    names = {i.code: i.name for i in load_rubric().indicators}
    heads = {w: (x0 + x1) / 2 for x0, y0, x1, y1, w in words if w in names}
    assert set(heads) == set(names)
    top = max(y1 for x0, y0, x1, y1, w in words if w in names)
    bottom = min(y0 for x0, y0, x1, y1, w in words if w == "满分") - 2
    xs = sorted(heads.values())
    for code, mid in heads.items():
        i = xs.index(mid)
        lo = (xs[i - 1] + mid) / 2 if i else mid - 30
        hi = (xs[i + 1] + mid) / 2 if i + 1 < len(xs) else mid + 30
        printed = "".join(w for _, _, w in sorted(
            (y0, x0, w) for x0, y0, x1, y1, w in words if top < y0 < bottom and lo <= (x0 + x1) / 2 < hi))
        assert printed == names[code], code


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not on PATH")
def test_the_printed_rejection_names_its_row_and_says_the_whole_problem(workbooks, tmp_path):
    """2020Q2's one rejected row (林州 超付项目: paid 1500 above the 1000 allocated) prints with its key
    field and its problem, the problem without the file and row again."""
    book = next(p for p in workbooks if p.name == "validation-2020Q2.xlsx")
    pdf = to_pdf([book], tmp_path / "pdf", tmp_path / "profile")[0]
    page = _page_with(pdf, "退回明细")
    text = "".join(w for *_, w in _words(pdf, page))
    assert "关键字段" in text and "项目名称：超付项目" in text
    assert "已支付资金(1500)超过下达中央预算内资金(1000)" in text
    assert "第3行" not in text  # the row has its own column
