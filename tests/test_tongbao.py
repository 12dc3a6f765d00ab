"""The 通报 draft (tongbao-<quarter>.docx) on test_analyst_views' two hand-built quarters.

Known answers from that module's docstring: in 2020Q2 内黄县 is first of the county group with 3.00
(up 4 places from last), 滑县 last with 0.00; 文峰区 first of the district group with 2.00 and 龙安区
last with 0.00, both for the second quarter running; one 新开工 project of 内黄县 has nothing invested
(开而未动). Rewards are the default ±200000 yuan = 20万元.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from sbsk.outputs.tongbao import write_quarter_tongbao
from sbsk.outputs.tongbao.document import TEMPLATE
from sbsk.store.warehouse import read_only
from test_analyst_views import out  # noqa: F401  (the module-scoped fixture)

UNITS = ["林州市", "安阳县", "汤阴县", "滑县", "内黄县", "文峰区", "北关区", "殷都区", "龙安区"]


def text_of(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def tongbao(out, tmp_path_factory):  # noqa: F811
    path = tmp_path_factory.mktemp("tongbao") / "tongbao-2020Q2.docx"
    with read_only(out) as con:
        write_quarter_tongbao(con, "2020Q2", path)
    return path


def test_the_draft_states_the_results(tongbao):
    text = text_of(tongbao)
    assert "关于2020年第二季度“四比四看”活动" in text
    assert "县(市)组：第一名内黄县（3.00分），奖励20万元；末位滑县（0.00分），扣减20万元。" in text
    assert "区组：第一名文峰区（2.00分），奖励20万元；末位龙安区（0.00分），扣减20万元。" in text
    assert "进位的有内黄县（进4位）" in text
    assert "退位的有林州市（退1位）、安阳县（退1位）、汤阴县（退1位）、滑县（退1位）" in text
    assert "文峰区连续2期位居第一" in text and "龙安区连续2期位居末位" in text
    # A1 is the only indicator with points: 内黄 best, 滑县 worst in the county group
    assert "较好的是内黄县（3.00分），较差的是滑县（0.00分）" in text
    assert "1个项目疑似开而未动（涉及内黄县）" in text
    for unit in UNITS:
        assert unit in text, unit


def test_a_changed_template_changes_the_document(out, tmp_path):  # noqa: F811
    template = tmp_path / "edited.docx"
    shutil.copy(TEMPLATE, template)
    d = docx.Document(str(template))
    target = next(p for p in d.paragraphs if "现将结果通报如下" in p.text)
    for run in target.runs[1:]:
        run.text = ""
    target.runs[0].text = "{{ period_name }}考评已结束，特通报如下，请各单位对照整改。"
    d.save(str(template))
    path = tmp_path / "tongbao.docx"
    with read_only(out) as con:
        write_quarter_tongbao(con, "2020Q2", path, template=template)
    text = text_of(path)
    assert "2020年第二季度考评已结束，特通报如下，请各单位对照整改。" in text
    assert "现将结果通报如下" not in text


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"), reason="LibreOffice not installed")
def test_the_printed_draft_holds_every_unit_and_total(tongbao, tmp_path):
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tongbao)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "tongbao-2020Q2.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    compact = text.replace(" ", "")
    for unit in UNITS:
        assert unit in compact, unit
    for total in ("3.00", "2.00", "1.00", "0.50", "0.00"):
        assert total in text, total
    assert "附件1" in compact and "附件2" in compact


def test_the_template_is_rebuilt_byte_for_byte(tmp_path):
    from sbsk.outputs.tongbao.build_template import build
    first, second = build(tmp_path / "a.docx"), build(tmp_path / "b.docx")
    assert first.read_bytes() == second.read_bytes()
    # the shipped template is the script's output until the office edits it in Word
    assert first.read_bytes() == TEMPLATE.read_bytes()


def test_the_workbook_movement_sheet(out, tmp_path):  # noqa: F811
    from openpyxl import load_workbook
    from sbsk.outputs.bulletin import write_quarter_bulletin
    path = tmp_path / "bulletin-2020Q2.xlsx"
    with read_only(out) as con:
        write_quarter_bulletin(con, "2020Q2", path)
    rows = [[c.value for c in row] for row in load_workbook(path)["名次变化"].iter_rows(min_row=3)]
    assert ["县(市)组", 1, "内黄县", "3.00", "进位4位", 1, None] in rows
    assert ["县(市)组", 5, "滑县", "0.00", "退位1位", None, 1] in rows
    assert ["区组", 4, "龙安区", "0.00", "持平", None, 2] in rows
    assert ["县(市)组", "红榜", "内黄县", "3.00"] + [None] * 3 in rows
    assert ["区组", "黑榜", "龙安区", "0.00"] + [None] * 3 in rows
    a1 = next(r for r in rows if r[0] and str(r[0]).startswith("A1 ") and r[1] == "县(市)组")
    assert a1[2:6] == ["内黄县", "3.00", "滑县", "0.00"]
