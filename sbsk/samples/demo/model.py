"""The year being modelled: each unit's strength, the pace of a year's work, and the random draws
every return's builder makes (working days, counts, planned amounts, year-to-date money, names).

Every unit has a strength (林州市 and 文峰区 strong, 滑县 and 北关区 weak) that drives how many projects
it reports, how large they are and how fast they progress; a project's year-to-date money never
decreases.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from chinese_calendar import get_workdays

from sbsk.config.periods import Quarter, quarters_of
from sbsk.config.registry import Unit
from sbsk.config.rubric import Indicator
from sbsk.config.rubric_years import rubric_for_year
from sbsk.samples.demo.vocabulary import INDUSTRY, PLACES, SECTOR_PLACES, SUBJECTS

STRENGTH = {
    "410581": 0.95,  # 林州市
    "410502": 0.90,  # 文峰区
    "410522": 0.70,  # 安阳县
    "410505": 0.70,  # 殷都区
    "410523": 0.60,  # 汤阴县
    "410506": 0.60,  # 龙安区
    "410527": 0.55,  # 内黄县
    "410503": 0.35,  # 北关区
    "410526": 0.30,  # 滑县
}
DEFAULT_STRENGTH = 0.6
NO_BONDS_UNIT = "410503"  # 北关区
NO_EVENT = ("410526", 2)  # 滑县, Q2
SUSPECT_START = ("410527", 3)  # 内黄县, Q3

# The share of a year's work done in each quarter: Q1 is slow for the Spring Festival (and, in 2020,
# the epidemic). Strong units front-load their work; weak ones rush at the year end.
PACE = (0.7, 1.2, 1.1, 1.0)
FRONT_LOADING = 0.4

Snapshots = list  # a row (dict) or None for each of Q1..Q4


@dataclass
class Year:
    year: int
    seed: int
    codes: set[str] = field(default_factory=set)  # project codes in use: unique across returns
    event_days: dict[int, date] = field(init=False)  # the city-wide groundbreaking event of each quarter
    allocation_docs: dict[int, list[str]] = field(init=False)  # the central-budget batches of each quarter
    assessed: list[Indicator] = field(init=False)  # the indicators the office scores itself (R10)

    def __post_init__(self) -> None:
        rng = self.rng("city")
        self.event_days = {q.q: workday(rng, date(self.year, 3 * q.q - 1, 1), q.end) for q in self.quarters}
        self.allocation_docs = {q.q: [f"豫发改投资〔{self.year}〕{rng.randint(20, 999)}号" for _ in range(2)]
                                for q in self.quarters}
        self.assessed = [i for i in rubric_for_year(self.year).indicators if any(p.method == "assessor" for p in i.parts)]

    @property
    def quarters(self) -> list[Quarter]:
        return quarters_of(self.year)

    def quarter(self, q: int) -> Quarter:
        return Quarter(self.year, q)

    def rng(self, *keys) -> random.Random:
        """An independent stream per purpose, so changing one return leaves the others' data alone."""
        return random.Random("/".join(map(str, (self.seed, *keys))))

    def project_code(self, rng: random.Random, unit: Unit, sector: str, year: int) -> str:
        while True:
            code = (f"{year}-{unit.code}-{rng.choice(INDUSTRY[sector])}-{rng.choice(('01', '02', '03'))}"
                    f"-{rng.randint(1, 999999):06d}")
            if code not in self.codes:
                self.codes.add(code)
                return code


def strength(unit: Unit) -> float:
    return STRENGTH.get(unit.code, DEFAULT_STRENGTH)


@cache
def _workdays(start: date, end: date) -> tuple[date, ...]:
    return tuple(get_workdays(start, end))


def workday(rng: random.Random, start: date, end: date) -> date:
    """A working day in [start, end]: offices date their papers on working days."""
    return rng.choice(_workdays(start, end))


def quarter_of(day: date, year: int) -> int:
    """1..4 within the year, 1 for earlier years, 5 for later ones."""
    if day.year != year:
        return 1 if day.year < year else 5
    return (day.month - 1) // 3 + 1


def yes_no(flag: bool) -> str:
    return "是" if flag else "否"


def how_many(rng: random.Random, s: float, base: float, spread: float) -> int:
    """How many items a unit of strength s reports: base + spread·s, give or take one."""
    return max(1, round(base + spread * s + rng.uniform(-1, 1)))


def amount_wan(rng: random.Random, lo: int, hi: int, s: float) -> int:
    """A planned amount in [lo, hi] 万元: log-uniform, larger for stronger units, rounded as planners do."""
    value = lo * (hi / lo) ** (rng.random() ** (1.5 - s))
    step = 100 if value >= 10000 else 10 if value >= 1000 else 1
    return int(min(max(round(value / step) * step, lo), hi))


def delivery(rng: random.Random, s: float) -> float:
    """The share of the annual plan a project delivers by year end."""
    return min(max(rng.gauss(0.65 + 0.45 * s, 0.08), 0.4), 1.25)


def year_to_date(rng: random.Random, s: float, final: float, first_q: int, last_q: int = 4) -> list[float]:
    """Year-to-date amounts at Q1..Q4: 0 before first_q, rising every quarter up to last_q, then flat."""
    weights = [PACE[q - 1] * (1 + FRONT_LOADING * (s - 0.6) * (2.5 - q)) * rng.uniform(0.7, 1.3)
               if first_q <= q <= last_q else 0.0 for q in range(1, 5)]
    total = sum(weights)
    running, out = 0.0, []
    for w in weights:
        running += w
        out.append(round(final * running / total, 2) if total else 0.0)
    return out


def growing_item(rng: random.Random, s: float, fixed: dict, money: str, final: float, first_q: int) -> Snapshots:
    """A project reported from first_q on, with its year-to-date `money` growing towards `final`."""
    ytd = year_to_date(rng, s, final, first_q)
    return [None if q < first_q else {**fixed, money: ytd[q - 1]} for q in range(1, 5)]


def pick_sector(rng: random.Random, s: float) -> str:
    # Strong units attract more manufacturing and new infrastructure (the A3 quality sectors).
    weights = {"先进制造业": 2 + 2 * s, "新基建": 1 + 1.5 * s, "基础设施": 2, "生态环保": 1.2,
               "社会民生": 1.5, "现代服务业": 1.2, "其他": 0.4}
    return rng.choices(list(weights), list(weights.values()))[0]


def project_title(rng: random.Random, unit: Unit, subjects: tuple[str, ...], places: str, taken: set[str]) -> str:
    """A project name not yet used by the unit in this return: a place (see SECTOR_PLACES) and a subject."""
    zone, towns = PLACES.get(unit.code, (None, ()))
    where = [unit.name] + ([zone] if "Z" in places and zone else []) + (list(towns) if "T" in places else [])
    for _ in range(30):
        name = rng.choice(where) + rng.choice(subjects)
        if name not in taken:
            break
    base, phases = name, iter("二三四五六七八九")
    while name in taken:
        name = f"{base[:-2]}{next(phases)}期{base[-2:]}"  # 林州市冷链物流园二期项目
    taken.add(name)
    return name


def sector_title(rng: random.Random, unit: Unit, sector: str, taken: set[str]) -> str:
    return project_title(rng, unit, SUBJECTS[sector], SECTOR_PLACES[sector], taken)
