"""The rules of R12 观摩评分 (SPEC §11) beyond what returns.toml says of a column.

Per row (part of validating a file, so `sbsk check` applies them too): 评分人单位 is a registry unit or
a department, and never the unit scored (回避); an item lies in [0, its maximum] (the rubric's [review])
with at most two decimals. Per period (over every R12 file of a half year, in file and row order): one
row per assessor and unit; a second one is rejected and the message names the first.

Names are kept in their comparison form (sbsk.text.squash): "张 三" and "张三" are one assessor, and
"第一观摩组" is one group however it is spaced.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pandas as pd

from sbsk.config.registry import find_unit
from sbsk.intake.parse import CellError
from sbsk.text import column_letter
from sbsk.schemas.definitions import ReturnDef, load_returns
from sbsk.text import squash

CENT = Decimal("0.01")


def _departments() -> dict[str, str]:
    """Comparison key → department code, by code, name and alias."""
    keys = {}
    for dept in load_returns().departments.values():
        for name in (dept.code, dept.name, *dept.aliases):
            keys[squash(name).lower() if name == dept.code else squash(name)] = dept.code
    return keys


def _decimal(value) -> Decimal | None:
    """The number as the clerk wrote it (a float's shortest form), never its binary expansion."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    try:
        return Decimal(repr(float(value)))
    except (InvalidOperation, ValueError):
        return None


def _text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def review_row_problems(typed: pd.DataFrame, ret: ReturnDef, units: dict[str, str],
                        item_max: dict[str, str]) -> tuple[pd.DataFrame, list[CellError]]:
    """The typed frame with names in comparison form and 评分人单位 as a unit or department code, and
    the cells that break a rule. `item_max`: item field → its maximum points (as text)."""
    typed = typed.copy()
    problems: list[CellError] = []
    depts = _departments()
    for name in ("assessor", "review_group"):
        typed[name] = typed[name].map(lambda v: squash(v) if isinstance(v, str) else v,
                                      na_action="ignore").astype("string")
    resolved = []
    for i, raw, unit in zip(typed.index, typed["assessor_unit"], typed["unit"]):
        text = _text(raw)
        if not text:
            resolved.append(pd.NA)
            continue
        code = find_unit(units, text) or depts.get(squash(text)) or depts.get(squash(text).lower())
        if code is None:
            problems.append(CellError(i, "assessor_unit", text,
                                      f"「{text}」不是县(市、区)或市直部门名称，请填写规范名称（如 林州市、"
                                      f"市发展改革委），以便核查回避"))
        elif isinstance(unit, str) and code == unit:
            problems.append(CellError(i, "assessor_unit", text,
                                      f"评分人单位「{text}」就是被评单位，按回避规定评分人不得为本单位评分，此行不计分"))
        resolved.append(code if code else pd.NA)
    typed["assessor_unit"] = pd.Series(pd.array(resolved, dtype="string"), index=typed.index)
    for field, top in item_max.items():
        col = ret.column(field)
        limit = Decimal(top)
        for i, value in zip(typed.index, typed[field]):
            number = _decimal(value)
            if number is None:
                continue
            if number > limit:
                problems.append(CellError(i, field, _plain(number),
                                          f"{col.header}({_plain(number)})超过该项满分{_plain(limit)}"))
            elif number != number.quantize(CENT):
                problems.append(CellError(i, field, _plain(number), f"{col.header}({_plain(number)})最多保留两位小数"))
    return typed, problems


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f") if number == number.to_integral_value() else format(number, "f")


def reject_second_scores(results: list, ret: ReturnDef) -> list:
    """A second row of the same assessor for the same unit in a period is rejected, naming the first
    (file and row). `results` are FileResults in discovery order; their loaded rows shrink in place."""
    first: dict[tuple[str, str], tuple[str, int]] = {}
    for res in results:
        if res.status != "loaded" or res.return_code != ret.code or res.loaded is None or not len(res.loaded):
            continue
        keep = []
        for assessor, unit, number in zip(res.loaded["assessor"], res.loaded["unit"], res.loaded["_row"]):
            key = (assessor, unit)
            if key not in first:
                first[key] = (res.source.rel, int(number))
                keep.append(True)
                continue
            where, at = first[key]
            place = "本文件" if where == res.source.rel else where + " "
            res.rejections.append(_rejection(res, ret, "assessor", int(number), assessor,
                                             f"评分人「{assessor}」已在{place}第{at}行为该县(市、区)评分，"
                                             f"同一评分人对同一单位每半年只能评分一次"))
            keep.append(False)
        res.loaded = res.loaded[keep].reset_index(drop=True)
        res.rejections.sort(key=lambda r: (r["row_number"] is not None, r["row_number"] or 0))
    return results


def _rejection(res, ret: ReturnDef, field: str, row_number: int, value, message: str) -> dict:
    col = ret.column(field)
    index = res.columns.get(field)
    letter = column_letter(index) if index is not None else "?"
    return {
        "row_number": row_number, "column_name": col.label, "row_key": ret.row_key({field: value}) if ret.keys == (field,) else None,
        "cell": f"{letter}{row_number}" if letter != "?" else None, "value": _text(value),
        "message": f"{res.source.rel} 工作表「{res.sheet}」第{row_number}行 {letter}列「{col.label}」：{message}",
    }
