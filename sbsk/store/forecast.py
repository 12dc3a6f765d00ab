"""The forecast of the home city's provincial rank (预判全省排名, SPEC §10).

The home city's metric for each part of the province rubric is aggregated from its own units' stored
period (a quarter's indicator_scores or a month's dispatch_scores): Σ numerators for a count, an amount
or grade points, Σ numerators / Σ denominators for a share or a ratio (0 when Σ denominators is 0), never a
mean of the units' ratios. The other cities' metrics are R13 全省对标数据 (stg_peer_metrics). A part is
forecast when every other city has a value, and scored for every city as §5 scores it, `relative`
against the maximum over all cities; an `assessor` part has no home value and is never forecast.

`forecast_points` is the arithmetic alone (exact fractions, rounding half up), `gather` reads what it
needs from the warehouse, `store_forecast` writes forecast_results and forecast_scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import floor
from pathlib import Path

import duckdb
import pandas as pd

from sbsk.config.level import load_level
from sbsk.config.metrics import load_catalogue
from sbsk.config.periods import Month, Quarter
from sbsk.config.registry import Registry, load_registry
from sbsk.config.rubric import Part, Rubric
from sbsk.config.rubric_years import rubric_for_year
from sbsk import REFERENCE_DIR
from sbsk.store.warehouse import insert_frame

PROVINCE_DIR = REFERENCE_DIR / "province"
DEFAULT_BAND = Decimal(3)  # rubric parameter forecast_band: how far another city's total may move


class ForecastError(ValueError):
    """The forecast cannot be made (nothing stored for the period …); the message says what to run."""


@dataclass(frozen=True)
class CityForecast:
    unit_code: str
    unit_name: str
    total: Decimal
    rank: int


@dataclass
class Forecast:
    period: str
    home_unit: str
    home_name: str
    cities: list[CityForecast]                                # by rank, then code
    scores: list[tuple[str, str, int, Fraction, Fraction]]    # unit, indicator, part, value, exact points
    parts_forecast: list[tuple[str, int]]
    parts_left_out: dict[tuple[str, int], list[str]]          # part → the cities without a value (names)
    covered_points: Decimal
    best_rank: int
    worst_rank: int
    band: Decimal
    sources: list[str] = field(default_factory=list)
    labels: dict[tuple[str, int], str] = field(default_factory=dict)  # part → its indicator's code and name

    @property
    def home(self) -> CityForecast:
        return next(c for c in self.cities if c.unit_code == self.home_unit)

    @property
    def headline(self) -> str:
        return (f"预计全省第{self.home.rank}名（第{self.best_rank}至第{self.worst_rank}名，"
                f"覆盖{points_text(self.covered_points)}分）")


def points_text(value: Decimal) -> str:
    """72 for 72.00, 72.5 for 72.50: points as people write them."""
    text = f"{Decimal(value):.2f}".rstrip("0").rstrip(".")
    return text or "0"


def round_half_up(value: Fraction) -> Decimal:
    """A non-negative exact value rounded half up to 2 decimals (SPEC §5)."""
    return Decimal(floor(value * 100 + Fraction(1, 2))) / 100


def exact(value) -> Fraction:
    """A stored number as the decimal written (a float's shortest form, never its binary expansion)."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(str(value))


def target_of(part: Part, rubric: Rubric, period: Quarter | Month) -> Fraction:
    """The progress target of the period: a part's constant target, else t(q) or t(m)."""
    if isinstance(period, Month):
        target = part.target_in_month(period.m, rubric.monthly_time_progress)
    else:
        target = part.target_in(period.q, rubric.time_progress)
    return exact(target)


def part_points(part: Part, value: Fraction, leader: Fraction, target: Fraction | None) -> Fraction:
    """§5's methods on one city's value; `leader` is the maximum over all cities (relative)."""
    share = exact(part.share)
    if part.method == "relative":
        return Fraction(0) if leader == 0 else share * value / leader
    if part.method == "progress":
        return share * min(value / target, Fraction(1)) if target else Fraction(0)
    if part.method == "threshold":
        return share if value >= part.min_count else Fraction(0)
    if part.method == "graded":
        return min(share, value)
    raise ValueError(f"part method {part.method!r} is never forecast")


def rank_of(total: Decimal, others: list[Decimal]) -> int:
    """1 + the number of cities with a higher total: a city exactly level shares the rank."""
    return 1 + sum(1 for t in others if t > total)


def forecast_points(rubric: Rubric, period: Quarter | Month, cities: dict[str, str], home: str,
                    values: dict[tuple[str, int], dict[str, Fraction]], band: Decimal = DEFAULT_BAND) -> Forecast:
    """The forecast from every city's value per part: `cities` code → name (home included), `values`
    (indicator, part) → city → value (the home's aggregated, the others' from R13)."""
    others = [c for c in cities if c != home]
    scores, forecast, left_out, labels = [], [], {}, {}
    totals = {c: Decimal(0) for c in cities}
    covered = Decimal(0)
    for ind in rubric.indicators:
        points = {c: Fraction(0) for c in cities}
        counted = False
        for part in ind.parts:
            labels[(ind.code, part.number)] = ind.code + ind.name + (f"第{part.number}分项" if len(ind.parts) > 1 else "")
            if part.method == "assessor":
                continue  # no home value: never forecast
            got = values.get((ind.code, part.number), {})
            missing = [cities[c] for c in others if c not in got]
            if missing or home not in got:
                left_out[(ind.code, part.number)] = missing or [cities[home]]
                continue
            leader = max(got[c] for c in cities)
            target = target_of(part, rubric, period) if part.method == "progress" else None
            for c in cities:
                p = part_points(part, got[c], leader, target)
                points[c] += p
                scores.append((c, ind.code, part.number, got[c], p))
            forecast.append((ind.code, part.number))
            covered += part.share
            counted = True
        if counted:  # the sum of its forecast parts, rounded once (no deduction: no part measures it)
            for c in cities:
                totals[c] += round_half_up(points[c])
    ranked = sorted(cities, key=lambda c: (-totals[c], c))
    rows = [CityForecast(c, cities[c], totals[c], rank_of(totals[c], [totals[o] for o in cities if o != c]))
            for c in ranked]
    mine = totals[home]
    best = rank_of(mine, [totals[o] - band for o in others])
    worst = rank_of(mine, [totals[o] + band for o in others])
    return Forecast(str(period), home, cities[home], rows, scores, forecast, left_out, covered, best, worst, band,
                    labels=labels)


# ---- from the warehouse ----

def home_values(con: duckdb.DuckDBPyConnection, period: Quarter | Month, province: Rubric,
                 city: Rubric) -> dict[tuple[str, int], Fraction]:
    """Each province part's home value from the city's units of the stored period."""
    table, key = ("dispatch_scores", "month") if isinstance(period, Month) else ("indicator_scores", "quarter")
    where = {p.metric: (ind.code, p.number) for ind in city.indicators for p in ind.parts}
    catalogue = load_catalogue()
    found = {}
    for ind in province.indicators:
        for part in ind.parts:
            if part.method == "assessor" or part.metric not in where:
                continue
            code, k = where[part.metric]
            num, den, n = con.execute(
                f"select sum(numerator_{k}), sum(denominator_{k}), count(*) from main.{table} "
                f"where {key} = ? and indicator_code = ?", [str(period), code]).fetchone()
            if not n:
                continue
            metric = catalogue.describe(part.metric, city)
            num = exact(num or 0)
            if metric is not None and metric.is_fraction:
                den = exact(den or 0)
                found[(ind.code, part.number)] = Fraction(0) if den == 0 else num / den
            else:
                found[(ind.code, part.number)] = num
    return found


def _peer_values(con: duckdb.DuckDBPyConnection, period: str) -> tuple[dict[tuple[str, int], dict[str, Fraction]],
                                                                        list[str]]:
    exists = con.execute("select count(*) from duckdb_tables() where schema_name = 'main' "
                         "and table_name = 'stg_peer_metrics'").fetchone()[0]
    if not exists:
        return {}, []
    rows = con.execute("select unit_code, indicator, part, value, source from main.stg_peer_metrics "
                       "where quarter = ? order by unit_code, indicator, part", [period]).fetchall()
    values: dict[tuple[str, int], dict[str, Fraction]] = {}
    for unit, ind, part, value, _ in rows:
        values.setdefault((ind, int(part)), {})[unit] = exact(value)
    return values, sorted({r[4] for r in rows if r[4]})


def stored_period(con: duckdb.DuckDBPyConnection, period: Quarter | Month) -> bool:
    table, key = ("dispatch_results", "month") if isinstance(period, Month) else ("quarter_results", "quarter")
    return bool(con.execute(f"select count(*) from main.{table} where {key} = ?", [str(period)]).fetchone()[0])


def gather(con: duckdb.DuckDBPyConnection, period: Quarter | Month, province_dir: Path | None = None,
           reference_dir: Path | None = None) -> Forecast:
    """The forecast of the period from the warehouse: the city's stored period and its R13 rows."""
    folder = Path(province_dir or PROVINCE_DIR)
    if not stored_period(con, period):
        run = f"sbsk dispatch {period}" if isinstance(period, Month) else f"sbsk run {period}"
        raise ForecastError(f"数据库中没有{period}的本市考评结果，无法预判全省排名：请先运行 {run}")
    level = load_level(folder)
    registry: Registry = load_registry(folder / "units.csv", folder / "unit_groups.csv")
    cities = {u.code: u.name for u in registry.for_year(period.year)}
    if not level.home_unit or level.home_unit not in cities:
        raise ForecastError(f"{folder / 'level.toml'}：home_unit（本市代码）未填写或不在 {folder / 'units.csv'} 中")
    province = rubric_for_year(period.year, None, folder)
    values, sources = _peer_values(con, str(period))
    if not values:
        raise ForecastError(f"{period}没有全省对标数据（R13「全省对标数据」，市政府重点项目办报送）：请把它放在 "
                            f"<raw>/{period}/zdxmb/ 下并重新运行本期考评，再运行 sbsk forecast {period}")
    home = home_values(con, period, province, rubric_for_year(period.year, None, reference_dir))
    for key, value in home.items():
        values.setdefault(key, {})[level.home_unit] = value
    band = province.parameters.get("forecast_band", DEFAULT_BAND)
    if isinstance(band, bool) or not isinstance(band, (int, float, Decimal)) or band < 0:
        raise ForecastError(f"{province.path}：parameters.forecast_band 应为不小于0的分数（如 3），不是 {band!r}")
    band = Decimal(str(band))
    result = forecast_points(province, period, cities, level.home_unit, values, band)
    result.sources = sources
    return result


def store_forecast(con: duckdb.DuckDBPyConnection, result: Forecast) -> None:
    """Replace the period's rows of forecast_results and forecast_scores (in the caller's transaction)."""
    con.execute("delete from main.forecast_results where period = ?", [result.period])
    con.execute("delete from main.forecast_scores where period = ?", [result.period])
    home = result.home_unit
    parts_forecast = "、".join(f"{i}-{p}" for i, p in result.parts_forecast)
    parts_left = "、".join(f"{i}-{p}" for i, p in result.parts_left_out)
    frame = pd.DataFrame([{
        "period": result.period, "unit_code": c.unit_code, "unit_name": c.unit_name, "is_home": c.unit_code == home,
        "covered_points": result.covered_points, "total": c.total, "rank": c.rank,
        "best_rank": result.best_rank if c.unit_code == home else None,
        "worst_rank": result.worst_rank if c.unit_code == home else None,
        "parts_forecast": parts_forecast, "parts_left_out": parts_left,
    } for c in result.cities])
    scores = pd.DataFrame([{"period": result.period, "unit_code": u, "indicator_code": i, "part": p,
                            "value": float(v), "points": float(pts)} for u, i, p, v, pts in result.scores])
    for table, rows in (("forecast_results", frame), ("forecast_scores", scores)):
        insert_frame(con, table, rows)
