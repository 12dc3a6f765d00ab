"""Publishing a month's dispatch (月调度, SPEC §9): the month's returns staged under its own key,
scored by the quarter's generic models over the month's window (sbsk.store.models.month_window),
then ranked, compared with the month before and warned about by transforms/dispatch/. One
transaction on a private copy of the warehouse, like a quarter; the quarter tables are never touched.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from pathlib import Path

import duckdb
import pandas as pd

from sbsk.config.periods import Month
from sbsk.config.registry import Registry
from sbsk.config.rubric import WARNING_KEYS, Rubric
from sbsk.faults import checkpoint
from sbsk.intake.ingest import FileResult
from sbsk.schemas.definitions import Definitions
from sbsk.store.models import month_window, prepare_window, publish_reference, score_window
from sbsk.store.runs import record_run
from sbsk.store.publish import _inputs_frame, _submissions, load_returns, now, report_frames, store_lineage
from sbsk.store.warehouse import build_schema, insert_frame, replace_rows, run_models, sql_file, writing
from sbsk.store.warning_words import word_warnings

DISPATCH_MODELS = ["dispatch_scores", "dispatch_results", "dispatch_warning_facts"]


def optional_returns(rubric: Rubric) -> set[str]:
    """Returns a month may lack without a missing_return: those feeding only assessor parts (R10),
    whose points are carried from the latest stored quarter instead."""
    methods: dict[str, set[str]] = {}
    for ind in rubric.indicators:
        for part in ind.parts:
            methods.setdefault(part.source, set()).add(part.method)
    return {code for code, used in methods.items() if used == {"assessor"}}


def dispatch_missing(loaded: set[str], rubric: Rubric) -> list[str]:
    """The returns the rubric scores from that no file of the month delivered (never fatal)."""
    needed = {ind_source for ind in rubric.indicators for ind_source in ind.sources}
    return sorted(needed - loaded - optional_returns(rubric))


def prepare_dispatch(con: duckdb.DuckDBPyConnection, month: Month, rubric: Rubric, registry: Registry,
                     missing: set[str]) -> None:
    prepare_window(con, month_window(month, rubric), rubric, registry, missing)
    con.execute(f"insert into carried_assessments by name {sql_file('dispatch', 'carried_assessments.sql')}")
    values = [str(month.previous)]
    for key in WARNING_KEYS:
        f = Fraction(getattr(rubric.warnings, key))
        values += [str(f.numerator), str(f.denominator)]
    columns = ", ".join(f"?::hugeint as {key}_n, ?::hugeint as {key}_d" for key in WARNING_KEYS)
    con.execute(f"create or replace temp table dispatch_params as select ?::varchar as previous_month, {columns}",
                values)


def score_dispatch(con: duckdb.DuckDBPyConnection, rubric: Rubric) -> None:
    score_window(con, rubric)
    run_models(con, "dispatch", DISPATCH_MODELS)


def publish_dispatch(month: Month, results: list[FileResult], missing: list[str], defs: Definitions,
                     rubric: Rubric, registry: Registry, out_dir: Path, run_id: str, started: datetime,
                     reference_dir: Path | None = None) -> str:
    """Load, score and publish one month's dispatch in one transaction; always 'provisional'.
    `reference_dir` is the reference set the month was scored with (recorded with the run)."""
    m = str(month)
    sources, rejected, py_flags = report_frames(m, results, defs)
    with writing(out_dir, defs) as con, build_schema(con):
        con.execute("begin")
        load_returns(con, defs, m, results)
        prepare_dispatch(con, month, rubric, registry, set(missing))
        score_dispatch(con, rubric)
        checkpoint("in-transaction")
        publish_reference(con, rubric, registry)
        replace_rows(con, "dispatch_scores", "month", m)
        replace_rows(con, "dispatch_results", "month", m)
        con.execute("delete from main.dispatch_warnings where month = ?", [m])
        insert_frame(con, "dispatch_warnings", _warnings_frame(con, rubric))
        store_lineage(con, m, sources, rejected, py_flags)
        _scoring_flags(con, month, missing, defs)
        insert_frame(con, "run_inputs", _inputs_frame(run_id, m, results))
        _submissions(con, month, results, rubric, defs, out_dir, run_id)  # what each department sent (SPEC §12)
        record_run(con, run_id, "dispatch", m, month.year, "provisional", started, now(), rubric,
                   f"缺报：{'、'.join(missing)}" if missing else None, reference_dir)
        con.execute("commit")
    return "provisional"


def _warnings_frame(con: duckdb.DuckDBPyConnection, rubric: Rubric) -> pd.DataFrame:
    facts = con.execute("""
        select f.*, u.unit_name, l.unit_name as leader_name
        from build.dispatch_warning_facts f
        join units_active u using (unit_code)
        left join units_active l on l.unit_code = f.leader_code
        order by f.unit_code, f.indicator_code, f.part
    """).df()
    facts["detail"] = word_warnings(facts, rubric)
    return facts[["month", "unit_code", "indicator_code", "part", "method", "level", "ratio", "value", "basis",
                  "gap", "points_behind", "detail"]]


def _scoring_flags(con: duckdb.DuckDBPyConnection, month: Month, missing: list[str], defs: Definitions) -> None:
    m = str(month)
    for code in missing:
        con.execute("insert into main.data_flags (quarter, return_code, flag, detail) values (?, ?, 'missing_return', ?)",
                    [m, code, f"{code}「{defs.returns[code].title}」本月缺报，相关指标计0分（月调度结果为暂定）"])
    con.execute("""
        insert into main.data_flags (quarter, unit_code, return_code, flag, detail)
        select s.quarter, s.unit_code, null, f.flag,
               format('指标{}：{}', s.indicator_code,
                      case f.flag when 'no_base' then '无考核基数（分母为0），计0分'
                                  when 'missing_assessment' then '本月无专班评分，本年也没有可沿用的季度评分，计0分'
                                  when 'carried_assessment' then format('本月无专班评分，沿用{}年第{}季度的评分{}分',
                                       ca.from_period[1:4], ['一', '二', '三', '四'][ca.from_period[6:6]::integer],
                                       printf('%.2f', ca.points))
                                  else '所需报表缺报，计0分' end)
        from build.indicator_scores s
        cross join unnest(string_split(s.flags, ',')) f(flag)
        left join carried_assessments ca using (unit_code, indicator_code)
        where s.flags is not null and f.flag <> 'missing_return'
    """)
