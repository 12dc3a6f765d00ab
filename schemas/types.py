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
    numeric: bool = False  # parsed as a number and held under the amount ceiling
    unit: str = ""         # the unit the value is converted to and the header shows


COLUMN_TYPES: dict[str, ColumnType] = {t.name: t for t in (
    ColumnType("unit", "string", "varchar", "单位"),
    ColumnType("text", "string", "varchar", "文字"),
    ColumnType("enum", "string", "varchar", "下拉选择"),
    ColumnType("indicator", "string", "varchar", "指标"),
    ColumnType("amount", "Float64", "decimal(18, 4)", "金额(万元)", numeric=True, unit="万元"),
    ColumnType("number", "Float64", "decimal(9, 2)", "数字", numeric=True),
    ColumnType("integer", "Int64", "integer", "整数", numeric=True),
    ColumnType("date", "datetime64[us]", "date", "日期"),
    ColumnType("bool", "boolean", "boolean", "是/否"),
)}
