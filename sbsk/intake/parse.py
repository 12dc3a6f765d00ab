"""Turn the text cells of a return into typed columns, as a person would read them.

Numbers may be written as text ("1,234.5", "81%", full-width digits); "—" means nothing; dates
come as real dates, Excel serials, "2020.7.3", "2020/7/3" or "2020年7月3日"; booleans as 是/否;
units by any registered name or alias, in Simplified or Traditional characters. Anything that
cannot be read becomes a CellError with a Chinese message; the value itself is left empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sbsk.schemas.definitions import Column, ReturnDef
from sbsk.schemas.types import COLUMN_TYPES
from sbsk.config.registry import find_unit
from sbsk.text import squash

EMPTY = {"", "—", "–", "-", "--", "——", "/", "\\", "无", "nan", "None"}
_EMPTY = pa.array(sorted(EMPTY))
_TRUE = {"是", "Y", "YES", "TRUE", "√", "1"}
_FALSE = {"否", "N", "NO", "FALSE", "×", "0"}
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_DATE_PATTERNS = (
    # 2020-07-03, 2020.7.3, 2020/7/3, 2020年7月3日, each optionally followed by a time of day
    r"^(?P<y>\d{4})\s*[-./年]\s*(?P<m>\d{1,2})\s*[-./月]\s*(?P<d>\d{1,2})\s*[日.]?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$",
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$",
)


@dataclass(frozen=True)
class CellError:
    index: int        # row position in the table's data frame
    field: str | None
    value: str | None
    message: str


def _clean(raw: pd.Series) -> pd.Series:
    """NFKC, trimmed, and the ways of writing nothing made empty: with Arrow compute, at C speed."""
    text = pc.utf8_trim_whitespace(pc.utf8_normalize(pa.array(raw.astype("string"), from_pandas=True), "NFKC"))
    text = pc.if_else(pc.is_in(text, value_set=_EMPTY), pa.scalar(None, text.type), text)
    return pd.Series(pd.array(text, dtype="string"), index=raw.index)


def by_unique(parse):
    """Run a text parser once per distinct value and spread the results back: a column of a
    million dates holds a few hundred distinct ones."""
    def run(raw: pd.Series, *args, **kwargs) -> tuple[pd.Series, pd.Series]:
        codes, uniques = pd.factorize(raw.astype("string"), use_na_sentinel=True)
        present = codes >= 0
        # an all-empty column still goes through the parser once, so its result has the parser's dtype
        values, bad = parse(pd.Series(uniques if len(uniques) else [pd.NA], dtype="string"), *args, **kwargs)
        picks = np.where(present, codes, 0)
        taken = values.take(picks).where(present).set_axis(raw.index)
        flags = bad.to_numpy(dtype=bool)[picks] & present
        return taken, pd.Series(flags, index=raw.index)
    return run


def parse_number(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(values, unreadable mask): commas and spaces dropped, a trailing % divides by 100."""
    plain = _plain_numbers(raw)  # the common case, at C speed
    rest = raw.notna() & plain.isna()
    if rest.any():
        fixed, bad = _parse_number_text(raw[rest])
        plain = plain.mask(rest, fixed.reindex(raw.index))
        return plain, bad.reindex(raw.index, fill_value=False)
    return plain, pd.Series(False, index=raw.index)


def _plain_numbers(raw: pd.Series) -> pd.Series:
    """Every cell as a plain number, empty where it is not one: Arrow's cast when the whole column
    reads (it refuses a column with any other text), else pandas'."""
    try:
        values = pc.cast(pa.array(raw.astype("string"), from_pandas=True), pa.float64())
        return pd.Series(values.to_numpy(zero_copy_only=False), index=raw.index).astype("Float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(raw.astype("string"), errors="coerce").astype("Float64")


def _parse_number_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = _clean(raw).str.replace(r"[,\s]", "", regex=True)
    percent = text.str.endswith("%").fillna(False)
    digits = text.str.rstrip("%")
    values = pd.to_numeric(digits, errors="coerce").astype("Float64")
    values = values.where(~percent, values / 100)
    bad = text.notna() & values.isna()
    return values, bad


@by_unique
def parse_date(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = _clean(raw).str.replace(r"\s+", " ", regex=True)
    parts = None
    for pattern in _DATE_PATTERNS:
        found = text.str.extract(pattern)
        parts = found if parts is None else parts.fillna(found)
    iso = parts["y"] + "-" + parts["m"].str.zfill(2) + "-" + parts["d"].str.zfill(2)
    stamp = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    serial = pd.to_numeric(text.where(text.str.fullmatch(r"\d{4,5}(\.\d+)?").fillna(False)), errors="coerce")
    from_serial = _EXCEL_EPOCH + pd.to_timedelta(serial.fillna(0).astype("int64"), unit="D")
    stamp = stamp.fillna(from_serial.where(serial.notna()))
    stamp = stamp.astype("datetime64[us]")
    bad = text.notna() & stamp.isna()
    return stamp, bad


@by_unique
def parse_bool(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = _clean(raw).str.upper()
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    values[text.isin(_TRUE).fillna(False)] = True
    values[text.isin(_FALSE).fillna(False)] = False
    bad = text.notna() & values.isna()
    return values, bad


def parse_enum(raw: pd.Series, col: Column) -> pd.Series:
    """Map to the canonical spelling when it matches; leave other text for the schema to reject."""
    return _parse_enum(raw, col)[0]


@by_unique
def _parse_enum(raw: pd.Series, col: Column) -> tuple[pd.Series, pd.Series]:
    text = _clean(raw)
    canon = {squash(v): v for v in col.values}
    keys = text.map(lambda v: squash(v) if isinstance(v, str) else v, na_action="ignore")
    return keys.map(canon, na_action="ignore").fillna(text).astype("string"), pd.Series(False, index=raw.index)


@by_unique
def _lookup(raw: pd.Series, find) -> tuple[pd.Series, pd.Series]:
    """Codes for text through `find` (text → code or None)."""
    text = _clean(raw)
    uniques = {v: find(v) for v in text.dropna().unique()}
    values = text.map(uniques, na_action="ignore").astype("string")
    bad = text.notna() & values.isna()
    return values, bad


def _unit_message(header: str) -> str:
    """A unit nobody registered, in the words of the level's unit column (level.toml)."""
    if header == "县(市、区)":
        return "「{value}」不是本年度考评的县(市、区)，请填写规范名称（如 林州市、汤阴县、龙安区）"
    return f"「{{value}}」不是本年度考评的{header}，请填写{header}的规范名称或代码"


def parse_table(data: pd.DataFrame, ret: ReturnDef, factors: dict[str, float], units: dict[str, str],
                indicators: dict[str, str]) -> tuple[pd.DataFrame, list[CellError]]:
    """Typed frame (one column per field, plus `_row`) and the cells that could not be read.

    `units` and `indicators` map comparison keys (sbsk.text.squash) to codes.
    """
    typed = pd.DataFrame(index=data.index)
    errors: list[CellError] = []

    def report(bad: pd.Series, col: Column, message: str) -> None:
        for i in bad[bad].index:
            value = data.at[i, col.field]
            errors.append(CellError(int(i), col.field, value, message.format(value=value)))

    for col in ret.columns:
        raw = data[col.field]
        if col.type == "unit":
            values, bad = _lookup(raw, lambda v: find_unit(units, v))
            report(bad, col, _unit_message(col.header))
        elif col.type == "indicator":
            values, bad = _lookup(raw, lambda v: indicators.get(squash(v)))
            report(bad, col, "「{value}」不是考评指标，请填写指标代码（如 A1）或指标名称")
        elif COLUMN_TYPES[col.type].numeric:
            values, bad = parse_number(raw)
            report(bad, col, "「{value}」不是数字")
            if col.type == "amount":
                values = values * factors.get(col.field, 1.0)
                if col.min == 0:  # "—" in a money column that may be zero means nothing was paid
                    gaps = values.isna() & raw.notna()
                    if gaps.any():
                        dash = _clean(raw[gaps]).isna() & raw[gaps].astype("string").str.strip().ne("")
                        values = values.mask(dash.reindex(raw.index, fill_value=False), 0.0)
            if col.type == "integer":
                huge = (values.abs() >= 2**53).fillna(False)  # beyond exact integers: cannot be a count
                report(huge, col, "「{value}」数值过大，请核对")
                frac = values.notna() & ~huge & (values % 1 != 0)
                report(frac, col, "「{value}」应为整数")
                values = values.mask(frac | huge).round().astype("Int64")
        elif col.type == "date":
            values, bad = parse_date(raw)
            report(bad, col, "「{value}」不是有效日期，请写成 2020-07-03 这样的日期")
        elif col.type == "bool":
            values, bad = parse_bool(raw)
            report(bad, col, "「{value}」应填“是”或“否”")
        elif col.type == "enum":
            values = parse_enum(raw, col)
        else:
            values = _clean(raw).astype("string")
        typed[col.field] = values
    typed["_row"] = data["_row"].astype("int64")
    return typed, errors
