"""Values as clerks write them: numbers as text, dates as text or serials, the other forms of a
unit's name, stale copies, noisy headers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sbsk.config.registry import load_registry
from sbsk.samples.layouts.vocabulary import EXCEL_EPOCH, FULL_WIDTH, S2T

def as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def plain_number(value: Decimal) -> int | float:
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def number_text(value: Decimal, i: int) -> str:
    """A number as a clerk types it into a text cell, in one of three ways."""
    value = value.normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    text = f"{value:,f}"
    style = i % 3
    if style == 1:
        return f" {text} "
    if style == 2:
        return text.translate(FULL_WIDTH)
    return text


def date_text(d: date, style: str) -> str | int:
    if style == "serial":
        return (d - EXCEL_EPOCH).days
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year}/{d.month}/{d.day}"


def unit_forms() -> dict[str, list[str]]:
    """Canonical unit name → the other ways clerks write it: short, Traditional, padded, 人民政府."""
    forms = {}
    for unit in load_registry().units:
        short = [a for a in unit.aliases if unit.name.startswith(a) and len(a) < len(unit.name)]
        trad = unit.name.translate(S2T)
        out = []
        if short:
            out.append(short[0])
        out.append(trad if trad != unit.name else f"{unit.name}人民政府")
        out.append(f"\u3000{unit.name} ")
        out.append(f"  {trad} " if trad != unit.name else f" {unit.name}  ")
        forms[unit.name] = out
    return forms


def stale_copy(value: Any) -> Any:
    """An older value of a cell, as a hidden stale copy of a column would hold it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (date, datetime)):
        return value - timedelta(days=30)
    return as_decimal(value) * Decimal("0.8")


def noisy_header(text: str, j: int) -> str:
    """Line breaks, spaces and full-width brackets, as clerks leave them in headers."""
    t = text.replace("(", "（").replace(")", "）")
    if "（" in t and not t.startswith("（"):
        k = t.index("（")
        return t[:k] + "\n" + t[k:]
    if len(t) <= 4:
        return " ".join(t)
    if j % 2:
        mid = len(t) // 2
        return t[:mid] + "\n" + t[mid:]
    return f" {t} "
