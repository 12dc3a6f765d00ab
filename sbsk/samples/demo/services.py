"""The service returns: R09 联审联批事项, R10 专班评分, R11 政策措施文件."""

from __future__ import annotations

import random
from datetime import date

from chinese_calendar import find_workday

from sbsk.config.registry import Unit
from sbsk.samples.demo.model import (Snapshots, Year, how_many, pick_sector, quarter_of, sector_title, strength,
                                     workday)
from sbsk.samples.demo.vocabulary import APPROVAL_ITEMS, ASSESSOR_NOTES, DOC_PREFIX, POLICY_TITLES

# ---- R09 联审联批事项 ----

def approvals(y: Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken, items = strength(unit), set(), []
    for i in range(how_many(rng, s, 2, 5)):
        project = sector_title(rng, unit, pick_sector(rng, s), taken)
        # The first two projects are registered early, so every quarter has items due.
        registered = workday(rng, date(y.year, 1, 2), date(y.year, 2, 28) if i < 2 else date(y.year, 11, 30))
        for item in sorted(rng.sample(APPROVAL_ITEMS, rng.randint(1, 3)), key=APPROVAL_ITEMS.index):
            registered = find_workday(rng.randint(0, 15), registered)
            items.append(_approval(y, rng, s, project, item, registered))
    return items


def _approval(y: Year, rng: random.Random, s: float, project: str, item: str, registered: date) -> Snapshots:
    accepted = find_workday(rng.randint(0, 8), registered)
    limit = rng.choice((20, 30, 45, 60))  # working days allowed
    due = find_workday(limit, accepted)
    completed = None
    if rng.random() > 0.05 + 0.2 * (1 - s):  # the rest are stuck
        # Strong units finish in about half the time allowed, weak ones close to it or late.
        completed = find_workday(max(1, round(rng.gauss(limit * (1.1 - 0.6 * s), limit * 0.25))), accepted)
    snaps = []
    for qtr in y.quarters:
        if registered > qtr.end:
            snaps.append(None)
            continue
        snaps.append({"project_name": project, "item_name": item, "due_on": due,
                      "accepted_on": accepted if accepted <= qtr.end else None,
                      "completed_on": completed if completed and completed <= qtr.end else None})
    return snaps


# ---- R10 专班评分, R11 政策措施文件 ----

def assessments(y: Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, items = strength(unit), []
    for ind in y.assessed:
        top = float(ind.max_points)
        snaps = []
        for _ in y.quarters:
            score = round(min(max(rng.gauss(top * (0.45 + 0.5 * s), top * 0.08), 0.0), top), 1)
            band = ASSESSOR_NOTES[min(int(score / top * 3), 2)]
            snaps.append({"indicator": ind.code if rng.random() < 0.8 else ind.name, "score": score,
                          "note": rng.choice(band) if rng.random() < 0.7 else None})
        items.append(snaps)
    return items


def documents(y: Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s = strength(unit)
    n = how_many(rng, s, 2, 5)
    q1 = y.quarter(1)
    # The first document is issued in Q1, so every quarter's return has the unit's rows.
    days = sorted([workday(rng, q1.start, q1.end)] + [workday(rng, q1.start, date(y.year, 12, 20))
                                                       for _ in range(n - 1)])
    serials = {"": rng.randint(1, 12), "办": rng.randint(1, 20)}
    items = []
    for day, (category, title) in zip(days, rng.sample(POLICY_TITLES, n)):
        office = rng.choice(("", "办"))
        serials[office] += rng.randint(2, 12)
        row = {"title": f"{unit.name}人民政府{'办公室' if office else ''}{title}",
               "doc_number": f"{DOC_PREFIX.get(unit.code, unit.name[0] + '政')}{office}〔{y.year}〕{serials[office]}号",
               "issued_on": day, "category": category,
               "grade": rng.choices(("优", "良", "一般"), (0.2 + 0.5 * s, 0.5, 0.8 - 0.5 * s))[0]}
        items.append([None if q < quarter_of(day, y.year) else row for q in range(1, 5)])
    return items
