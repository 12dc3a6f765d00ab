"""GB/T 9704 page and type for the 通报 template: A4, 版心 156 × 225 mm, 3号 body at 28 × 22.

The 公文 fonts are named (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312); the font table gives each an
alternative name and the GB2312 charset, so Word and LibreOffice on a machine without them fall back
to an installed CJK face (Noto Serif / Sans CJK SC) instead of a Latin one.
"""

from __future__ import annotations

from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
FALLBACKS = {TITLE_FONT: "Noto Serif CJK SC", BODY_FONT: "Noto Serif CJK SC", KAI_FONT: "Noto Serif CJK SC",
             HEI_FONT: "Noto Sans CJK SC"}
SIZE_2 = Pt(22)   # 2号
SIZE_3 = Pt(16)   # 3号
SIZE_4 = Pt(14)   # 4号
SIZE_TABLE = Pt(10.5)  # 五号, the attachments' tables
# 225 mm / 22 lines = 28.95 pt a line; 156 mm / 28 characters = 15.79 pt a character
LINE_PITCH_TWIPS = 579
LINE_PITCH = Pt(28.95)
CHAR_SPACING = -5  # twentieths of a point: 28 × (16 − 0.25) pt = 441 pt ≤ 442.2 pt (156 mm)


def set_fonts(rpr_owner, east_asia: str, size: Pt | None = None, bold: bool | None = None, color=None) -> None:
    """Font on a run or a style: the CJK face for East-Asian text, Times New Roman for digits and Latin."""
    font = rpr_owner.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color
    rpr = rpr_owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def exact_lines(paragraph_format, pitch: Pt = LINE_PITCH) -> None:
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = pitch
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


def page_setup(section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    # 版心 156 × 225: top 37, bottom 35, left 28, right 26
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    # a line grid only: LibreOffice spreads CJK text over two cells of a character grid, so the 28
    # characters a line come from the body's character spacing (CHAR_SPACING) instead
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))


def document_defaults(document) -> None:
    """LibreOffice sizes the character grid from the document defaults, not from Normal: make them 3号."""
    styles = document.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CHAR_SPACING))
    rpr.append(spacing)
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), "32")
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)


def page_number_footer(section) -> None:
    """— 1 — centred in 4号 宋体, as 公文 number their pages."""
    p = section.footer.paragraphs[0]
    p.alignment = 1
    for text, field in (("— ", False), ("PAGE", True), (" —", False)):
        if field:
            fld = OxmlElement("w:fldSimple")
            fld.set(qn("w:instr"), "PAGE")
            run = p.add_run("1")
            fld.append(run._r)
            p._p.append(fld)
            set_fonts(run, "宋体", SIZE_4)
        else:
            set_fonts(p.add_run(text), "宋体", SIZE_4)


def font_table_fallbacks(document) -> None:
    """Declare the 公文 fonts in word/fontTable.xml with an altName, charset GB2312 and a family."""
    part = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    from lxml import etree
    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, alt in FALLBACKS.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": "modern" if name == HEI_FONT else "roman"})
        etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
