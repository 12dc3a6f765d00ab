"""Drafts, published versions and restatements of a quarter (SPEC §12).

Every run keeps its results as the quarter's draft (`<table>_draft`). Until the quarter is first
published, the run also puts them in the public tables, as before versions existed. `sbsk publish`
makes the draft version N: its rows go to `<table>_history` with the version, who published it,
when and why, and into the public tables, which from then on show the latest published version; a
later run only replaces the draft. Publishing over a published version is a restatement (更正) and
needs a reason. Publishing runs like every run: on a private copy under the writer lock, renamed
over the published file (sbsk.store.warehouse.writing), so it is whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from sbsk.faults import checkpoint
from sbsk.schemas.definitions import Definitions
from sbsk.store.diff import Diff, compare, diff_lines, group_labels, read_set
from sbsk.store.movement import QUARTER_MOVEMENT_COLUMNS, update_quarter_movement
from sbsk.store.warehouse import build_schema, writing

VERSIONED = ("quarter_results", "indicator_scores", "category_scores")
DRAFT = "草稿"


class VersionError(ValueError):
    """Nothing was changed; `exit_code` follows SPEC §8 (2: the command was given wrongly)."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Version:
    version: int
    run_id: str
    published_at: datetime
    published_by: str
    note: str | None
    reason: str | None


@dataclass(frozen=True)
class Publication:
    quarter: str
    version: Version
    status: str                  # the draft's status: final or provisional
    diff: Diff | None            # from the version before (restatements only)
    lines: list[str]             # the diff as printed


def label(version: int | None) -> str:
    return DRAFT if version is None else f"第{version}版"


def versions(con: duckdb.DuckDBPyConnection, quarter: str) -> list[Version]:
    rows = con.execute("select version, run_id, published_at, published_by, note, reason from main.quarter_versions "
                       "where quarter = ? order by version", [quarter]).fetchall()
    return [Version(*r) for r in rows]


def draft_run(con: duckdb.DuckDBPyConnection, quarter: str) -> str | None:
    row = con.execute("select any_value(run_id) from main.quarter_results_draft where quarter = ?", [quarter]).fetchone()
    return row[0] if row else None


def keep_draft(con: duckdb.DuckDBPyConnection, quarter: str, run_id: str) -> Version | None:
    """In a run's transaction: the run's results (build.<table>) become the quarter's draft.
    Returns the quarter's latest published version; with none, the caller publishes the results
    to the public tables as well."""
    for table in VERSIONED:
        con.execute(f"delete from main.{table}_draft where quarter = ?", [quarter])
        con.execute(f"insert into main.{table}_draft by name select ? as run_id, * from build.{table}", [run_id])
    found = versions(con, quarter)
    return found[-1] if found else None


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _check_publishable(con: duckdb.DuckDBPyConnection, quarter: str, reason: str | None) -> tuple[int, str]:
    """(the version to publish, the draft's run) or VersionError; nothing is written here."""
    runs = con.execute("select run_id, status, finished_at, message from main.pipeline_runs "
                       "where kind = 'quarter' and quarter = ? order by started_at desc", [quarter]).fetchall()
    draft = draft_run(con, quarter)
    if not runs and draft is None:
        raise VersionError(f"{quarter}尚未运行，没有可发布的结果；请先运行 sbsk run {quarter}")
    if runs and runs[0][1] == "failed":
        raise VersionError(f"{quarter}最近一次运行（{runs[0][0]}，{str(runs[0][2])[:16]} UTC）失败：{runs[0][3]}；"
                           f"没有发布任何内容，请修正后重新运行 sbsk run {quarter} 再发布")
    if draft is None:
        raise VersionError(f"{quarter}没有可发布的草稿；请先运行 sbsk run {quarter}")
    published = versions(con, quarter)
    if published and published[-1].run_id == draft:
        raise VersionError(f"{quarter}的草稿（运行{draft}）已作为第{published[-1].version}版发布，"
                           f"没有新的运行结果可发布")
    if published and not (reason or "").strip():
        n = published[-1].version
        raise VersionError(f"{quarter}已发布第{n}版；再次发布是更正（第{n + 1}版），须用 --reason 说明更正原因，"
                           f"例如 --reason \"市统计局更正亿元以上项目报表\"", 2)
    return (published[-1].version if published else 0) + 1, draft


def publish(out_dir: Path, defs: Definitions, quarter: str, by: str, note: str | None = None,
            reason: str | None = None, year: int | None = None) -> Publication:
    """Publish the quarter's draft as its next version, atomically; VersionError changes nothing."""
    if not (by or "").strip():
        raise VersionError("发布人不能为空：--by 姓名", 2)
    if not (out_dir / "sbsk.duckdb").exists():
        raise VersionError(f"{quarter}尚未运行，没有可发布的结果（{out_dir / 'sbsk.duckdb'} 不存在）；"
                           f"请先运行 sbsk run {quarter}")
    year = year or int(quarter[:4])
    with writing(out_dir, defs) as con, build_schema(con):
        con.execute("begin")
        number, run_id = _check_publishable(con, quarter, reason)
        when = _utc_now()
        extra = [number, when, by.strip(), (note or "").strip() or None, (reason or "").strip() or None]
        for table in VERSIONED:
            # the movement columns are computed on the shown results, next, never taken from a draft
            skip = ", ".join(("run_id", *(QUARTER_MOVEMENT_COLUMNS if table == "quarter_results" else ())))
            con.execute(f"delete from main.{table} where quarter = ?", [quarter])
            con.execute(f"insert into main.{table} by name select * exclude ({skip}) from main.{table}_draft "
                        f"where quarter = ?", [quarter])
        update_quarter_movement(con)  # rank movement and streaks of the shown results, this quarter's too
        for table in VERSIONED:  # the version as shown, every column
            con.execute(f"insert into main.{table}_history by name select ? as version, ? as published_at, "
                        f"? as published_by, ? as note, ? as reason, ? as run_id, * from main.{table} "
                        f"where quarter = ?", extra + [run_id, quarter])
        con.execute("insert into main.quarter_versions values (?, ?, ?, ?, ?, ?, ?)", [quarter, number, run_id, *extra[1:]])
        # the year's composite was computed from what was shown before this version
        con.execute("update main.annual_results set status = 'stale' where year = ?", [year])
        status = con.execute("select any_value(status) from main.quarter_results where quarter = ?",
                             [quarter]).fetchone()[0]
        diff = compare(quarter, read_set(con, quarter, number - 1, label(number - 1)),
                       read_set(con, quarter, number, label(number))) if number > 1 else None
        lines = diff_lines(diff, group_labels(con)) if diff else []
        checkpoint("publish-in-transaction")
        con.execute("commit")
    return Publication(quarter, Version(number, run_id, when, *extra[2:]), status, diff, lines)


def resolve(con: duckdb.DuckDBPyConnection, quarter: str, before: int | None,
            after: int | str | None) -> tuple[int | None, int | None]:
    """`sbsk diff`'s --from and --to, defaults filled in: to the draft when it is newer than the
    latest version, else the latest version; from the version before `to`. None stands for the draft."""
    published = versions(con, quarter)
    numbers = [v.version for v in published]
    draft = draft_run(con, quarter)
    known = (f"已发布：{'、'.join(label(n) for n in numbers)}" if numbers else "尚未发布") + \
            (f"；草稿：运行{draft}" if draft else "；没有草稿")
    for given in (before, after):
        if isinstance(given, int) and given not in numbers:
            raise VersionError(f"{quarter}没有第{given}版（{known}）", 2)
    if after == "draft" and draft is None:
        raise VersionError(f"{quarter}没有草稿（{known}）", 2)
    if after is None:
        if draft and (not published or published[-1].run_id != draft):
            after = "draft"
        elif published:
            after = numbers[-1]
        else:
            raise VersionError(f"{quarter}尚未运行，没有可比较的结果")
    to = None if after == "draft" else int(after)
    if before is None:
        earlier = [n for n in numbers if to is None or n < to]
        if not earlier:
            raise VersionError(f"{quarter}{'尚未发布' if not numbers else f'第{to}版之前没有版本'}，没有可比较的版本"
                               f"（{known}）")
        before = earlier[-1]
    return before, to


def diff_quarter(con: duckdb.DuckDBPyConnection, quarter: str, before: int | None = None,
                 after: int | str | None = None) -> tuple[Diff, list[str]]:
    frm, to = resolve(con, quarter, before, after)
    diff = compare(quarter, read_set(con, quarter, frm, label(frm)), read_set(con, quarter, to, label(to)))
    return diff, diff_lines(diff, group_labels(con))


def pending_draft(con: duckdb.DuckDBPyConnection, quarter: str) -> list[str] | None:
    """After a run of a published quarter: what publishing its draft would change, as printed
    (None when the quarter has never been published: the run's results are what is shown)."""
    published = versions(con, quarter)
    if not published:
        return None
    latest = published[-1].version
    _, lines = diff_quarter(con, quarter, latest, "draft")
    return ([f"{quarter}已发布{label(latest)}：本次运行的结果存为草稿，已发布的结果不变"] + lines +
            [f"如需更正，确认后发布：sbsk publish {quarter} --by 姓名 --reason \"更正原因\""])
