"""The projects returns: R01 项目谋划储备, R02 招商引资签约项目, R03 重大项目集中开工活动, R04 亿元以上项目.

Each builder returns, per item, its snapshots at Q1..Q4 (a row, or None before it is reported).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sbsk.config.registry import Unit
from sbsk.samples.demo.model import (NO_EVENT, SUSPECT_START, Snapshots, Year, amount_wan, delivery, how_many,
                                     pick_sector, sector_title, strength, workday, year_to_date, yes_no)

# ---- R01 项目谋划储备 ----

def reserve(y: Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken, items = strength(unit), set(), []
    for level, lo, hi, base, spread in (("省重大", 10000, 500000, 2, 9), ("省重点", 5000, 150000, 3, 10)):
        for i in range(how_many(rng, s, base, spread)):
            items.append(_reserve_entry(y, unit, rng, s, level, amount_wan(rng, lo, hi, s), i == 0, taken))
    return items


def _reserve_entry(y: Year, unit: Unit, rng: random.Random, s: float, level: str, investment: int,
                   first: bool, taken: set[str]) -> Snapshots:
    sector = pick_sector(rng, s)
    listed = _listed_on(y, rng, first)
    started = _implemented_on(y, rng, s, listed)
    fixed = {"project_name": sector_title(rng, unit, sector, taken),
             "project_code": y.project_code(rng, unit, sector, listed.year) if rng.random() < 0.7 else None,
             "reserve_level": level, "total_investment": investment, "sector": sector, "listed_on": listed}
    snaps = []
    for qtr in y.quarters:
        done = started is not None and started <= qtr.end
        snaps.append(None if listed > qtr.end else
                     {**fixed, "implemented": yes_no(done), "started_on": started if done else None})
    return snaps


def _listed_on(y: Year, rng: random.Random, first: bool) -> date:
    if not first and rng.random() < 0.25:
        return workday(rng, date(y.year - 1, 3, 1), date(y.year - 1, 12, 31))
    q = 1 if first else rng.choices((1, 2, 3, 4), (0.35, 0.3, 0.2, 0.15))[0]
    return workday(rng, y.quarter(q).start, y.quarter(q).end)


def _implemented_on(y: Year, rng: random.Random, s: float, listed: date) -> date | None:
    if rng.random() > 0.2 + 0.5 * s:
        return None
    lo = max(listed + timedelta(days=30), date(y.year, 1, 10))
    hi = min(listed + timedelta(days=330), date(y.year, 12, 31))
    return workday(rng, lo, hi) if lo + timedelta(days=7) <= hi else None


# ---- R02 招商引资签约项目 ----

def attraction(y: Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken = strength(unit), set()
    return [_signing(y, unit, rng, s, i == 0, taken) for i in range(how_many(rng, s, 2, 8))]


def _signing(y: Year, unit: Unit, rng: random.Random, s: float, first: bool, taken: set[str]) -> Snapshots:
    q_signed = 1 if first else rng.choices((1, 2, 3, 4), (0.2, 0.3, 0.3, 0.2))[0]
    signed = workday(rng, y.quarter(q_signed).start, y.quarter(q_signed).end)
    amount = amount_wan(rng, 5000, 300000, s)
    # Money from a signing in a quarter's last month arrives the next quarter.
    first_money = q_signed + (0 if first or signed.month % 3 else 1)
    paid_in = year_to_date(rng, s, amount * rng.uniform(0.05, 0.3) * (0.6 + s), first_money)
    landed_q = q_signed + rng.randint(0, 2) if rng.random() < 0.4 + 0.5 * s else 5
    fixed = {"project_name": sector_title(rng, unit, pick_sector(rng, s), taken), "signed_on": signed,
             "contract_amount": amount,
             "funding_origin": rng.choices(("省外", "境外", "省内"), (0.55, 0.1, 0.35))[0],
             "top_investor": yes_no(rng.random() < 0.1 + 0.25 * s + (0.3 if amount >= 200000 else 0))}
    return [None if q < q_signed else {**fixed, "paid_in": paid_in[q - 1], "landed": yes_no(q >= landed_q)}
            for q in range(1, 5)]


# ---- R03 重大项目集中开工活动 ----

def events(y: Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, items = strength(unit), []
    for qtr in y.quarters:
        if (unit.code, qtr.q) == NO_EVENT:
            continue
        days = [y.event_days[qtr.q]]
        if rng.random() < 0.5 * s:  # strong units hold a second event of their own
            days.append(workday(rng, qtr.start, qtr.end))
        for day in sorted(set(days)):
            row = _event(rng, s, day)
            items.append([row if q == qtr.q else None for q in range(1, 5)])
    return items


def _event(rng: random.Random, s: float, day: date) -> dict:
    count = max(1, round(rng.gauss(3 + 8 * s, 1.5)))
    big = [rng.random() < 0.3 + 0.4 * s for _ in range(count)]
    investment = sum(amount_wan(rng, 10000, 150000, s) if b else amount_wan(rng, 2000, 9900, s) for b in big)
    return {"event_on": day, "project_count": count, "total_investment": investment,
            "projects_over_100m": sum(big)}


# ---- R04 亿元以上项目 ----

def major_projects(y: Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken = strength(unit), set()
    # The first two continuing projects run all year, so every unit's investment grows each quarter.
    items = [_continuing(y, unit, rng, s, i >= 2, taken) for i in range(how_many(rng, s, 3, 6))]
    items += [_new_start(y, unit, rng, s, taken) for _ in range(how_many(rng, s, 2, 6))]
    if unit.code == SUSPECT_START[0]:
        items.append(_suspect_start(y, unit, rng, s, SUSPECT_START[1], taken))
    return items


def _major_fixed(y: Year, unit: Unit, rng: random.Random, s: float, nature: str, code_year: int,
                 taken: set[str]) -> dict:
    sector = pick_sector(rng, s)
    total = amount_wan(rng, 10000, 500000, s)
    return {"project_name": sector_title(rng, unit, sector, taken),
            "project_code": y.project_code(rng, unit, sector, code_year), "total_investment": total,
            "nature": nature, "annual_plan": int(round(total * rng.uniform(0.15, 0.35), -1))}


def _continuing(y: Year, unit: Unit, rng: random.Random, s: float, may_finish: bool,
                taken: set[str]) -> Snapshots:
    started = workday(rng, date(y.year - 3, 3, 1), date(y.year - 1, 11, 30))
    fixed = {**_major_fixed(y, unit, rng, s, "续建", started.year, taken), "started_on": started}
    finish_q = rng.choice((2, 3, 4)) if may_finish and rng.random() < 0.35 else None
    completed = workday(rng, y.quarter(finish_q).start, y.quarter(finish_q).end) if finish_q else None
    ytd = year_to_date(rng, s, fixed["annual_plan"] * delivery(rng, s), 1, finish_q or 4)
    return [{**fixed, "completed_on": completed if finish_q and q >= finish_q else None,
             "ytd_completed": ytd[q - 1]} for q in range(1, 5)]


def _new_start(y: Year, unit: Unit, rng: random.Random, s: float, taken: set[str]) -> Snapshots:
    fixed = _major_fixed(y, unit, rng, s, "新开工", rng.choice((y.year - 1, y.year)), taken)
    start_q = 5 if rng.random() < 0.3 * (1 - s) else rng.choices((1, 2, 3, 4), (0.3, 0.3, 0.25, 0.15))[0]
    started = workday(rng, y.quarter(start_q).start, y.quarter(start_q).end) if start_q <= 4 else None
    # Most are in the annual plan from January; some are added when they start.
    listed_q = start_q if start_q <= 4 and rng.random() < 0.25 else 1
    completed = None
    if started and start_q <= 2 and rng.random() < 0.15:
        completed = workday(rng, max(started + timedelta(days=120), y.quarter(4).start), y.quarter(4).end)
    final = fixed["annual_plan"] * delivery(rng, s) * (0.4 + 0.15 * (5 - start_q))
    ytd = year_to_date(rng, s, final, start_q)
    return [None if q < listed_q else
            {**fixed, "started_on": started if q >= start_q else None,
             "completed_on": completed if q == 4 else None, "ytd_completed": ytd[q - 1]}
            for q in range(1, 5)]


def _suspect_start(y: Year, unit: Unit, rng: random.Random, s: float, q: int, taken: set[str]) -> Snapshots:
    """A 新开工 project reported as started in the last month of quarter q with nothing invested (开而未动)."""
    fixed = _major_fixed(y, unit, rng, s, "新开工", y.year, taken)
    started = workday(rng, date(y.year, 3 * q, 1), y.quarter(q).end)
    ytd = year_to_date(rng, s, fixed["annual_plan"] * 0.2, q + 1)
    return [{**fixed, "started_on": started if i >= q else None, "completed_on": None,
             "ytd_completed": ytd[i - 1]} for i in range(1, 5)]
