"""Text: normalising it as clerks write it (spaces, full-width forms, Traditional characters), and
making untrusted text safe to write into a workbook, print to a terminal or use in a path."""

from __future__ import annotations

import re
import unicodedata

# Traditional → Simplified for the characters that occur in unit names, headers and enumerations.
# A full converter (OpenCC) would be heavier than the need; extend this table when a new name needs it.
_T2S = str.maketrans(
    "縣區陽湯內黃關龍鄉鎮開發滙導項稱碼庫資總屬領實際簽約額來強業動數億萬設質續計劃畫產級點預達"
    "號專債補聯審應辦結評說類別標題準備進製礎態環會現務經濟營優規殘報單員註間時為與門陰豐長東鄴"
    "範試驗園廠場體舉後據檔個幣銀決頭簡價財統運輸網絡電醫療衛養農糧護響復覆儲稅權鋼鐵築礦氣熱綠"
    "傳車輛機樓廣橋線軌灣歷當從眾鄭藝術劇觀組謀",
    "县区阳汤内黄关龙乡镇开发汇导项称码库资总属领实际签约额来强业动数亿万设质续计划画产级点预达"
    "号专债补联审应办结评说类别标题准备进制础态环会现务经济营优规残报单员注间时为与门阴丰长东邺"
    "范试验园厂场体举后据档个币银决头简价财统运输网络电医疗卫养农粮护响复复储税权钢铁筑矿气热绿"
    "传车辆机楼广桥线轨湾历当从众郑艺术剧观组谋",
)

_SPACE = re.compile(r"\s+")


def simplify(text: str) -> str:
    """NFKC (full-width → half-width) then Traditional → Simplified."""
    return unicodedata.normalize("NFKC", text).translate(_T2S)


def squash(text: str) -> str:
    """A comparison key: simplified, no white space anywhere (line breaks in headers included)."""
    return _SPACE.sub("", simplify(text))


def header_key(text: str) -> str:
    """A header's comparison key: squashed, with brackets and punctuation unified."""
    key = squash(text)
    return key.replace("（", "(").replace("）", ")").replace("，", ",").replace("、", ",")


# ---- untrusted text on its way out: never a character Excel, a terminal or a path would act on ----
EXCEL_MAX_TEXT = 32_767  # Excel's own cap on the characters in one cell
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069]")
# what a file or folder name must not hold: control and text-direction characters, a backslash
_ODD_IN_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\\\\]")


def excel_text(text: str) -> str:
    """Text a workbook cell can hold as written: no XML-illegal characters, at most 32,767 of them."""
    text = _ILLEGAL_XML.sub("\ufffd", text)
    return text if len(text) <= EXCEL_MAX_TEXT else text[:EXCEL_MAX_TEXT - 1] + "…"


def printable(text: str) -> str:
    """Text safe to print to a terminal: control and direction characters shown, not obeyed."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


def odd_name(name: str) -> bool:
    """Whether a file name holds control or text-direction characters (or a backslash)."""
    return _ODD_IN_NAME.search(name) is not None


def safe_component(name: str, fallback: str = "_") -> str:
    """One path component built from untrusted text (a unit, sheet or file name): no separators or
    control characters, never '.' or '..' or absolute, never empty, at most 100 characters."""
    text = re.sub(r'[/\\:*?"<>|]', "_", name)
    text = _ODD_IN_NAME.sub("", _UNPRINTABLE.sub("", text)).strip().strip(".")
    return text[:100] or fallback


def column_letter(index: int) -> str:
    """The letters Excel names a column by, from its 0-based index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
