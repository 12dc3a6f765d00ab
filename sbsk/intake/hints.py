"""What a file that is not recognised as a return is told: which return it looks closest to, which
headers that return expects, and where the near miss was found. Also the one ambiguity of the unit
column: its alias 单位 is a common header for a unit of measure (个, 次, 万元 …), which says nothing
about a county."""

from __future__ import annotations

import re

from sbsk.schemas.definitions import Definitions, ReturnDef
from sbsk.text import header_key

BARE_UNIT = header_key("单位")
# what sits under a 单位 header that means a unit of measure, never a county or city
_MEASURE = re.compile(r"^(?:[万亿千百十]?(?:元|吨|人|户|个|千瓦时?|平方米|米|公里|千米|亩|公顷)(?:/.*)?|"
                      r"个|次|项|件|家|人次|天|日|月|年|小时|台|套|辆|座|处|所|张|份|条|批|宗|门|部|笔|端口|"
                      r"[\u4e00-\u9fff]|[^\u4e00-\u9fff]{1,12})$")  # one character (门, 埠) is no county's name
TEMPLATES = "请使用下发模板（sbsk templates 生成）填报"


def is_measure(values: list[str]) -> bool:
    """Whether the cells under a 单位 column are units of measure: all of the filled ones are."""
    filled = [header_key(v) for v in values if v and v.strip()]
    return bool(filled) and all(_MEASURE.match(v) for v in filled)


def expected(ret: ReturnDef) -> str:
    return "、".join(c.label for c in ret.columns if not c.optional)


def incomplete(near: list, defs: Definitions) -> str:
    """Headers of some return found, not all: the (at most three) closest returns, each once, with
    what it lacks and where its header row was seen."""
    seen, hints = set(), []
    for cand in near:
        if cand.ret.code in seen:
            continue
        seen.add(cand.ret.code)
        lacks = "、".join(cand.ret.column(f).label for f in cand.missing)
        hints.append(f"{cand.ret.code}「{cand.ret.title}」（工作表「{cand.sheet}」第{cand.header_idx + 1}行）缺少列：{lacks}")
        if len(hints) == 3:
            break
    return f"表头不完整，无法识别为任何报表。最接近的是：{'；'.join(hints)}。请补齐表头，或{TEMPLATES}"


def unrecognised(weak: list, header_texts: list[str], defs: Definitions) -> str:
    """No return's headers found: the closest return by the headers matched (weak candidates, one
    header besides the unit column at most), else by the characters the file's top rows share with
    each return's headers; with the headers that return expects."""
    if weak:
        best = max(weak, key=lambda c: (len(c.found), -list(defs.all_returns).index(c.ret.code)))
        found = "、".join(best.ret.column(f).label for f in best.found)
        return (f"未找到可识别的表头行：文件不符合任何一张报表。最接近的是{best.ret.code}「{best.ret.title}」"
                f"（工作表「{best.sheet}」第{best.header_idx + 1}行只有：{found}），该表的表头应为：{expected(best.ret)}；"
                f"{TEMPLATES}")
    grams = _bigrams(header_texts)
    scored = [(len(_bigrams([c.header for c in r.columns]) & grams), -i, r)
              for i, r in enumerate(defs.all_returns.values())]
    score, _, ret = max(scored, key=lambda s: s[:2])
    if not score:
        first = next(iter(defs.all_returns.values()))
        return (f"未找到可识别的表头行：文件前30行中没有任何一张报表的表头（每张报表第一列都是“县(市、区)”，"
                f"例如{first.code}「{first.title}」的表头为：{expected(first)}）；{TEMPLATES}")
    return (f"未找到可识别的表头行：文件不符合任何一张报表。与之最接近的是{ret.code}「{ret.title}」，"
            f"该表的表头应为：{expected(ret)}；{TEMPLATES}")


def _bigrams(texts: list[str]) -> set[str]:
    found = set()
    for text in texts:
        key = re.sub(r"[^\u4e00-\u9fff]", "", header_key(text))
        found |= {key[i:i + 2] for i in range(len(key) - 1)}
    return found
