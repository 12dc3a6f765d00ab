"""`sbsk forecast PERIOD [--json]` and the 全省排名预判 section of the dispatch workbook (SPEC §10):
the forecast is made from the warehouse (sbsk.store.forecast), stored in forecast_results and
forecast_scores, and said as 预计全省第N名（第B至第W名，覆盖X分）."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sbsk.config.periods import Month, Quarter
from sbsk.config.rubric_years import NoRubricForYear
from sbsk.outputs.dispatch_workbook import ForecastSection
from sbsk.schemas import load_returns
from sbsk.store.forecast import Forecast, ForecastError, gather, points_text, store_forecast
from sbsk.store.warehouse import DB_NAME, read_only, writing


def make_forecast(out_dir: Path, period: Quarter | Month, province_dir: Path | None = None,
                  reference_dir: Path | None = None) -> Forecast:
    """Forecast the period from the warehouse and store it (one transaction)."""
    if not (Path(out_dir) / DB_NAME).is_file():
        raise ForecastError(f"{Path(out_dir) / DB_NAME} 不存在：请先运行本期考评（sbsk run 或 sbsk dispatch）")
    with read_only(out_dir) as con:
        result = gather(con, period, province_dir, reference_dir)
    with writing(out_dir, load_returns()) as con:
        con.execute("begin")
        store_forecast(con, result)
        con.execute("commit")
    return result


def forget_forecast(out_dir: Path, period: Quarter | Month) -> None:
    """Delete the period's forecast rows: a dispatch re-run without its R13 has no forecast, and the
    one stored before would say what the month's workbook no longer does. Looked for first: a
    dispatch that never had a forecast opens no writing connection (the bench's dispatch)."""
    if not (Path(out_dir) / DB_NAME).is_file():
        return
    with read_only(out_dir) as con:
        found = con.execute("select count(*) from duckdb_tables() where schema_name = 'main' "
                            "and table_name = 'forecast_results'").fetchone()[0] and con.execute(
            "select count(*) from main.forecast_results where period = ?", [str(period)]).fetchone()[0]
    if not found:
        return
    with writing(out_dir, load_returns()) as con:
        con.execute("begin")
        for table in ("forecast_results", "forecast_scores"):
            con.execute(f"delete from main.{table} where period = ?", [str(period)])
        con.execute("commit")


def refresh_forecast(out_dir: Path, period: Quarter | Month, reference_dir: Path | None = None,
                     province_dir: Path | None = None) -> Forecast | None:
    """Bring the period's stored forecast in line with the warehouse, after anything that changed what
    it reads (the shown scores of the period, its R13 全省对标数据): made again and stored, or, when it
    cannot be made (no R13 for the period), the stored one deleted (it would rest on data no longer
    there). Called by a dispatch, by a quarter's run whose results are what is shown, and by `sbsk
    publish`. A run that only drafts beside a published version does not call it: the forecast, like
    quarter_results and indicator_scores, follows the published version (SPEC §12), and is made
    again from the draft when that is published.

    A province set with no rubric for the period's year (NoRubricForYear) cannot forecast either: a
    city quarter of 2021 is scored and published all the same, with no forecast, as with no R13."""
    try:
        return make_forecast(out_dir, period, province_dir, reference_dir)
    except (ForecastError, NoRubricForYear):
        forget_forecast(out_dir, period)
        return None


def as_dict(result: Forecast) -> dict:
    home = result.home
    return {
        "period": result.period, "home_unit": result.home_unit, "home_name": result.home_name,
        "text": result.headline, "total": float(home.total), "rank": home.rank, "best_rank": result.best_rank,
        "worst_rank": result.worst_rank, "covered_points": float(result.covered_points), "band": float(result.band),
        "parts_forecast": [f"{i}-{p}" for i, p in result.parts_forecast],
        "parts_left_out": {f"{i}-{p}": names for (i, p), names in result.parts_left_out.items()},
        "cities": [{"unit_code": c.unit_code, "unit_name": c.unit_name, "total": float(c.total), "rank": c.rank}
                   for c in result.cities],
        "sources": result.sources,
    }


def left_out_note(result: Forecast) -> str:
    """Which parts were left out and for want of whose values, named as the rubric names them (a
    county leader does not know the codes by heart)."""
    assessor = "专班评分的分项没有本市汇总值，不预判。"
    if not result.parts_left_out:
        return "除专班评分的分项外，所有分项均已预判。"
    nobody = [k for k, names in result.parts_left_out.items() if len(names) >= len(result.cities) - 1]
    some = {k: names for k, names in result.parts_left_out.items() if k not in nobody}
    said = []
    for key, names in some.items():
        label = result.labels.get(key, f"{key[0]}第{key[1]}分项")
        said.append(f"{label}（本市无汇总数据）" if names == [result.home_name] else f"{label}（缺{'、'.join(names)}）")
    if nobody:
        said.append(f"另有{len(nobody)}个分项各省辖市均未报对标数据")
    return (f"未预判{len(result.parts_left_out)}个分项（某个省辖市缺数据的分项，所有省辖市都不计）："
            + "；".join(said) + "。" + assessor)


def section(result: Forecast) -> ForecastSection:
    """The workbook's 全省排名预判 sheet: the headline, every city's forecast, and what it rests on."""
    rows = [[c.rank, c.unit_name + ("（本市）" if c.unit_code == result.home_unit else ""), f"{c.total:.2f}"]
            for c in result.cities]
    notes = [
        f"预判覆盖{points_text(result.covered_points)}分：只计算每个省辖市都有数据的分项；本市数据由各县(市、区)"
        f"汇总（数量、金额求和，占比和进度为分子之和除以分母之和）。",
        f"排名区间：其他省辖市得分均低{points_text(result.band)}分时为第{result.best_rank}名，"
        f"均高{points_text(result.band)}分时为第{result.worst_rank}名。",
        left_out_note(result),
    ]
    if result.sources:
        notes.append(f"对标数据来源：{'、'.join(result.sources)}。")
    home = next(i for i, c in enumerate(result.cities) if c.unit_code == result.home_unit)
    return ForecastSection(result.headline, ["预计名次", "省辖市", "预计得分"], rows, notes, home)


def forecast_command(period: Quarter | Month, out_dir: Path, province_dir: Path | None, as_json: bool,
                     reference_dir: Path | None = None) -> int:
    try:
        result = make_forecast(out_dir, period, province_dir, reference_dir)
    except ForecastError as exc:
        print(f"sbsk forecast：{exc}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(as_dict(result), ensure_ascii=False, indent=2))
        return 0
    print(f"{result.home_name}{period.chinese}：{result.headline}")
    for c in result.cities:
        mark = "  ←" if c.unit_code == result.home_unit else ""
        print(f"  {c.rank:>2}  {c.unit_name}  {c.total:.2f}{mark}")
    print(left_out_note(result))
    return 0
