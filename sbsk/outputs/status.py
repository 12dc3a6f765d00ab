"""`sbsk status [YEAR|YYYYHn]`: each quarter, and each half year's on-site review (SPEC §11), is done,
failed, missing, or stale (its inputs changed since it ran)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from sbsk.config.labels import RUN_STATES
from sbsk.schemas import load_returns
from sbsk.intake.discover import discover
from sbsk.config.deadlines import due_on
from sbsk.config.periods import Quarter, halves_of, quarters_of
from sbsk.config.rubric import Rubric
from sbsk.config.rubric_years import rubric_in_force
from sbsk.config.workdays import CalendarError
from sbsk.intake.receipts import observe
from sbsk.store.warehouse import DB_NAME


@dataclass
class QuarterState:
    quarter: str
    state: str                        # done | provisional | stale | failed | missing
    detail: str
    finished_at: str | None = None
    files: list[str] = field(default_factory=list)
    due_on: str | None = None         # when its returns are due (SPEC §12); None beyond the calendar


def _when(value) -> str | None:
    return None if value is None else f"{str(value)[:16]} UTC"


def _rows(con, sql: str, params: list) -> list[tuple]:
    return con.execute(sql, params).fetchall() if con else []


# what a period has published: a quarter its results, a half year its review results
PUBLISHED = {"quarter": "select count(*) from quarter_results where quarter = ?",
             "review": "select count(*) from review_results where period = ?"}


def quarter_state(con, raw_dir: Path, quarter: str, kind: str = "quarter", out_dir: Path | None = None,
                  rubric: Rubric | None = None) -> QuarterState:
    """The state of a quarter, or (kind='review') of a half year's review; a quarter's due date by
    `rubric` (default: the shipped one in force)."""
    state = _quarter_state(con, raw_dir, quarter, kind, out_dir)
    if kind == "quarter":
        q = Quarter.parse(quarter)
        try:
            state.due_on = due_on(q, rubric or rubric_in_force(q.year)).isoformat()
        except CalendarError:
            pass
    return state


def _quarter_state(con, raw_dir: Path, quarter: str, kind: str, out_dir: Path | None) -> QuarterState:
    runs = _rows(con, "select run_id, status, finished_at, message from pipeline_runs where quarter = ? "
                      "order by started_at desc", [quarter])
    stored = _rows(con, "select path, sha256 from source_files where quarter = ?", [quarter])
    published = _rows(con, PUBLISHED[kind], [quarter])
    sources = discover(raw_dir, quarter, load_returns())
    if out_dir is not None:
        observe(out_dir, quarter, sources, "status")  # status looks at the raw folder: receipts (SPEC §12)
    current = {s.rel: s.sha256 for s in sources}
    if not published or not published[0][0]:
        if runs and runs[0][1] == "failed":
            return QuarterState(quarter, "failed", f"失败：{runs[0][3]}", _when(runs[0][2]))
        waiting = f"，待处理文件 {len(current)} 个" if current else "，尚无报表文件"
        return QuarterState(quarter, "missing", f"未运行{waiting}")
    last_good = next(r for r in runs if r[1] != "failed") if runs else None
    files = sorted(p for p, _ in stored)
    when = _when(last_good[2]) if last_good else None
    changed = _changes(dict(stored), current)
    if changed:
        return QuarterState(quarter, "stale", f"输入已变化（{'；'.join(changed)}），请重新运行", when, files)
    if runs and runs[0][1] == "failed":
        return QuarterState(quarter, "failed", f"最近一次运行失败：{runs[0][3]}；上次成功的结果仍在发布", when, files)
    state = "provisional" if last_good and last_good[1] == "provisional" else "done"
    return QuarterState(quarter, state, f"完成于 {when}，来自 {len(files)} 个文件", when, files)


def _changes(stored: dict[str, str], current: dict[str, str]) -> list[str]:
    notes = []
    for path in sorted(set(stored) | set(current)):
        if path not in current:
            notes.append(f"{path} 已删除")
        elif path not in stored:
            notes.append(f"{path} 为新增")
        elif stored[path] != current[path]:
            notes.append(f"{path} 内容已改")
    return notes


def year_status(raw_dir: Path, out_dir: Path, year: int, reference_dir: Path | None = None) -> dict:
    """`reference_dir`: the reference set (--reference DIR) whose rubric gives the quarters' due dates."""
    db = out_dir / DB_NAME
    rubric = rubric_in_force(year, reference_dir)
    con = duckdb.connect(str(db), read_only=True) if db.exists() else None
    try:
        quarters = [quarter_state(con, raw_dir, str(q), out_dir=out_dir, rubric=rubric) for q in quarters_of(year)]
        halves = [quarter_state(con, raw_dir, str(h), "review", out_dir=out_dir) for h in halves_of(year)]
        annual = _rows(con, "select any_value(status), count(*) from annual_results where year = ?", [year])
        annual_state = annual[0][0] if annual and annual[0][1] else "missing"
        if annual_state != "missing" and any(q.state == "stale" for q in quarters):
            annual_state = "stale"
    finally:
        if con:
            con.close()
    return {"year": year, "quarters": [asdict(q) for q in quarters], "annual": annual_state,
            "half_years": [_half(h) for h in halves]}


def _half(state: QuarterState) -> dict:
    found = asdict(state)
    return {"half_year": found.pop("quarter"), **found}


def half_year_status(raw_dir: Path, out_dir: Path, period: str) -> dict:
    db = out_dir / DB_NAME
    con = duckdb.connect(str(db), read_only=True) if db.exists() else None
    try:
        return _half(quarter_state(con, raw_dir, period, "review"))
    finally:
        if con:
            con.close()


def status_command(raw_dir: Path, out_dir: Path, year: int | None, as_json: bool, half: str | None = None,
                   reference_dir: Path | None = None) -> int:
    if half:
        state = half_year_status(raw_dir, out_dir, half)
        print(json.dumps(state, ensure_ascii=False, indent=2) if as_json else _line(state, "half_year", "观摩评价"))
        return 0
    status = year_status(raw_dir, out_dir, year or date.today().year, reference_dir)
    if as_json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    for q in status["quarters"]:
        print(_line(q, "quarter"))
    print(f"{status['year']}年度  {status['annual']:<11} {RUN_STATES.get(status['annual'], status['annual'])}")
    for h in status["half_years"]:
        print(_line(h, "half_year", "观摩评价"))
    return 0


def _line(state: dict, key: str, what: str = "") -> str:
    lines = [f"{state[key]}  {state['state']:<11} {what}{RUN_STATES[state['state']]}：{state['detail']}"]
    lines += [f"    {path}" for path in (state["files"] if state["state"] in ("done", "provisional") else ())]
    return "\n".join(lines)
