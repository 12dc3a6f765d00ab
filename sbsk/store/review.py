"""Load, score and publish a half year's on-site review (SPEC §11) in one transaction, the way a
quarter is published (sbsk.store.warehouse.writing: a private copy renamed over the database).

Python hands the SQL its inputs (the loaded R12 rows with their lineage, the rubric's [review], the
year's units); transforms/review/ computes every mean, total, rank and deviation.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import duckdb
import pandas as pd

from sbsk.config.periods import HalfYear
from sbsk.faults import checkpoint
from sbsk.config.registry import Registry
from sbsk.config.review_rubric import ReviewRubric
from sbsk.config.rubric import Rubric
from sbsk.intake.ingest import FileResult
from sbsk.schemas.definitions import Definitions
from sbsk.store.models import publish_reference
from sbsk.store.publish import now, report_frames
from sbsk.store.runs import record_run
from sbsk.store.warehouse import build_schema, insert_frame, install_macros, replace_rows, run_models, writing

MODELS = ["review_item_stats", "review_results", "review_assessors"]
RETURN_CODE = "R12"


def _exact(value) -> str | None:
    """A loaded score as the text of its shortest decimal form, so DuckDB casts the written number."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return str(Decimal(repr(float(value))))


def _names(defs: Definitions, registry: Registry) -> dict[str, str]:
    names = {u.code: u.name for u in registry.units}
    names.update({d.code: d.name for d in defs.departments.values()})
    return names


def score_rows(period: str, results: list[FileResult], defs: Definitions, registry: Registry,
               items: list[str]) -> pd.DataFrame:
    """review_scores rows (all text; cast by the insert) from the loaded R12 rows of every file."""
    names = _names(defs, registry)
    rows = []
    for res in results:
        if res.return_code != RETURN_CODE or res.status != "loaded" or res.loaded is None:
            continue
        for rec in res.loaded.to_dict("records"):
            unit = rec.get("assessor_unit")
            unit = None if unit is pd.NA else unit
            rows.append({
                "period": period, "unit_code": rec["unit"], "review_group": rec["review_group"],
                "assessor": rec["assessor"], "assessor_unit": unit, "assessor_unit_name": names.get(unit),
                **{f: _exact(rec[f]) for f in items},
                "projects": None if rec.get("projects") is pd.NA else rec.get("projects"),
                "note": None if rec.get("note") is pd.NA else rec.get("note"),
                "source_file": res.source.rel, "sha256": res.source.sha256, "sheet": res.sheet,
                "row_number": int(rec["_row"]),
            })
    return pd.DataFrame(rows, columns=["period", "unit_code", "review_group", "assessor", "assessor_unit",
                                       "assessor_unit_name", *items, "projects", "note", "source_file", "sha256",
                                       "sheet", "row_number"], dtype=object)


def prepare_review(con: duckdb.DuckDBPyConnection, half: HalfYear, review: ReviewRubric, rubric_version: str,
                   registry: Registry) -> None:
    install_macros(con)
    con.execute("create or replace temp table review_params as select ?::varchar as period, ?::integer as year, "
                "?::integer as trim_min, ?::decimal(9, 4) as outlier_points, ?::varchar as rubric_version",
                [str(half), half.year, review.trim_min, str(review.outlier_points), rubric_version])
    con.execute("create or replace temp table review_items (field varchar, name varchar, max_points decimal(5, 2), "
                "position integer)")
    for i, item in enumerate(review.items, start=1):
        con.execute("insert into review_items values (?, ?, ?::decimal(5, 2), ?)",
                    [item.field, item.name, str(item.max_points), i])
    con.execute("create or replace temp table units_active (unit_code varchar, unit_name varchar, unit_group varchar)")
    for u in registry.for_year(half.year):
        con.execute("insert into units_active values (?, ?, ?)", [u.code, u.name, u.group])


def inputs_frame(run_id: str, period: str, results: list[FileResult]) -> pd.DataFrame:
    return pd.DataFrame([{"run_id": run_id, "quarter": period, "path": r.source.rel, "sha256": r.source.sha256,
                          "department": r.source.department, "archive_path": r.archive_path}
                         for r in results if r.archive_path])


def publish_review(half: HalfYear, results: list[FileResult], defs: Definitions, rubric: Rubric, registry: Registry,
                   out_dir, run_id: str, started: datetime, reference_dir=None) -> None:
    """Replace exactly this half year's review rows, results, file accounting and flags; `reference_dir`
    is the reference set the run used (recorded with it)."""
    p = str(half)
    review = rubric.review
    items = [i.field for i in review.items]
    scores = score_rows(p, results, defs, registry, items)
    sources, rejected, py_flags = report_frames(p, results, defs)
    with writing(out_dir, defs) as con, build_schema(con):
        con.execute("begin")
        con.execute("delete from main.review_scores where period = ?", [p])
        if not scores.empty:
            con.register("_scores", scores)
            casts = ", ".join(f"{f}::decimal(5, 2) as {f}" for f in items)
            con.execute(f"insert into main.review_scores by name select * exclude ({', '.join(items)}, row_number), "
                        f"{casts}, {' + '.join(f'{f}::decimal(5, 2)' for f in items)} as total, "
                        f"row_number::integer as row_number from _scores")
            con.unregister("_scores")
        prepare_review(con, half, review, rubric.version, registry)
        run_models(con, "review", MODELS)
        checkpoint("in-transaction")
        publish_reference(con, rubric, registry)
        replace_rows(con, "review_results", "period", p)
        replace_rows(con, "review_assessors", "period", p)
        for table, frame in (("source_files", sources), ("rejected_rows", rejected), ("data_flags", py_flags)):
            con.execute(f"delete from main.{table} where quarter = ?", [p])
            insert_frame(con, table, frame)
        _review_flags(con, p, _plain(review.outlier_points))
        insert_frame(con, "run_inputs", inputs_frame(run_id, p, results))
        # the year's annual shows (and with annual_review_weight > 0 counts) the review: recompute it
        con.execute("update main.annual_results set status = 'stale' where year = ?", [half.year])
        record_run(con, run_id, "review", p, half.year, "done", started, now(), rubric,
                   f"{len(scores)}条评分，{scores['assessor'].nunique() if len(scores) else 0}名评分人", reference_dir)
        con.execute("commit")


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _review_flags(con: duckdb.DuckDBPyConnection, period: str, outlier_points: str) -> None:
    con.execute("""
        insert into main.data_flags (quarter, unit_code, return_code, flag, detail)
        select period, unit_code, 'R12', 'not_reviewed', '本半年没有该县(市、区)的观摩评分，不参加观摩排名'
        from build.review_results where flags = 'not_reviewed'
    """)
    con.execute("""
        insert into main.data_flags (quarter, unit_code, return_code, flag, detail)
        select period, null, 'R12', 'outlier_assessor',
               format('评分人{}（{}）评分{}：所评{}个单位的总分平均{}各单位平均总分（未去最高最低）{}分，'
                      '超过{}分，仅供参考，不改变得分',
                      assessor, review_groups, case when mean_deviation > 0 then '偏宽' else '偏严' end,
                      units_scored, case when mean_deviation > 0 then '高于' else '低于' end,
                      abs(mean_deviation)::varchar, ?)
        from build.review_assessors where outlier
    """, [outlier_points])
