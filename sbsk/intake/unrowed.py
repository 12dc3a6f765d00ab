"""Pandera failures that name no row (SPEC §4: nothing is dropped silently): a column of the typed frame
with the wrong dtype, a column missing from it or not in the return, a check that could not run. Each
check of ours is named `field|rule` and fails on rows (sbsk.intake.validate turns those into row
rejections); anything else means the frame itself is not what the schema expects, so no row of the
file can be trusted to have been checked, and the file is rejected whole."""

from __future__ import annotations

import pandas as pd

from sbsk.intake.reader import Table
from sbsk.schemas.definitions import ReturnDef
from sbsk.schemas.types import COLUMN_TYPES
from sbsk.text import column_letter

# Pandera's names for the frame's own failures; the failure case is then the column's name
MISSING, UNKNOWN = "column_in_dataframe", "column_in_schema"
ROW = "_row"  # the Excel row number the reader adds to every typed frame (an int64 column)


def unrowed_failures(fc: pd.DataFrame, ret: ReturnDef) -> dict[str, str]:
    """Column name → why Pandera failed it as a whole (one reason a column: the most basic), from
    failure cases that carry no row or no check of ours."""
    found: dict[str, tuple[int, str]] = {}
    for column, check, case in fc[["column", "check", "failure_case"]].itertuples(index=False):
        check = str(check)
        if check in (MISSING, UNKNOWN):  # `column` is then the schema's name (R06)
            name, rank = str(case), 0
            why = "读取结果中没有此列" if check == MISSING else "读取结果中多出此列（报表定义中没有）"
        elif check.startswith("dtype("):  # dtype('Float64'): per cell, or the column's dtype once
            name, rank = str(column), 1
            why = f"读取后不是{_type_label(ret, name)}的数据"
        elif "|" in check:  # one of our checks, raised instead of failing rows (e.g. on a wrong dtype)
            name, rule = check.split("|", 1)
            rank, why = 2, f"校验规则 {rule} 无法执行"
        else:
            name, rank, why = str(column), 3, f"未通过校验 {check}"
        if name not in found or rank < found[name][0]:
            found[name] = (rank, why)
    return {name: why for name, (_, why) in found.items()}


def _type_label(ret: ReturnDef, name: str) -> str:
    if name in ret.fields:
        return COLUMN_TYPES[ret.column(name).type].label
    return "整数" if name == ROW else "规定类型"


def _label(ret: ReturnDef, name: str) -> str:
    return ret.column(name).label if name in ret.fields else "行号" if name == ROW else name


def whole_file_problem(failures: dict[str, str], ret: ReturnDef, table: Table) -> str:
    """The rejection of the whole file, in Chinese, naming the sheet and each column (as its header and
    letter when the sheet has it); reject_whole puts the file's name in front."""
    parts = []
    for name, why in failures.items():
        label = _label(ret, name)
        letter = f"{column_letter(table.columns[name])}列" if name in table.columns else ""
        parts.append(f"{letter}「{label}」{why}")
    return (f"工作表「{table.sheet}」{'；'.join(parts)}。系统无法逐行校验此文件，整表退回，所有数据均未入库；"
            f"这通常不是填报错误，请将文件转交专班办公室核查")
