"""Pandera schemas, one per return, derived from the return's definition.

Every check is named `<field>|<rule>` so that a failure maps back to a column and to a Chinese
message (see sbsk.intake.validate). Checks that compare two fields are DataFrame-wide but still carry
the field they blame.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from functools import partial

import pandas as pd
import pandera.pandas as pa

from sbsk.schemas.definitions import Column, ReturnDef
from sbsk.schemas.types import COLUMN_TYPES

# pandera asks for geopandas at every dtype check of every column (is_geopandas_dtype in
# pandera.engines.pandas_engine tries `from geopandas.array import GeometryDtype`), and an import
# that fails is looked up on sys.path again each time: 113 failed imports, 0.19 s of a city quarter's
# `sbsk run`, measured with -X importtime. Not installed is remembered once, as Python's import
# system allows (a None entry: the next import fails at once with ImportError).
if "geopandas" not in sys.modules and importlib.util.find_spec("geopandas") is None:
    sys.modules["geopandas"] = None

EARLIEST = pd.Timestamp("2000-01-01")   # older dates in a current return are typing mistakes
LATEST_DUE = pd.Timestamp("2100-01-01")


def _check(fn, name: str, **kw) -> pa.Check:
    return pa.Check(fn, name=name, ignore_na=True, **kw)


def _column_checks(col: Column, today: pd.Timestamp, calendar: tuple[int, int] | None) -> list[pa.Check]:
    f = col.field
    checks = []
    if col.values:
        checks.append(_check(lambda s, v=col.values: s.isin(v), f"{f}|enum"))
    if col.min is not None:
        checks.append(_check(lambda s, m=col.min: s >= m, f"{f}|min"))
    if col.min_exclusive is not None:
        checks.append(_check(lambda s, m=col.min_exclusive: s > m, f"{f}|min_exclusive"))
    ceiling = COLUMN_TYPES[col.type].ceiling
    if ceiling is not None:
        checks.append(_check(lambda s, c=ceiling: s.abs() <= c, f"{f}|ceiling"))
    if col.pattern:
        checks.append(_check(lambda s, p=col.pattern: s.str.fullmatch(p).fillna(False), f"{f}|pattern"))
    if col.type == "date":
        checks.append(_check(lambda s: s >= EARLIEST, f"{f}|too_early"))
        latest = LATEST_DUE if col.may_be_future else today
        checks.append(_check(lambda s, t=latest: s <= t, f"{f}|future"))
        if col.workday_calendar and calendar:
            lo, hi = calendar
            checks.append(_check(lambda s: s.dt.year.between(lo, hi), f"{f}|calendar"))
    return checks


def _frame_checks(ret: ReturnDef, rubric_max: dict[str, float]) -> list[pa.Check]:
    checks = []
    for col in ret.columns:
        f = col.field
        if col.max_field:
            checks.append(pa.Check(partial(_not_above, f, col.max_field), name=f"{f}|max_field"))
        if col.min_field:
            checks.append(pa.Check(partial(_not_below, f, col.min_field), name=f"{f}|min_field"))
        if col.requires:
            checks.append(pa.Check(partial(_requires, f, col.requires), name=f"{f}|requires"))
        if col.required_if:
            checks.append(pa.Check(partial(_required_if, f, col.required_if), name=f"{f}|required_if"))
        if col.max_rubric:
            checks.append(pa.Check(partial(_within_rubric, f, rubric_max), name=f"{f}|max_rubric"))
    if ret.unique:
        checks.append(pa.Check(partial(_first_only, list(ret.unique)), name=f"{ret.unique[-1]}|unique"))
    return checks


def _not_above(f, other, df):
    return ~(df[f] > df[other]).fillna(False)


def _not_below(f, other, df):
    return ~(df[f] < df[other]).fillna(False)


def _requires(f, other, df):
    return ~(df[f].notna() & df[other].isna())


def _required_if(f, flag, df):
    return ~(df[flag].fillna(False).astype(bool) & df[f].isna())


def _within_rubric(f, rubric_max, df):
    limit = df["indicator"].map(rubric_max).astype("Float64")
    return ~(df[f] > limit).fillna(False)


def _first_only(keys, df):
    return ~df.duplicated(subset=keys, keep="first") | df[keys].isna().any(axis=1)


def build_schema(ret: ReturnDef, *, today: date, rubric_max: dict[str, float] | None = None,
                 calendar: tuple[int, int] | None = None) -> pa.DataFrameSchema:
    """The schema of one return's typed frame (see sbsk.intake.parse)."""
    ts = pd.Timestamp(today)
    columns = {
        col.field: pa.Column(
            COLUMN_TYPES[col.type].pandera,
            checks=_column_checks(col, ts, calendar),
            nullable=True,   # required-ness is its own named check, so its message is specific
            required=True,
        )
        for col in ret.columns
    }
    required = [c.field for c in ret.columns if not c.optional]
    checks = [pa.Check(partial(_present, f), name=f"{f}|required") for f in required]
    checks += _frame_checks(ret, rubric_max or {})
    columns["_row"] = pa.Column("int64")
    return pa.DataFrameSchema(columns, checks=checks, name=ret.code, strict=True, coerce=False)


def _present(f, df):
    return df[f].notna()
