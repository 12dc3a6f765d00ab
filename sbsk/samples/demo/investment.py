"""The investment-progress returns: R05 省市重点项目投资进度, R06 中央预算内, R07 专项债券, R08 补短板"982"."""

from __future__ import annotations

import random

from sbsk.config.registry import Unit
from sbsk.samples.demo.model import (NO_BONDS_UNIT, Snapshots, Year, amount_wan, delivery, growing_item, how_many,
                                     pick_sector, project_title, sector_title, strength)
from sbsk.samples.demo.vocabulary import AREAS_982

# ---- R05 省市重点项目投资进度, R06 中央预算内, R07 专项债券, R08 补短板"982" ----

def key_projects(y: Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken, items = strength(unit), set(), []
    for level, lo, hi, base, spread in (("省重点", 8000, 120000, 1, 4), ("市重点", 2000, 50000, 3, 7)):
        for i in range(how_many(rng, s, base, spread)):
            plan = amount_wan(rng, lo, hi, s)
            fixed = {"project_name": sector_title(rng, unit, pick_sector(rng, s), taken), "level": level,
                     "annual_plan": plan}
            items.append(growing_item(rng, s, fixed, "ytd_completed", plan * delivery(rng, s), _added_q(rng, i)))
    return items


def _added_q(rng: random.Random, index: int) -> int:
    """The quarter an item is first reported: the first one from Q1, a few others later."""
    return 1 if index == 0 or rng.random() < 0.8 else rng.choice((2, 3))


def central_budget(y: Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken, items = strength(unit), set(), []
    for i in range(how_many(rng, s, 1.5, 4)):
        first_q = 1 if i == 0 else rng.choices((1, 2, 3), (0.5, 0.3, 0.2))[0]
        allocated = amount_wan(rng, 100, 6000, s)
        sector = rng.choice(("社会民生", "基础设施", "生态环保"))
        fixed = {"project_name": sector_title(rng, unit, sector, taken),
                 "allocation_doc": rng.choice(y.allocation_docs[first_q]) if rng.random() < 0.85 else None,
                 "allocated": allocated}
        paid = allocated * min(max(rng.gauss(0.65 + 0.3 * s, 0.1), 0.3), 1.0)
        items.append(growing_item(rng, s, fixed, "paid", paid, first_q))
    return items


def special_bonds(y: Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    if unit.code == NO_BONDS_UNIT:
        return []
    s, taken, items = strength(unit), set(), []
    for i in range(how_many(rng, s, 1, 3)):
        bond = amount_wan(rng, 1000, 50000, s)
        sector = rng.choice(("基础设施", "社会民生", "生态环保"))
        fixed = {"project_name": sector_title(rng, unit, sector, taken), "bond_amount": bond}
        spent = bond * min(max(rng.gauss(0.7 + 0.25 * s, 0.1), 0.3), 1.0)
        items.append(growing_item(rng, s, fixed, "spent", spent, _added_q(rng, i)))
    return items


def program_982(y: Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken, items = strength(unit), set(), []
    for i in range(how_many(rng, s, 2, 5)):
        area = rng.choice(list(AREAS_982))
        plan = amount_wan(rng, 1000, 60000, s)
        fixed = {"project_name": project_title(rng, unit, AREAS_982[area], "UT", taken), "area": area, "annual_plan": plan}
        items.append(growing_item(rng, s, fixed, "ytd_completed", plan * delivery(rng, s), _added_q(rng, i)))
    return items
