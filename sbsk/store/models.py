"""Run the SQL layers for a quarter or a year on a warehouse connection.

Python only hands the SQL its inputs as small temp tables (run parameters, the active units, the
rubric's parts, grades and weights, the working-day calendar, which returns are missing); every
metric, point, rank and reward is computed by the models in transforms/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Callable

import duckdb
import pandas as pd

from sbsk.config.periods import Month, Quarter
from sbsk.config.registry import Registry
from sbsk.config.rubric import Part, Progress, Rubric, RubricError
from sbsk.store.warehouse import install_macros, run_models, union_models
from sbsk.config.workdays import calendar_frame

METRIC_COLUMNS = "unit_code, metric, num::decimal(38, 4) as num, den::decimal(38, 4) as den"
FLAG_COLUMNS = ("unit_code, return_code, flag, detail, source_file, sheet, row_number::integer as row_number")


def _temp(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, ddl: str) -> None:
    con.execute(f"create or replace temp table {name} ({ddl})")
    if not frame.empty:
        con.register("_t", frame)
        con.execute(f"insert into {name} by name select * from _t")
        con.unregister("_t")


def _common(con: duckdb.DuckDBPyConnection, year: int, rubric: Rubric, registry: Registry) -> None:
    install_macros(con)
    units = pd.DataFrame([(u.code, u.name, u.group) for u in registry.for_year(year)],
                         columns=["unit_code", "unit_name", "unit_group"])
    _temp(con, "units_active", units, "unit_code varchar, unit_name varchar, unit_group varchar")
    rw = rubric.rewards
    for name in ("quarter_first_yuan", "quarter_last_yuan", "annual_first_yuan", "annual_last_yuan"):
        con.execute(f"set variable {name} = ?::bigint", [rw[name]])
    order = list(rw["tie_break"])
    categories = pd.DataFrame([(c.code, c.name, str(c.max_points), order.index(c.code) + 1) for c in rubric.categories],
                              columns=["category_code", "category_name", "max_points", "tie_break_rank"])
    _temp(con, "rubric_categories", categories,
          "category_code varchar, category_name varchar, max_points decimal(6, 2), tie_break_rank integer")


def publish_reference(con: duckdb.DuckDBPyConnection, rubric: Rubric, registry: Registry) -> None:
    """The units and rubric_indicators contract tables."""
    con.execute("delete from main.units")
    for u in registry.units:
        con.execute("insert into main.units values (?, ?, ?, ?, ?, ?)",
                    [u.code, u.name, u.group, registry.groups[u.group], u.valid_from, u.valid_to])
    con.execute("delete from main.rubric_indicators where rubric_version = ?", [rubric.version])
    cats = {c.code: c.name for c in rubric.categories}
    for ind in rubric.indicators:
        con.execute("insert into main.rubric_indicators values (?, ?, ?, ?, ?, ?, ?, ?)", [
            rubric.version, ind.code, ind.category, cats[ind.category], ind.name, ind.max_points,
            ",".join(p.method for p in ind.parts), ",".join(sorted(ind.sources))])


@dataclass(frozen=True)
class Window:
    """What the generic models ask of a period: a quarter (SPEC §2) or a month's dispatch (SPEC §9).

    The models read it from run_params under the quarter's names: `quarter` is the period the rows
    were staged for, `quarter_start` … `quarter_end` is C1's "in quarter" window (for a month: from the
    first day of the quarter holding it to the month end), YTD is [year_start, quarter_end], and
    `previous_quarter` the period cumulative_decrease compares with.
    """
    key: str
    year: int
    q: int                       # the quarter holding the period
    start: date
    end: date
    previous: str | None
    previous_label: str          # how a flag names `previous`: 上季度, 上月
    target: Callable[[Part], Progress | None]


def quarter_window(quarter: Quarter, rubric: Rubric) -> Window:
    prev = quarter.previous_in_year
    return Window(str(quarter), quarter.year, quarter.q, quarter.start, quarter.end, str(prev) if prev else None,
                  "上季度", lambda part: part.target_in(quarter.q, rubric.time_progress))


def month_window(month: Month, rubric: Rubric) -> Window:
    prev = month.previous_in_year
    return Window(str(month), month.year, month.quarter.q, month.quarter.start, month.end,
                  str(prev) if prev else None, "上月",
                  lambda part: part.target_in_month(month.m, rubric.monthly_time_progress))


def _fraction(value: Progress | None) -> tuple[str | None, str | None]:
    """An exact target as numerator and denominator (hugeint text): 7/12 stays 7/12, 0.333333 stays
    333333/1000000."""
    if value is None:
        return None, None
    f = Fraction(value)
    return str(f.numerator), str(f.denominator)


def prepare_quarter(con: duckdb.DuckDBPyConnection, quarter: Quarter, rubric: Rubric, registry: Registry,
                    missing: set[str]) -> None:
    prepare_window(con, quarter_window(quarter, rubric), rubric, registry, missing)


def prepare_window(con: duckdb.DuckDBPyConnection, window: Window, rubric: Rubric, registry: Registry,
                   missing: set[str], carried: pd.DataFrame | None = None) -> None:
    """The run's inputs for the generic models; `carried` holds a dispatch's carried assessor points
    (unit_code, indicator_code, points, from_period), empty for a quarter."""
    _common(con, window.year, rubric, registry)
    p = rubric.parameters
    con.execute("create or replace temp table run_params as select "
                "?::varchar as quarter, ?::integer as year, ?::integer as q, ?::date as quarter_start, "
                "?::date as quarter_end, ?::date as year_start, ?::varchar as previous_quarter, "
                "?::varchar as previous_label, ?::varchar as rubric_version, "
                "?::decimal(18, 4) as major_quality_min_investment, ?::varchar[] as major_quality_sectors, "
                "?::decimal(18, 4) as signed_quality_min_amount, ?::integer as approval_workday_limit, "
                "?::decimal(9, 4) as over_plan_ratio",
                [window.key, window.year, window.q, window.start, window.end, date(window.year, 1, 1),
                 window.previous, window.previous_label, rubric.version,
                 p["major_quality_min_investment"], list(p["major_quality_sectors"]),
                 p["signed_quality_min_amount"], p["approval_workday_limit"], p["over_plan_ratio"]])
    parts = pd.DataFrame([
        (ind.code, part.number, part.method, str(part.share), *_fraction(window.target(part)), part.min_count,
         part.no_base, part.metric, part.source)
        for ind in rubric.indicators for part in ind.parts
    ], columns=["indicator_code", "part_no", "method", "share", "target_n", "target_d", "min_count", "no_base",
                "metric", "source"])
    _temp(con, "rubric_parts", parts, "indicator_code varchar, part_no integer, method varchar, share decimal(9, 4), "
          "target_n hugeint, target_d hugeint, min_count integer, no_base varchar, metric varchar, source varchar")
    if carried is None:
        carried = pd.DataFrame(columns=["unit_code", "indicator_code", "points", "from_period"])
    _temp(con, "carried_assessments", carried,
          "unit_code varchar, indicator_code varchar, points decimal(6, 2), from_period varchar")
    inds = pd.DataFrame([
        (ind.code, ind.category, str(ind.max_points),
         ind.deduction.metric if ind.deduction else None, ind.deduction.source if ind.deduction else None,
         str(ind.deduction.points_each) if ind.deduction else None)
        for ind in rubric.indicators
    ], columns=["indicator_code", "category_code", "max_points", "deduction_metric", "deduction_source", "deduction_each"])
    _temp(con, "rubric_run_indicators", inds, "indicator_code varchar, category_code varchar, max_points decimal(6, 2), "
          "deduction_metric varchar, deduction_source varchar, deduction_each decimal(6, 2)")
    grades = pd.DataFrame([(g, str(v)) for g, v in rubric.grades.items()], columns=["grade", "points"])
    _temp(con, "rubric_grades", grades, "grade varchar, points decimal(9, 4)")
    _temp(con, "calendar_days", calendar_frame(), "day date, is_workday boolean, workday_index integer")
    _temp(con, "missing_returns", pd.DataFrame({"return_code": sorted(missing)}), "return_code varchar")


def score_quarter(con: duckdb.DuckDBPyConnection, rubric: Rubric) -> None:
    """Intermediate and mart models for the prepared quarter, as temp tables."""
    score_window(con, rubric)
    run_models(con, "marts", ["quarter_results"])


def score_window(con: duckdb.DuckDBPyConnection, rubric: Rubric) -> None:
    """The generic models for the prepared period (quarter or month): metrics, part and indicator
    points, totals."""
    built = run_models(con, "intermediate")
    union_models(con, "int_metrics", [m for m in built if m.endswith("_metrics")], METRIC_COLUMNS)
    union_models(con, "int_data_flags", [m for m in built if m.startswith("int_flags_")], FLAG_COLUMNS)
    produced = {r[0] for r in con.execute("select distinct metric from int_metrics").fetchall()}
    for ind in rubric.indicators:
        for part in ind.parts:
            if part.metric not in produced:
                raise RubricError(f"indicator {ind.code} part {part.number}: metric {part.metric!r} is produced by "
                                  f"no model in transforms/intermediate (known: {', '.join(sorted(produced))})")
        if ind.deduction and ind.deduction.metric not in produced:
            raise RubricError(f"indicator {ind.code} deduction: metric {ind.deduction.metric!r} is produced by no model")
    run_models(con, "marts", ["part_points", "indicator_scores", "category_scores", "quarter_totals"])


def prepare_year(con: duckdb.DuckDBPyConnection, year: int, rubric: Rubric, registry: Registry) -> None:
    _common(con, year, rubric, registry)
    weight = rubric.review.annual_review_weight if rubric.review else 0  # SPEC §11: 0 shows the review only
    con.execute("create or replace temp table annual_params as select ?::integer as year, "
                "?::decimal(5, 4) as review_weight", [year, str(weight)])
    weights = pd.DataFrame({"quarter": [f"{year}Q{q}" for q in range(1, 5)],
                            "weight": [str(w) for w in rubric.annual_weights]})
    _temp(con, "annual_weights", weights, "quarter varchar, weight decimal(9, 4)")


def score_year(con: duckdb.DuckDBPyConnection) -> None:
    run_models(con, "marts", ["annual_category_scores", "annual_totals", "annual_combined", "annual_results"])
