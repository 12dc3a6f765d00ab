"""Quarters (YYYYQn, SPEC §2) and the half years of the on-site review (YYYYHn, SPEC §11)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
_CN = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        m = _QUARTER.match(text.strip().upper())
        if not m:
            raise ValueError(f"not a quarter: {text!r} (write it as YYYYQn, e.g. 2020Q3)")
        return cls(int(m.group(1)), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> date:
        return date(self.year, *_ENDS[self.q])

    @property
    def year_start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def previous_in_year(self) -> "Quarter | None":
        return Quarter(self.year, self.q - 1) if self.q > 1 else None

    @property
    def chinese(self) -> str:
        return f"{self.year}年第{_CN[self.q]}季度"


def quarters_of(year: int) -> list[Quarter]:
    return [Quarter(year, q) for q in range(1, 5)]


_HALF = re.compile(r"^(\d{4})H([12])$")
_HALF_CN = {1: "上半年", 2: "下半年"}


@dataclass(frozen=True, order=True)
class HalfYear:
    """A half year of the on-site review (SPEC §11), written YYYYH1 / YYYYH2."""

    year: int
    h: int

    @classmethod
    def parse(cls, text: str) -> "HalfYear":
        m = _HALF.match(text.strip().upper())
        if not m:
            raise ValueError(f"not a half year: {text!r} (write it as YYYYH1 or YYYYH2, e.g. 2020H1)")
        return cls(int(m.group(1)), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.year}H{self.h}"

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.h == 1 else 7, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.h == 1 else date(self.year, 12, 31)

    @property
    def chinese(self) -> str:
        return f"{self.year}年{_HALF_CN[self.h]}"


def halves_of(year: int) -> list[HalfYear]:
    return [HalfYear(year, 1), HalfYear(year, 2)]


def period_kind(text: str) -> str | None:
    """'quarter' for YYYYQn, 'half_year' for YYYYHn, None for anything else (a folder name, say)."""
    t = text.strip().upper()
    if _QUARTER.match(t):
        return "quarter"
    if _HALF.match(t):
        return "half_year"
    return None
