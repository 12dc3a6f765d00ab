"""Quarters (YYYYQn) and their dates (SPEC §2)."""

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
