"""Build tongbao.docx, the 通报 template the office edits in Word (python -m sbsk.outputs.tongbao.build_template).

The wording lives in the template, not in code: sbsk fills it with docxtpl from the facts in facts.py
(names such as groups, movements, indicators, findings). This script only makes the first version in
GB/T 9704 layout; after that the office may edit the .docx itself. The output is byte-for-byte the
same on every run (fixed document dates and zip timestamps), so a rebuild shows no spurious change.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt, RGBColor

from sbsk.outputs.tongbao.layout import (BODY_FONT, HEI_FONT, KAI_FONT, SIZE_2, SIZE_3, SIZE_TABLE, TITLE_FONT,
                                         document_defaults, exact_lines, font_table_fallbacks, page_number_footer, page_setup,
                                         set_fonts)

TEMPLATE = Path(__file__).with_name("tongbao.docx")
RED = RGBColor(0xC0, 0x00, 0x00)
ISSUER = "安阳市“四比四看”活动专班办公室"

BODY = [
    ("p", "{%p if restatement %}"),
    ("p", "本通报为第{{ restatement.number }}版，{{ restatement.day }}更正，替代第{{ restatement.previous }}版。"
          "更正原因：{{ restatement.reason }}。{% if restatement.changes %}更正后，{{ restatement.changes|join('；') }}"
          "{% else %}各单位的总分、名次和奖惩均未变化{% endif %}。"),
    ("p", "{%p endif %}"),
    ("h1", "一、总体情况"),
    ("p", "{{ period_name }}，{{ level_name }}{{ unit_count }}个{{ unit_name_cn }}参加“四比四看”活动考评，平均得分{{ mean_total }}分，"
          "最高{{ max_total }}分，最低{{ min_total }}分。{{ status_note }}"),
    ("h1", "二、考评结果"),
    ("h2", "（一）排名和奖惩"),
    ("p", "{%p for g in groups %}"),
    ("p", "{{ g.label }}：第一名{{ g.first|join('、') }}（{{ g.first_total }}分）{% if g.first_reward %}，"
          "{{ g.first_reward }}{% endif %}；末位{{ g.last|join('、') }}（{{ g.last_total }}分）{% if g.last_reward %}，"
          "{{ g.last_reward }}{% endif %}。{% if g.tie_note %}{{ g.tie_note }}。{% endif %}"),
    ("p", "{%p endfor %}"),
    ("p", "列入红榜的是{% for g in groups %}{{ g.label }}{{ g.red|join('、') or '（无）' }}{% if not loop.last %}，"
          "{% endif %}{% endfor %}；列入黑榜的是{% for g in groups %}{{ g.label }}{{ g.black|join('、') or '（无）' }}"
          "{% if not loop.last %}，{% endif %}{% endfor %}（红榜为{{ honour_roll.red }}，黑榜为{{ honour_roll.black }}）。"),
    ("h2", "（二）名次变化"),
    ("p", "{%p if has_previous %}"),
    ("p", "{%p for g in groups %}"),
    ("p", "{{ g.label }}与{{ previous_name }}相比，{% if g.up %}进位的有{{ g.up|join('、') }}{% else %}无进位单位{% endif %}；"
          "{% if g.down %}退位的有{{ g.down|join('、') }}{% else %}无退位单位{% endif %}。"
          "{% for s in g.streaks %}{{ s }}。{% endfor %}"),
    ("p", "{%p endfor %}"),
    ("p", "{%p else %}"),
    ("p", "{{ previous_name or '上期' }}无考评结果，本期不作名次比较。"),
    ("p", "{%p endif %}"),
    ("h2", "（三）分类得分"),
    ("p", "{%p for c in categories %}"),
    ("p", "{{ c.name }}（满分{{ c.max }}分）：{% for g in c.groups %}{{ g.label }}得分最高的是{{ g.best|join('、') }}"
          "（{{ g.best_points }}分）{% if not loop.last %}；{% endif %}{% endfor %}。"),
    ("p", "{%p endfor %}"),
    ("p", "{%p if indicators %}"),
    ("h2", "（四）单项指标"),
    ("p", "{%p for i in indicators %}"),
    ("p", "{{ i.code }}{{ i.name }}（满分{{ i.max }}分）：{% for g in i.groups %}{{ g.label }}"
          "{% if g.same %}各单位得分相同（{{ g.best_points }}分）{% else %}较好的是{{ g.best|join('、') }}"
          "（{{ g.best_points }}分），较差的是{{ g.worst|join('、') }}（{{ g.worst_points }}分）{% endif %}"
          "{% if not loop.last %}；{% endif %}{% endfor %}。"),
    ("p", "{%p endfor %}"),
    ("p", "{%p endif %}"),
    ("h1", "三、数据核查情况"),
    ("p", "{% if rejected_rows %}各部门报送的数据中，有{{ rejected_rows }}行未通过校验，已退回报送部门核实修改。{% endif %}"
          "{% if findings %}核查发现：{% for f in findings %}{% if f.flag == 'suspect_start' %}{{ f.count }}个项目疑似开而未动"
          "{% else %}{{ f.label }}{{ f.count }}处{% endif %}（涉及{{ f.units|join('、') }}）{% if not loop.last %}；{% endif %}"
          "{% endfor %}。请有关{{ unit_name_cn }}逐项核实，据实整改。{% else %}未发现数据异常。{% endif %}"),
    ("h1", "四、工作要求"),
    ("p", "各{{ unit_name_cn }}要对照考评结果，认真查找差距，细化工作措施，推动项目建设提质增效。"
          "排名靠后的{{ unit_name_cn }}要深入分析原因，制定整改措施，确保下一阶段工作有明显进位。"),
    ("p", "各{{ unit_name_cn }}和市直有关部门要严格按照时间节点报送数据，确保数据真实准确；"
          "对核查发现的问题，要逐项核实整改，并于下次报送前反馈整改情况。"),
    ("p", "附件：1.{{ period_name }}“四比四看”活动考评排名"),
    ("indent", "2.{{ attachment2_title }}"),
]


def _paragraph(doc, kind: str, text: str):
    p = doc.add_paragraph()
    exact_lines(p.paragraph_format)
    if kind == "p":
        p.paragraph_format.first_line_indent = Pt(32)   # two characters of 3号
    elif kind == "indent":
        p.paragraph_format.first_line_indent = Pt(80)   # under the 附件： line's 1.
    elif kind in ("h1", "h2"):
        p.paragraph_format.first_line_indent = Pt(32)
    font = {"h1": HEI_FONT, "h2": KAI_FONT}.get(kind, BODY_FONT)
    set_fonts(p.add_run(text), font, SIZE_3)
    return p


def _title(doc, text: str, size=SIZE_2, font=TITLE_FONT, color=None, pitch=None):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    exact_lines(p.paragraph_format, pitch or Pt(36))
    set_fonts(p.add_run(text), font, size, color=color)
    return p


def _red_rule(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", "C00000")):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.insert(0, border) if ppr.find(qn('w:pStyle')) is None else ppr.find(qn('w:pStyle')).addnext(border)


def _cell(cell, text: str, bold_font: str | None = None) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    exact_lines(p.paragraph_format, Pt(16))
    set_fonts(p.add_run(text), bold_font or BODY_FONT, SIZE_TABLE)


def _table(doc, rows: list[list[str]], widths_mm: list[float], header_rows: int = 1) -> None:
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            cell = table.cell(r, c)
            cell.width = Mm(widths_mm[c])
            _cell(cell, text, HEI_FONT if r < header_rows else None)


def _attachment(doc, number: str, title: str) -> None:
    p = doc.add_paragraph()
    p.add_run().add_break(WD_BREAK.PAGE)
    exact_lines(p.paragraph_format)
    set_fonts(p.add_run(f"附件{number}"), HEI_FONT, SIZE_3)
    _title(doc, title, Pt(18))


def build(path: Path = TEMPLATE) -> Path:
    doc = docx.Document()
    section = doc.sections[0]
    page_setup(section)
    page_number_footer(section)
    font_table_fallbacks(doc)
    document_defaults(doc)
    normal = doc.styles["Normal"]
    set_fonts(normal, BODY_FONT, SIZE_3)
    exact_lines(normal.paragraph_format)
    doc.paragraphs[0]._p.getparent().remove(doc.paragraphs[0]._p) if doc.paragraphs else None

    _title(doc, ISSUER, Pt(26), color=RED, pitch=Pt(44))
    _red_rule(_title(doc, "{{ doc_number }}", SIZE_3, BODY_FONT, pitch=LINE_PITCH_SAFE))
    doc.add_paragraph()
    _title(doc, "关于{{ period_name }}“四比四看”活动", pitch=Pt(36))
    _title(doc, "考评结果的通报", pitch=Pt(36))
    _title(doc, "{%p if version_label %}", SIZE_3, KAI_FONT, pitch=LINE_PITCH_SAFE)
    _title(doc, "（{{ version_label }}）", SIZE_3, KAI_FONT, pitch=LINE_PITCH_SAFE)
    _title(doc, "{%p endif %}", SIZE_3, KAI_FONT, pitch=LINE_PITCH_SAFE)
    doc.add_paragraph()
    p = doc.add_paragraph()
    exact_lines(p.paragraph_format)
    set_fonts(p.add_run("各{{ unit_name_cn }}人民政府，市直有关单位："), BODY_FONT, SIZE_3)
    _paragraph(doc, "p", "按照“四比四看”活动考评办法，专班办公室对{{ period_name }}各{{ unit_name_cn }}工作情况进行了考评，现将结果通报如下。")
    for kind, text in BODY:
        _paragraph(doc, kind, text)
    doc.add_paragraph()
    for text in (ISSUER, "{{ issue_date }}"):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(64)
        exact_lines(p.paragraph_format)
        set_fonts(p.add_run(text), BODY_FONT, SIZE_3)

    _attachment(doc, "1", "{{ period_name }}“四比四看”活动考评排名")
    _paragraph(doc, "p", "{%p for g in groups %}")
    _paragraph(doc, "h2", "{{ g.label }}")
    tc_open, tc_close = "{%tc for c in category_heads %}", "{%tc endfor %}"
    _table(doc, [
        ["名次", "{{ unit_name_cn }}", tc_open, "{{ c }}", tc_close, "总分", "名次变化", "奖惩（万元）"],
        ["{%tr for r in g.rows %}"] + [""] * 7,
        ["{{ r.rank }}", "{{ r.name }}", "{%tc for s in r.scores %}", "{{ s }}", tc_close, "{{ r.total }}",
         "{{ r.movement }}", "{{ r.reward }}"],
        ["{%tr endfor %}"] + [""] * 7,
    ], [12, 24, 2, 20, 2, 18, 18, 20])
    _paragraph(doc, "p", "{%p endfor %}")

    _attachment(doc, "2", "{{ attachment2_title }}")
    _paragraph(doc, "p", "{%p for g in groups %}")
    _paragraph(doc, "h2", "{{ g.label }}")
    _table(doc, [
        ["{{ detail_head }}", "满分", "{%tc for u in g.units %}", "{{ u }}", "{%tc endfor %}"],
        ["{%tr for d in g.detail %}", "", "", "", ""],
        ["{{ d.name }}", "{{ d.max }}", "{%tc for v in d.cells %}", "{{ v }}", "{%tc endfor %}"],
        ["{%tr endfor %}", "", "", "", ""],
    ], [44, 12, 2, 17, 2])
    _paragraph(doc, "p", "{%p endfor %}")

    doc.core_properties.title = "“四比四看”活动考评结果通报（模板）"
    doc.core_properties.author = "sbsk"
    doc.core_properties.created = doc.core_properties.modified = datetime(2020, 1, 1)
    doc.core_properties.last_modified_by = "sbsk"
    doc.core_properties.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    _reproducible_zip(buffer.getvalue(), path)
    return path


LINE_PITCH_SAFE = Pt(28.95)


def _reproducible_zip(data: bytes, path: Path) -> None:
    """Rewrite the package with fixed timestamps and without the default template's thumbnail."""
    src = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename == "docProps/thumbnail.jpeg":
                continue
            blob = src.read(info.filename)
            if info.filename == "_rels/.rels":
                blob = re.sub(rb'<Relationship [^>]*thumbnail[^>]*/>', b"", blob)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(fixed, blob)


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE))
