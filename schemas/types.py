"""The column types a return may use (returns.toml `type = …`), each defined once: how its typed
frame holds it (Pandera), how the warehouse stores it (DuckDB), and how a template names it.

schemas/definitions.py accepts exactly these names, schemas/pandera_schemas.py takes the dtype,
sbsk/store/warehouse.py the SQL type and sbsk/outputs/templates.py the Chinese name from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnType:
    name: str
    pandera: str           # dtype of the column in the typed frame (sbsk.intake.parse → Pandera)
    sql: str               # DuckDB type of the staging column
    label: str             # what the template's guide sheet calls it
    numeric: bool = False  # parsed as a number and held under its ceiling
    unit: str = ""         # the unit the value is converted to and the header shows
    # The largest magnitude a cell may hold (SPEC §3): an amount lies in [−1e9, 1e9] 万元 (10 万亿元, beyond
    # any real project), and every value within the bound is staged and scored without overflow
    # (tests/test_exact_bounds.py runs a quarter at the bound); a count too; a number within its decimal(9, 2).
    ceiling: float | None = None


COLUMN_TYPES: dict[str, ColumnType] = {t.name: t for t in (
    ColumnType("unit", "string", "varchar", "单位"),
    ColumnType("text", "string", "varchar", "文字"),
    ColumnType("enum", "string", "varchar", "下拉选择"),
    ColumnType("indicator", "string", "varchar", "指标"),
    ColumnType("amount", "Float64", "decimal(18, 4)", "金额(万元)", numeric=True, unit="万元", ceiling=1e9),
    ColumnType("number", "Float64", "decimal(9, 2)", "数字", numeric=True, ceiling=9999999.99),
    ColumnType("integer", "Int64", "integer", "整数", numeric=True, ceiling=1e9),
    # R13's 指标值 (SPEC §10): a count, an amount in 万元, or a share kept to six places (4.26% is 0.0426)
    ColumnType("metric", "Float64", "decimal(38, 6)", "指标值", numeric=True, ceiling=1e9),
    ColumnType("date", "datetime64[us]", "date", "日期"),
    ColumnType("bool", "boolean", "boolean", "是/否"),
)}
