"""The unit registry (SPEC §1): reference data, validated on load."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sbsk import REFERENCE_DIR
from sbsk.text import squash

UNITS_FILE = REFERENCE_DIR / "units.csv"
GROUPS_FILE = REFERENCE_DIR / "unit_groups.csv"
_SUFFIX = re.compile(r"(人民政府|政府)$")


class RegistryError(ValueError):
    """The registry file is broken; the message names the file, line and entry."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    group: str
    valid_from: int | None
    valid_to: int | None
    aliases: tuple[str, ...]

    def active(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (
            self.valid_to is None or year <= self.valid_to
        )


@dataclass(frozen=True)
class Registry:
    units: tuple[Unit, ...]
    groups: dict[str, str]  # group code → label, in display order

    def for_year(self, year: int) -> list[Unit]:
        return [u for u in self.units if u.active(year)]

    def resolver(self, year: int) -> dict[str, str]:
        """Comparison key (see sbsk.text.squash) → unit_code, for the units active in `year`."""
        keys: dict[str, str] = {}
        for unit in self.for_year(year):
            for name in (unit.name, unit.code, *unit.aliases):
                keys[squash(name)] = unit.code
        return keys

    def resolve(self, raw: str, year: int) -> str | None:
        return find_unit(self.resolver(year), raw)


def find_unit(table: dict[str, str], raw: str) -> str | None:
    """The unit_code a clerk's text names, in a table made by Registry.resolver (林州市人民政府 → 林州市)."""
    key = squash(raw)
    return table.get(key) or table.get(_SUFFIX.sub("", key))


def _year(value: str, where: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise RegistryError(f"{where}: year {value!r} is not a whole number")
    return int(value)


def load_registry(units_file: Path = UNITS_FILE, groups_file: Path = GROUPS_FILE) -> Registry:
    with open(groups_file, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    missing = {"unit_group", "label", "sort_order"} - set(rows[0] if rows else {})
    if missing:
        raise RegistryError(f"{groups_file.name}: missing column(s) {sorted(missing)}")
    rows.sort(key=lambda r: int(r["sort_order"]))
    groups = {r["unit_group"].strip(): r["label"].strip() for r in rows}
    if len(groups) != len(rows):
        raise RegistryError(f"{groups_file.name}: a unit_group is listed twice")

    units: list[Unit] = []
    with open(units_file, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"unit_code", "unit_name", "unit_group", "valid_from", "valid_to", "aliases"}
        if not need <= set(reader.fieldnames or ()):
            raise RegistryError(f"{units_file.name}: missing column(s) {sorted(need - set(reader.fieldnames or ()))}")
        for line, row in enumerate(reader, start=2):
            where = f"{units_file.name} line {line} ({row.get('unit_code')} {row.get('unit_name')})"
            code, name, group = row["unit_code"].strip(), row["unit_name"].strip(), row["unit_group"].strip()
            if not re.fullmatch(r"\d{6}", code):
                raise RegistryError(f"{where}: unit_code must be a six-digit division code")
            if not name:
                raise RegistryError(f"{where}: unit_name is empty")
            if group not in groups:
                raise RegistryError(f"{where}: unit_group {group!r} is not one of {sorted(groups)}")
            aliases = tuple(a.strip() for a in (row["aliases"] or "").split("|") if a.strip())
            unit = Unit(code, name, group, _year(row["valid_from"], where), _year(row["valid_to"], where), aliases)
            if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
                raise RegistryError(f"{where}: valid_to is before valid_from")
            units.append(unit)
    _check_unique(units, units_file.name)
    return Registry(tuple(units), groups)


def reference_set_registry(reference_dir: Path | None = None) -> Registry:
    """The registry of a reference set (--reference DIR: its units.csv and unit_groups.csv), else the
    shipped one: every command given a set reads its units from it, as a run does."""
    folder = Path(reference_dir) if reference_dir else None
    if folder is None or not (folder / "units.csv").is_file():
        return load_registry()
    return load_registry(folder / "units.csv", folder / "unit_groups.csv")


def _check_unique(units: list[Unit], fname: str) -> None:
    codes: dict[str, Unit] = {}
    for u in units:
        if u.code in codes:
            raise RegistryError(f"{fname}: unit_code {u.code} is listed twice ({codes[u.code].name}, {u.name})")
        codes[u.code] = u
    # A name or alias may point at one unit only among units that are active together.
    owners: dict[str, Unit] = {}
    for u in units:
        for name in (u.name, *u.aliases):
            key = squash(name)
            other = owners.get(key)
            if other and other.code != u.code and _overlap(other, u):
                raise RegistryError(f"{fname}: name or alias {name!r} belongs to both {other.code} and {u.code}")
            owners[key] = u


def _overlap(a: Unit, b: Unit) -> bool:
    lo = max(a.valid_from or 0, b.valid_from or 0)
    hi = min(a.valid_to or 9999, b.valid_to or 9999)
    return lo <= hi
