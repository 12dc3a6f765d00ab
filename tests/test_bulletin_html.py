"""bulletin-<quarter>.html on test_analyst_views' two quarters: self-contained, no lineage or flag
details, and in headless Chromium at 390 px no sideways scrolling with every unit shown."""

from __future__ import annotations

import re
from html import escape as html_escape, unescape as html_unescape
import shutil
import subprocess

import pytest

from sbsk.outputs.bulletin_html import write_quarter_html
from sbsk.store.warehouse import read_only
from test_analyst_views import out  # noqa: F401
from test_tongbao import UNITS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# appended only in the test copy: the page itself has no script. A desktop window is never narrower
# than ~500 px, so the page is laid out in an iframe of the phone's width (srcdoc: same origin), and
# the probe reports the page's widths and its visible text to the outer document
PROBE = ("<script>const d = document.documentElement; parent.document.title = 'probe ' + d.scrollWidth + ' ' + "
         "d.clientWidth; parent.document.body.setAttribute('data-shown', document.body.innerText);</script></body>")


@pytest.fixture(scope="module")
def page(out, tmp_path_factory):  # noqa: F811
    path = tmp_path_factory.mktemp("html") / "bulletin-2020Q2.html"
    with read_only(out) as con:
        write_quarter_html(con, "2020Q2", path)
    return path


def test_self_contained_and_public(page):
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert not re.search(r"\b(src|href)=|url\(|@import", html)
    assert "<svg" in html
    # no file names, row numbers or flag details
    assert ".xlsx" not in html and "行号" not in html and "开而未动" not in html
    assert "红榜" in html and "黑榜" in html
    assert "县(市)组：内黄县（3.00分）" in html and "区组：龙安区（0.00分）" in html
    assert "↑4" in html  # 内黄县 up from fifth to first


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="chromium not installed")
@pytest.mark.parametrize("width", [390, 1280])
def test_no_sideways_scrolling(page, tmp_path, width):
    probe = tmp_path / "probe.html"
    inner = html_escape(page.read_text(encoding="utf-8").replace("</body>", PROBE), quote=True)
    probe.write_text(f'<!DOCTYPE html><html><head><title>-</title></head><body style="margin:0">'
                     f'<iframe style="width:{width}px;height:900px;border:0" srcdoc="{inner}"></iframe></body></html>',
                     encoding="utf-8")
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path}/profile", f"--window-size={width + 200},900",
                          "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120).stdout
    scroll, client = map(int, re.search(r"<title>probe (\d+) (\d+)</title>", dom).groups())
    assert client <= width and scroll <= client, (scroll, client)
    shown = html_unescape(re.search(r'data-shown="([^"]*)"', dom).group(1))
    for unit in UNITS:
        assert unit in shown, unit
