"""Validate one return's table: parse the text, run its Pandera schema lazily, and turn every
failure into a rejection a clerk can act on (file, sheet, Excel row, column, value, message)."""

from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field, replace
from pathlib import Path
from datetime import date

import pandas as pd
import pandera.pandas as pa

from sbsk.config.level import Level
from sbsk.config.registry import Registry
from sbsk.config.rubric import Rubric
from sbsk.config.workdays import covered_years
from sbsk.schemas.definitions import ReturnDef
from sbsk.schemas.pandera_schemas import build_schema
from sbsk.schemas.types import COLUMN_TYPES
from sbsk.intake.parse import CellError, parse_table
from sbsk.intake.reader import Table
from sbsk.intake.peer_rules import peer_row_problems
from sbsk.intake.review_rules import review_row_problems
from sbsk.intake.unrowed import unrowed_failures, whole_file_problem
from sbsk.text import column_letter, squash


@dataclass(frozen=True)
class Context:
    """What validation needs besides the file: who is scored, the rubric, the calendar, today."""

    units: dict[str, str]          # comparison key → unit_code
    indicators: dict[str, str]     # comparison key → indicator code
    rubric_max: dict[str, float]   # indicator code → max points
    calendar: tuple[int, int]      # first and last year the workday calendar covers
    today: date
    total_tolerance: float         # rubric parameter total_mismatch_tolerance (合计 vs its detail rows)
    review_max: dict[str, str] = dataclass_field(default_factory=dict)  # R12 item → its maximum ([review])
    # the level's unit column (SPEC §10, level.toml): header and aliases; empty keeps returns.toml's
    unit_column: tuple[str, tuple[str, ...]] | None = None
    # R13 (SPEC §10) is validated against the province: its context, or why there is none
    peer: "Context | None" = None
    peer_problem: str | None = None
    home_unit: str | None = None                                    # a peer context: the home city
    home_name: str = ""
    parts: dict[str, int] = dataclass_field(default_factory=dict)  # indicator code → its number of parts


def context_for(year: int, rubric: Rubric, registry: Registry, today: date | None = None,
                level: Level | None = None, peer: bool = True) -> Context:
    """Validation's context for a year: its units, the rubric's indicators, maxima and tolerance, the calendar."""
    indicators = {}
    for ind in rubric.indicators:
        indicators[squash(ind.code).upper()] = ind.code
        indicators[squash(ind.code).lower()] = ind.code
        indicators[squash(ind.name)] = ind.code
    return Context(
        units=registry.resolver(year),
        indicators=indicators,
        rubric_max={ind.code: float(ind.max_points) for ind in rubric.indicators},
        calendar=covered_years(),
        today=today or date.today(),
        total_tolerance=float(rubric.parameters["total_mismatch_tolerance"]),
        review_max={i.field: str(i.max_points) for i in rubric.review.items} if rubric.review else {},
        unit_column=(level.unit_header, level.unit_aliases) if level else None,
        **(_peer(year) if peer else {}),
    )


def peer_context(year: int, province_dir: Path | None = None) -> Context:
    """The context R13 is validated in: the cities of the province reference set (the shipped
    reference/province unless `province_dir`), the province rubric of the year, the home city."""
    from sbsk import REFERENCE_DIR
    from sbsk.config.level import load_level
    from sbsk.config.registry import load_registry
    from sbsk.config.rubric_years import rubric_for_year

    folder = Path(province_dir or REFERENCE_DIR / "province")
    rubric = rubric_for_year(year, None, folder)
    registry = load_registry(folder / "units.csv", folder / "unit_groups.csv")
    level = load_level(folder)
    base = context_for(year, rubric, registry, level=level, peer=False)
    names = {u.code: u.name for u in registry.units}
    return replace(base, home_unit=level.home_unit, home_name=names.get(level.home_unit or "", ""),
                   parts={ind.code: len(ind.parts) for ind in rubric.indicators})


def _peer(year: int) -> dict:
    try:
        return {"peer": peer_context(year)}
    except (ValueError, OSError) as exc:  # no province rubric for the year …: R13 alone is refused
        return {"peer_problem": f"无法校验全省对标数据：{exc}"}



@dataclass
class Verdict:
    loaded: pd.DataFrame           # typed rows that passed, with `_row`
    rejections: list[dict]         # one per problem: row_number, column_name, value, message
    file_problem: str | None = None  # why the whole file must be rejected (what no row can carry), in Chinese


def _fmt(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _problem(rule: str, ret: ReturnDef, field: str, typed: pd.Series, raw: pd.Series, ctx: Context) -> str:
    col = ret.column(field)
    v = raw.get(field) if isinstance(raw.get(field), str) else _fmt(typed.get(field))
    if rule == "required":
        return f"必填项「{col.header}」为空"
    if rule == "enum":
        return f"「{v}」不在可选范围内，应为：{'、'.join(col.values)}"
    if rule == "min":
        return f"{col.header}({v})不能小于{_fmt(col.min)}"
    if rule == "min_exclusive":
        return f"{col.header}({v})应大于{_fmt(col.min_exclusive)}"
    if rule == "ceiling":
        if col.type == "amount":
            return f"{col.header}({v})数值过大，超出±1000000000万元，请核对金额单位（万元）"
        return f"{col.header}({v})数值过大，超出±{_fmt(COLUMN_TYPES[col.type].ceiling)}，请核对"
    if rule == "pattern":
        return f"{col.header}「{v}」格式不正确，应为 YYYY-DDDDDD-DD-DD-DDDDDD"
    if rule == "too_early":
        return f"{col.header}({_fmt(typed.get(field))})早于2000年，请核对"
    if rule == "future":
        return f"{col.header}({_fmt(typed.get(field))})晚于今天，请核对"
    if rule == "calendar":
        lo, hi = ctx.calendar
        return f"{col.header}({_fmt(typed.get(field))})超出工作日历覆盖的年份（{lo}–{hi}年），无法计算工作日"
    if rule in ("max_field", "min_field", "requires", "required_if"):
        other_name = col.max_field if rule == "max_field" else col.min_field if rule == "min_field" else \
            col.requires if rule == "requires" else col.required_if
        other = ret.column(other_name)
        ov = _fmt(typed.get(other_name))
        if rule == "max_field":
            return f"{col.header}({_fmt(typed.get(field))})超过{other.header}({ov})"
        if rule == "min_field":
            return f"{col.header}({_fmt(typed.get(field))})早于{other.header}({ov})"
        if rule == "requires":
            return f"填写了{col.header}，但{other.header}为空"
        return f"{other.header}为“是”时必须填写{col.header}"
    if rule == "max_rubric":
        ind = typed.get("indicator")
        return f"{col.header}({_fmt(typed.get(field))})超过指标{ind}的满分({_fmt(ctx.rubric_max.get(ind))})"
    if rule == "unique" and ret.period == "peer":
        return f"同一省辖市的指标{typed.get('indicator')}第{_fmt(typed.get('part'))}分项已有一行，只能填一个指标值"
    if rule == "unique":
        return f"同一县(市、区)的指标{typed.get('indicator')}重复评分，只能有一行"
    return f"{col.header}不符合规则 {rule}"


def _schema_errors(typed: pd.DataFrame, ret: ReturnDef,
                   ctx: Context) -> tuple[list[tuple[int, str, str]], dict[str, str]]:
    """(row position, field, rule) for every failed check, each once; and, by column, why Pandera failed
    what no row can carry (sbsk.intake.unrowed): then the file cannot be checked row by row, and
    loading the rows that seemed to pass would take a file Pandera rejected."""
    schema = build_schema(ret, today=ctx.today, rubric_max=ctx.rubric_max, calendar=ctx.calendar)
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        by_row = fc["index"].notna() & fc["check"].astype(str).str.contains("|", regex=False)
        out = []
        for check, index in fc.loc[by_row, ["check", "index"]].drop_duplicates().itertuples(index=False):
            field, rule = str(check).split("|", 1)
            out.append((int(index), field, rule))
        return out, unrowed_failures(fc[~by_row], ret)
    return [], {}


def validate_table(table: Table, ret: ReturnDef, ctx: Context, source: str) -> Verdict:
    ctx = ctx.peer if ret.period == "peer" and ctx.peer else ctx
    typed, cell_errors = parse_table(table.data, ret, table.factors, ctx.units, ctx.indicators)
    problems: list[CellError] = list(cell_errors)
    if ret.period == "half_year":  # R12: 回避, items within their maxima (sbsk.intake.review_rules)
        typed, more = review_row_problems(typed, ret, ctx.units, ctx.review_max)
        problems += more
    if ret.period == "peer":  # R13: no row of the home city, parts the indicator has (sbsk.intake.peer_rules)
        problems += peer_row_problems(typed, ctx.home_unit, ctx.home_name, ctx.parts)
    unreadable = {(e.index, e.field) for e in cell_errors}
    by_row, whole = _schema_errors(typed, ret, ctx)
    if whole:
        return Verdict(typed.iloc[:0], [], whole_file_problem(whole, ret, table))
    for index, field, rule in by_row:
        if (index, field) in unreadable:
            continue  # the cell could not be read at all; that message says it better
        raw = table.data.iloc[index]
        problems.append(CellError(index, field, raw.get(field),
                                  _problem(rule, ret, field, typed.iloc[index], raw, ctx)))
    rejections = []
    for e in sorted(problems, key=lambda e: (e.index, ret.fields.index(e.field) if e.field else -1)):
        col = ret.column(e.field)
        row_number = int(table.data.at[e.index, "_row"])
        letter = column_letter(table.columns[e.field]) if e.field in table.columns else "?"
        value = "" if e.value is None or e.value is pd.NA else str(e.value)
        rejections.append({
            "row_key": ret.row_key(table.data.loc[e.index]),
            "row_number": row_number,
            "column_name": col.label,
            "cell": f"{letter}{row_number}" if letter != "?" else None,
            "value": value,
            "message": f"{source} 工作表「{table.sheet}」第{row_number}行 {letter}列「{col.label}」：{e.message}",
        })
    bad = {e.index for e in problems}
    loaded = typed[~typed.index.isin(bad)].reset_index(drop=True)
    return Verdict(loaded, rejections)
