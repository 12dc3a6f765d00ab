"""One file in, one verdict out: read, check the sender, validate. Pure functions of their inputs,
so the flow can run them as independent tasks (and check can run them without loading)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pathlib import Path

import pandas as pd

from sbsk.config.periods import period_kind
from sbsk.schemas.definitions import Definitions
from sbsk.schemas.types import COLUMN_TYPES
from sbsk.intake.discover import SourceFile
from sbsk.intake.parse import parse_number
from sbsk.intake.reader import FileRejected, Table, read_table
from sbsk.intake.validate import Context, validate_table


@dataclass
class FileResult:
    source: SourceFile
    return_code: str | None
    sheet: str | None
    recognised_by: str | None
    status: str                          # loaded | rejected
    rows_read: int = 0
    skipped: Counter = field(default_factory=Counter)
    loaded: pd.DataFrame | None = None   # typed rows with `_row`
    rejections: list[dict] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)
    file_message: str | None = None      # why the whole file was rejected
    archive_path: str | None = None      # its copy in the raw archive, once archived
    columns: dict[str, int] = field(default_factory=dict)  # field → 0-based sheet column, for messages

    @property
    def rows_loaded(self) -> int:
        return 0 if self.loaded is None else len(self.loaded)

    @property
    def rows_rejected(self) -> int:
        return self.rows_read - self.rows_loaded - self.rows_skipped

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    def source_row(self, quarter: str) -> dict:
        return {
            "quarter": quarter, "path": self.source.rel, "sha256": self.source.sha256,
            "department": self.source.department, "return_code": self.return_code, "sheet": self.sheet,
            "status": self.status, "recognised_by": self.recognised_by, "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded, "rows_rejected": self.rows_rejected,
            "rows_skipped": self.rows_skipped, "skipped_blank": self.skipped["blank"],
            "skipped_total": self.skipped["total"], "skipped_notes": self.skipped["notes"],
            "skipped_example": self.skipped["example"], "archive_path": self.archive_path,
        }


def reject_whole(result: FileResult, message: str) -> FileResult:
    """Turn a result into a whole-file rejection: nothing of it is loaded, every data row counts as rejected."""
    result.status = "rejected"
    result.loaded = None
    result.file_message = f"{result.source.rel}：{message}"
    result.rejections = [{"row_number": None, "column_name": None, "cell": None, "value": None,
                          "message": result.file_message}]
    return result


def read_file(source: SourceFile, defs: Definitions) -> tuple[FileResult, Table | None]:
    result = FileResult(source, None, None, None, "loaded")
    if source.refused:  # a link out of the raw folder, an odd name …: never opened (sbsk.intake.guard.paths.refusal)
        return reject_whole(result, source.refused), None
    try:
        table = read_table(source.path, defs)
    except FileRejected as exc:
        result.return_code, result.sheet = exc.return_code, exc.sheet
        return reject_whole(result, exc.message), None
    result.return_code, result.sheet, result.recognised_by = table.return_code, table.sheet, table.recognised_by
    result.rows_read, result.skipped = table.rows_read, table.skipped
    result.columns = dict(table.columns)
    return result, table


def check_owner(result: FileResult, defs: Definitions) -> FileResult:
    """A department may only send the returns it owns (it cannot score another's field), and only
    in the folder of the period the return is sent for (a quarter's, or R12's half year's)."""
    if result.status == "rejected":
        return result
    ret = defs.all_returns[result.return_code]
    owner = defs.departments[ret.owner]
    misplaced = _wrong_period(result.source.rel, ret)
    if misplaced:
        return reject_whole(result, misplaced)
    if result.source.department is None:
        return reject_whole(result, f"文件不在部门目录下（{result.source.folder or '季度根目录'}），"
                                    f"{ret.code}「{ret.title}」应由{owner.name}报送，请放入 {ret.owner}/ 目录")
    if result.source.department != ret.owner:
        sender = defs.departments[result.source.department].name
        return reject_whole(result, f"{ret.code}「{ret.title}」由{owner.name}负责报送，{sender}无权报送此表")
    return result


def _wrong_period(rel: str, ret) -> str | None:
    """Why a return may not be in the period folder its path names; None when it may (or no
    period folder is named, as for `sbsk check FILE`)."""
    for part in Path(rel).parts[:-1]:
        kind = period_kind(part)
        if kind in ("quarter", "month") and ret.period == "half_year":
            return (f"{ret.code}「{ret.title}」每半年报送一次，不属于{'季度' if kind == 'quarter' else '月调度'}报表，"
                    f"请放入 {part[:4]}H1 或 {part[:4]}H2 目录（如 {part[:4]}H1/{ret.owner}/）")
        if kind == "half_year" and ret.period in ("quarter", "peer"):
            return (f"{ret.code}「{ret.title}」是季度报表，半年目录（{part}）只收观摩评分表，"
                    f"请放入对应季度目录（如 {part[:4]}Q2/{ret.owner}/）")
        if kind:
            return None
    return None


def validate_file(result: FileResult, table: Table | None, defs: Definitions, ctx: Context) -> FileResult:
    if result.status == "rejected" or table is None:
        return result
    ret = defs.all_returns[result.return_code]
    if ret.period == "peer" and ctx.peer is None:
        return reject_whole(result, ctx.peer_problem or "无法校验全省对标数据")
    verdict = validate_table(table, ret, ctx, result.source.rel)
    if verdict.file_problem:  # Pandera failed what no row carries: nothing of the file may be loaded
        return reject_whole(result, verdict.file_problem)
    result.loaded = verdict.loaded
    result.rejections = verdict.rejections
    result.flags = check_totals(table, ret, result.source.rel, ctx.total_tolerance)
    return result


def ingest(source: SourceFile, defs: Definitions, ctx: Context) -> FileResult:
    if ctx.unit_column:  # the level's unit column: 省辖市 one level up (SPEC §10)
        defs = defs.with_unit_column(*ctx.unit_column)
    result, table = read_file(source, defs)
    result = check_owner(result, defs)
    return validate_file(result, table, defs, ctx)


def check_totals(table: Table, ret, rel: str, tolerance: float) -> list[dict]:
    """合计/小计 rows are skipped, but each sum in them must match its detail rows within tolerance.

    A 合计 covers every detail row; a 小计 covers the block of detail rows just above it (or, where
    subtotals head their blocks, just below it).
    """
    if not len(table.totals):
        return []
    columns = [c for c in ret.columns if c.type in ("amount", "integer") and c.field in table.columns]
    rows = table.data["_row"].to_numpy()
    marks = sorted(int(r) for r in table.totals["_row"])
    details = {c.field: parse_number(table.data[c.field])[0].fillna(0).to_numpy(dtype=float) for c in columns}
    flags = []
    for _, total_row in table.totals.iterrows():
        at = int(total_row["_row"])
        blocks = [rows == rows] if total_row["_kind"] == "total" else _blocks_around(rows, marks, at)
        for col in columns:
            stated, _ = parse_number(pd.Series([total_row[col.field]], dtype="string"))
            if pd.isna(stated.iloc[0]):
                continue
            factor = table.factors.get(col.field, 1.0)
            total = float(stated.iloc[0]) * factor
            sums = [float(details[col.field][block].sum()) * factor for block in blocks]
            if not any(abs(total - s) <= tolerance * max(abs(s), 1e-9) for s in sums):
                unit = COLUMN_TYPES[col.type].unit
                flags.append({
                    "unit_code": None, "return_code": ret.code, "flag": "total_mismatch",
                    "detail": f"第{at}行合计「{col.header}」为{total:g}{unit}，对应明细之和为{sums[0]:g}{unit}，"
                              f"相差超过{tolerance:.1%}",
                    "source_file": rel, "sheet": table.sheet, "row_number": at,
                })
    return flags


def _blocks_around(rows, marks: list[int], at: int) -> list:
    before = max((m for m in marks if m < at), default=0)
    after = min((m for m in marks if m > at), default=10**9)
    return [(rows > before) & (rows < at), (rows > at) & (rows < after)]
