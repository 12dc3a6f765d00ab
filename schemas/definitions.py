"""Load and check the one definition of every return (returns.toml)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from sbsk.schemas.types import COLUMN_TYPES

DEFINITIONS_FILE = Path(__file__).with_name("returns.toml")

PERIODS = {"quarter", "half_year", "peer"}
COLUMN_KEYS = {
    "field", "header", "type", "optional", "aliases", "values", "min", "min_exclusive",
    "max_field", "min_field", "requires", "required_if", "pattern", "max_rubric",
    "may_be_future", "workday_calendar",
}


class DefinitionError(ValueError):
    """returns.toml is inconsistent; the message names the bad entry."""


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    type: str
    optional: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    min: float | None = None
    min_exclusive: float | None = None
    max_field: str | None = None
    min_field: str | None = None
    requires: str | None = None
    required_if: str | None = None
    pattern: str | None = None
    max_rubric: bool = False
    may_be_future: bool = False
    workday_calendar: bool = False

    @property
    def label(self) -> str:
        """The header as a template writes it, with the amount unit."""
        unit = COLUMN_TYPES[self.type].unit
        return f"{self.header}({unit})" if unit else self.header

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class ReturnDef:
    code: str
    table: str
    title: str
    owner: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    period: str = "quarter"        # quarter, or half_year (R12: sent for YYYYHn, SPEC §11)
    keys: tuple[str, ...] = ()     # the fields that name a row to a clerk (项目名称 …), shown with rejections

    def row_key(self, row) -> str | None:
        """A row's key fields as written, such as 项目名称：XX；审批事项：YY (None: the return has none)."""
        if not self.keys:
            return None
        parts = []
        for name in self.keys:
            value = row.get(name) if hasattr(row, "get") else None
            text = "" if value is None or value != value else str(value).strip()   # value != value: NaN
            parts.append(f"{self.column(name).header}：{text or '（空）'}")
        return "；".join(parts)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.field == name:
                return col
        raise KeyError(name)

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.columns]


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Definitions:
    """`returns` are the returns of a quarter (R01 … R11): a quarter run needs each of them.
    `half_year` holds those sent once a half year (R12); `peer` those that lie with a period's returns
    but are never scored nor missing (R13, the other cities' metrics, SPEC §10); `all_returns` is all
    of them, for the reader."""

    template_version: str
    departments: dict[str, Department]
    returns: dict[str, ReturnDef] = field(default_factory=dict)
    half_year: dict[str, ReturnDef] = field(default_factory=dict)
    peer: dict[str, ReturnDef] = field(default_factory=dict)

    @property
    def all_returns(self) -> dict[str, ReturnDef]:
        return {**self.returns, **self.half_year, **self.peer}

    def with_unit_column(self, header: str, aliases: tuple[str, ...]) -> "Definitions":
        """The same returns with the level's unit column (SPEC §10, level.toml): 省辖市 and its aliases
        one level up instead of 县(市、区). Unchanged (the same object) when the column is already so."""
        return _relevelled(self, header, tuple(aliases))

    def by_table(self, table: str) -> ReturnDef:
        for ret in self.all_returns.values():
            if ret.table == table:
                return ret
        raise KeyError(table)


def _column(raw: dict, where: str) -> Column:
    unknown = set(raw) - COLUMN_KEYS
    if unknown:
        raise DefinitionError(f"{where}: unknown key(s) {sorted(unknown)}")
    if raw.get("type") not in COLUMN_TYPES:
        raise DefinitionError(f"{where}: unknown type {raw.get('type')!r}; known: {sorted(COLUMN_TYPES)}")
    if raw["type"] == "enum" and not raw.get("values"):
        raise DefinitionError(f"{where}: an enum needs values")
    if raw.get("pattern"):
        re.compile(raw["pattern"])
    data = dict(raw)
    data["aliases"] = tuple(raw.get("aliases", ()))
    data["values"] = tuple(raw.get("values", ()))
    return Column(**data)


def parse_definitions(doc: dict) -> Definitions:
    departments = {
        code: Department(code, d["name"], tuple(d.get("aliases", ())))
        for code, d in doc["departments"].items()
    }
    unit_col = _column(doc["unit_column"], "unit_column")
    returns: dict[str, ReturnDef] = {}
    half_year: dict[str, ReturnDef] = {}
    peer: dict[str, ReturnDef] = {}
    tables = set()
    for i, raw in enumerate(doc["returns"]):
        where = f"returns[{i}] {raw.get('code', '?')}"
        code = raw["code"]
        if code in returns or code in half_year or code in peer or raw["table"] in tables:
            raise DefinitionError(f"{where}: duplicate return code or table")
        if raw["owner"] not in departments:
            raise DefinitionError(f"{where}: owner {raw['owner']!r} is not a department")
        own = tuple(_column(c, f"{where}.{c.get('field', '?')}") for c in raw["columns"])
        # a peer return (R13) names the units of the level above in a unit column of its own
        cols = own if raw.get("period") == "peer" else (unit_col, *own)
        if cols[0].field != "unit" or cols[0].type != "unit":
            raise DefinitionError(f"{where}: the first column must be the unit column (field unit, type unit)")
        names = [c.field for c in cols]
        if len(set(names)) != len(names):
            raise DefinitionError(f"{where}: duplicate field names")
        for col in cols:
            for ref in (col.max_field, col.min_field, col.requires, col.required_if):
                if ref and ref not in names:
                    raise DefinitionError(f"{where}.{col.field}: refers to unknown field {ref!r}")
        for u in raw.get("unique", ()):
            if u not in names:
                raise DefinitionError(f"{where}: unique names unknown field {u!r}")
        keys = tuple(raw.get("keys", ()))
        for key in keys:
            if key not in names or key == "unit":
                raise DefinitionError(f"{where}: keys names unknown field {key!r}")
        period = raw.get("period", "quarter")
        if period not in PERIODS:
            raise DefinitionError(f"{where}: period {period!r} is not one of {sorted(PERIODS)}")
        target = {"quarter": returns, "half_year": half_year, "peer": peer}[period]
        target[code] = ReturnDef(code, raw["table"], raw["title"], raw["owner"], cols,
                                 tuple(raw.get("unique", ())), period, keys)
        tables.add(raw["table"])
    return Definitions(str(doc["template_version"]), departments, returns, half_year, peer)


_RELEVELLED: dict[tuple[int, str, tuple[str, ...]], Definitions] = {}


def _relevelled(defs: Definitions, header: str, aliases: tuple[str, ...]) -> Definitions:
    first = next(iter(defs.returns.values())).columns[0]
    if (first.header, first.aliases) == (header, aliases):
        return defs
    key = (id(defs), header, aliases)
    if key not in _RELEVELLED:  # kept, so a level's definitions are built once per process
        def swap(ret: ReturnDef) -> ReturnDef:
            cols = tuple(replace(c, header=header, aliases=aliases) if c.type == "unit" else c for c in ret.columns)
            return replace(ret, columns=cols)
        _RELEVELLED[key] = replace(defs, returns={c: swap(r) for c, r in defs.returns.items()},
                                   half_year={c: swap(r) for c, r in defs.half_year.items()})
    return _RELEVELLED[key]


@cache
def load_returns(path: Path = DEFINITIONS_FILE) -> Definitions:
    with open(path, "rb") as fh:
        return parse_definitions(tomllib.load(fh))
