"""Normalising text as clerks write it: spaces, full-width forms, Traditional characters."""

from __future__ import annotations

import re
import unicodedata

# Traditional → Simplified for the characters that occur in unit names, headers and enumerations.
# A full converter (OpenCC) would be heavier than the need; extend this table when a new name needs it.
_T2S = str.maketrans(
    "縣區陽湯內黃關龍鄉鎮開發滙導項稱碼庫資總屬領實際簽約額來強業動數億萬設質續計劃畫產級點預達"
    "號專債補聯審應辦結評說類別標題準備進製礎態環會現務經濟營優規殘報單員註間時為與門陰豐長東鄴"
    "範試驗園廠場體舉後據檔個幣銀決頭簡價財統運輸網絡電醫療衛養農糧護響復覆儲稅權鋼鐵築礦氣熱綠"
    "傳車輛機樓廣橋線軌灣歷當從眾鄭藝術劇",
    "县区阳汤内黄关龙乡镇开发汇导项称码库资总属领实际签约额来强业动数亿万设质续计划画产级点预达"
    "号专债补联审应办结评说类别标题准备进制础态环会现务经济营优规残报单员注间时为与门阴丰长东邺"
    "范试验园厂场体举后据档个币银决头简价财统运输网络电医疗卫养农粮护响复复储税权钢铁筑矿气热绿"
    "传车辆机楼广桥线轨湾历当从众郑艺术剧",
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
