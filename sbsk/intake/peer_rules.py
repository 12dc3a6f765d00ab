"""The rules of R13 全省对标数据 (SPEC §10) beyond what returns.toml says of a column.

R13 names the cities of the province reference set and the indicators of the province rubric, so
it is validated in a context of its own (`peer_context`): its cities resolve against the province
registry and its indicators against the province rubric. Per row: the home city has no row (its
values come from its own units), and the part is one of the indicator's parts. One value per city,
indicator and part is returns.toml's `unique` rule.
"""

from __future__ import annotations

import pandas as pd

from sbsk.intake.parse import CellError


def peer_row_problems(typed: pd.DataFrame, home_unit: str | None, home_name: str,
                      parts: dict[str, int]) -> list[CellError]:
    """The cells of R13 rows that break a rule: a row of the home city, a part the indicator lacks."""
    problems = []
    for i, row in typed.iterrows():
        unit, ind, part = (None if pd.isna(v) else v for v in (row.get("unit"), row.get("indicator"), row.get("part")))
        if home_unit and unit == home_unit:
            problems.append(CellError(int(i), "unit", home_name,
                                      f"{home_name}是本市，本市的指标值由各县(市、区)的数据汇总得出，请删去这一行"))
        if isinstance(ind, str) and ind in parts and part is not None and int(part) > parts[ind]:
            n = parts[ind]
            problems.append(CellError(int(i), "part", int(part),
                                      f"指标{ind}只有{n}个分项（1{'至' + str(n) if n > 1 else ''}），没有第{int(part)}分项"))
    return problems
