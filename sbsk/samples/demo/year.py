"""Writing the demo year: every return's builder run for every unit, each quarter photographed into
raw_dir/<YYYYQn>/<dept_code>/<code>-<table>.xlsx, the planted rows inserted, some returns in clerks'
own messy layouts."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable

from sbsk.config.registry import Unit, load_registry
from sbsk.outputs.return_writer import write_plain
from sbsk.samples.demo.investment import central_budget, key_projects, program_982, special_bonds
from sbsk.samples.demo.model import Snapshots, Year
from sbsk.samples.demo.planted import Planted, planted_rows
from sbsk.samples.demo.projects import attraction, events, major_projects, reserve
from sbsk.samples.demo.services import approvals, assessments, documents
from sbsk.samples.demo.vocabulary import TRADITIONAL
from sbsk.samples.layouts import write_messy
from sbsk.samples.months import write_months
from sbsk.schemas import load_returns

BUILDERS: dict[str, Callable[[Year, Unit, random.Random], list[Snapshots]]] = {
    "R01": reserve, "R02": attraction, "R03": events, "R04": major_projects, "R05": key_projects,
    "R06": central_budget, "R07": special_bonds, "R08": program_982, "R09": approvals,
    "R10": assessments, "R11": documents,
}


def _unit_text(rng: random.Random, unit: Unit) -> str:
    """The unit as a clerk writes it: mostly the canonical name, sometimes an accepted variant."""
    if rng.random() < 0.85:
        return unit.name
    variants = [a for a in unit.aliases if not a.endswith("政府")]
    variants += [TRADITIONAL[unit.name]] if unit.name in TRADITIONAL else []
    variants += [f" {unit.name} ", f"{unit.name}  "]
    return rng.choice(variants)


def _quarter_rows(items: list[tuple[Unit, Snapshots]], q: int, planted: list[Planted],
                  labels: random.Random) -> list[dict]:
    """The rows of one return at quarter q, each planted row after its unit's valid rows."""
    rows = [(unit.name, {**snaps[q - 1], "unit": _unit_text(labels, unit)})
            for unit, snaps in items if snaps[q - 1] is not None]
    for p in planted:
        at = max((i + 1 for i, (name, _) in enumerate(rows) if name == p.unit), default=len(rows))
        rows.insert(at, (p.unit, {**p.row, "unit": p.unit}))
    return [row for _, row in rows]


# Some departments send their own spreadsheets, not the plain layout (SPEC §8: "some messy").
MESSY = {
    "R04": frozenset({"title_rows", "filler_rows", "merged_header", "yi_yuan_header", "totals", "notes_below"}),
    "R09": frozenset({"header_noise", "dates_as_text", "notes_sheet", "extra_columns"}),
    "R05": frozenset({"yi_yuan_line", "numbers_as_text", "subtotals", "hidden_column"}),
}


def generate_year(raw_dir: Path, year: int = 2020, seed: int = 2020, messy: bool = True,
                  months: tuple[int, ...] = ()) -> list[Path]:
    """Write the four quarters of returns under raw_dir/<YYYYQn>/<dept_code>/<code>-<table>.xlsx, and
    the returns of the given months for a dispatch under raw_dir/<YYYY-MM>/ (sbsk.samples.months);
    return the paths."""
    defs = load_returns()
    units = load_registry().for_year(year)
    y = Year(year, seed)
    plan = {code: [(unit, snaps) for unit in units for snaps in build(y, unit, y.rng(code, unit.code))]
            for code, build in BUILDERS.items()}
    planted = planted_rows(year)
    labels = y.rng("unit-labels")
    paths = []
    for qtr in y.quarters:
        for code, ret in defs.returns.items():
            mine = [p for p in planted if (p.quarter, p.code) == (qtr.q, code)]
            rows = _quarter_rows(plan[code], qtr.q, mine, labels)
            path = Path(raw_dir) / str(qtr) / ret.owner / f"{code}-{ret.table}.xlsx"
            if code in MESSY and messy:
                paths.append(write_messy(path, code, rows, MESSY[code], quarter=str(qtr), seed=seed + qtr.q).path)
            else:
                paths.append(write_plain(path, ret, rows, title=f"{qtr.chinese} {ret.title}"))
    return paths + write_months(raw_dir, year, months, plan)
