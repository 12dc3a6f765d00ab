"""Periods and their dates: quarters `YYYYQn` (SPEC §2), months `YYYY-MM` (SPEC §9) and the half years
of the on-site review `YYYYHn` (SPEC §11).

Quarters and months answer the same questions (year, start, end, its name in Chinese, its kind), so code
that only needs a period's dates — due dates, receipts, submissions — takes either.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
_CN = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    kind = "quarter"

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


@dataclass(frozen=True, order=True)
class Month:
    year: int
    m: int

    kind = "month"

    @classmethod
    def parse(cls, text: str) -> "Month":
        m = _MONTH.match(text.strip())
        if not m:
            raise ValueError(f"not a month: {text!r} (write it as YYYY-MM, e.g. 2020-07)")
        return cls(int(m.group(1)), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.year}-{self.m:02d}"

    @property
    def start(self) -> date:
        return date(self.year, self.m, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.m, monthrange(self.year, self.m)[1])

    @property
    def year_start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def quarter(self) -> Quarter:
        """The quarter holding the month."""
        return Quarter(self.year, (self.m - 1) // 3 + 1)

    @property
    def chinese(self) -> str:
        return f"{self.year}年{self.m}月"

    # ---- what a dispatch (SPEC §9) asks of a month ----

    @property
    def previous_in_year(self) -> "Month | None":
        """The month a YTD amount is compared with (cumulative_decrease): none for January."""
        return Month(self.year, self.m - 1) if self.m > 1 else None

    @property
    def previous(self) -> "Month":
        """The month before, across a year end: what rank_change is measured against."""
        return Month(self.year, self.m - 1) if self.m > 1 else Month(self.year - 1, 12)

    @property
    def quarters_closed(self) -> list[Quarter]:
        """The quarters of the year that end on or before the month end (Q3 for September, not for July)."""
        return [Quarter(self.year, q) for q in range(1, 5) if Quarter(self.year, q).end <= self.end]


Period = Quarter | Month


def parse_period(text: str) -> Period:
    """A quarter (2020Q3) or a month (2020-07)."""
    for kind in (Quarter, Month):
        try:
            return kind.parse(text)
        except ValueError:
            pass
    raise ValueError(f"not a period: {text!r} (a quarter such as 2020Q3, or a month such as 2020-07)")


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
    """'quarter' for YYYYQn, 'half_year' for YYYYHn, 'month' for YYYY-MM, None for anything else (a
    folder name, say)."""
    t = text.strip().upper()
    if _QUARTER.match(t):
        return "quarter"
    if _HALF.match(t):
        return "half_year"
    if _MONTH.match(t):
        return "month"
    return None


def months_of(year: int) -> list[Month]:
    return [Month(year, m) for m in range(1, 13)]
