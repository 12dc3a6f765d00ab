"""What changed between two result sets of a quarter (SPEC §12): two published versions, or a
version and the draft. A unit counts as changed when its total, its rank or its reward differs;
the category and indicator points that moved are listed with it, and units whose points moved
without changing any of the three are listed apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

HEADLINE = ("total", "group_rank", "reward_yuan")
RESULT_COLUMNS = ("unit_code", "unit_name", "unit_group", "score_a", "score_b", "score_c", "score_d", "total",
                  "group_rank", "reward_yuan", "tie", "status")
CATEGORY_COLUMNS = (("score_a", "A"), ("score_b", "B"), ("score_c", "C"), ("score_d", "D"))


@dataclass(frozen=True)
class ResultSet:
    """One quarter's results as published in one version, or as drafted: unit_code → the unit's
    quarter_results row, and (unit_code, indicator_code) → points."""
    label: str                                 # 第1版, 草稿
    results: dict[str, dict]
    points: dict[tuple[str, str], Decimal]


@dataclass
class UnitChange:
    unit_code: str
    unit_name: str
    unit_group: str
    before: dict | None                        # None: the unit was not scored in the earlier set
    after: dict | None
    categories: list[tuple[str, Decimal | None, Decimal | None]] = field(default_factory=list)
    indicators: list[tuple[str, Decimal | None, Decimal | None]] = field(default_factory=list)

    @property
    def headline(self) -> bool:
        """Total, rank or reward differ (or the unit is in one set only)."""
        if self.before is None or self.after is None:
            return True
        return any(self.before[k] != self.after[k] for k in HEADLINE)


@dataclass
class Diff:
    quarter: str
    before: str
    after: str
    changes: list[UnitChange]

    @property
    def headline(self) -> list[UnitChange]:
        return [c for c in self.changes if c.headline]

    @property
    def minor(self) -> list[UnitChange]:
        return [c for c in self.changes if not c.headline]


def compare(quarter: str, before: ResultSet, after: ResultSet) -> Diff:
    """Every unit whose result or points differ between the two sets, in group and unit order."""
    changes = []
    for code in sorted(set(before.results) | set(after.results),
                       key=lambda c: ((before.results.get(c) or after.results[c])["unit_group"], c)):
        b, a = before.results.get(code), after.results.get(code)
        row = a or b
        change = UnitChange(code, row["unit_name"], row["unit_group"], b, a)
        for column, category in CATEGORY_COLUMNS:
            old, new = (b or {}).get(column), (a or {}).get(column)
            if old != new:
                change.categories.append((category, old, new))
        indicators = sorted({i for u, i in before.points if u == code} | {i for u, i in after.points if u == code})
        for ind in indicators:
            old, new = before.points.get((code, ind)), after.points.get((code, ind))
            if old != new:
                change.indicators.append((ind, old, new))
        if change.headline or change.categories or change.indicators:
            changes.append(change)
    return Diff(quarter, before.label, after.label, changes)


def _num(value) -> str:
    return "—" if value is None else f"{value}"


def _yuan(value) -> str:
    return "—" if value is None else (f"+{value}" if value > 0 else f"{value}")


def _delta(old, new) -> str:
    if old is None or new is None:
        return ""
    d = new - old
    return f"（{'+' if d > 0 else ''}{d}）"


def describe(change: UnitChange) -> str:
    """One line: what moved for the unit, in the words of the bulletin."""
    b, a = change.before, change.after
    if b is None:
        return f"{change.unit_name}：新增（总分 {_num(a['total'])}，排名 {a['group_rank']}）"
    if a is None:
        return f"{change.unit_name}：不再计分（原总分 {_num(b['total'])}，排名 {b['group_rank']}）"
    parts = [f"总分 {_num(b['total'])} → {_num(a['total'])}{_delta(b['total'], a['total'])}"
             if b["total"] != a["total"] else f"总分 {_num(b['total'])} 不变"]
    if b["group_rank"] != a["group_rank"]:
        parts.append(f"排名 {b['group_rank']} → {a['group_rank']}")
    if b["reward_yuan"] != a["reward_yuan"]:
        parts.append(f"奖惩 {_yuan(b['reward_yuan'])} → {_yuan(a['reward_yuan'])}元")
    if change.indicators:
        parts.append("指标 " + "、".join(f"{i} {_num(o)} → {_num(n)}" for i, o, n in change.indicators))
    return f"{change.unit_name}：{'，'.join(parts)}"


def diff_lines(diff: Diff, group_labels: dict[str, str]) -> list[str]:
    """The diff as printed by `sbsk diff` and after a run of a published quarter."""
    head = f"{diff.quarter} {diff.before} → {diff.after}"
    if not diff.changes:
        return [f"{head}：没有变化"]
    lines = [f"{head}：{len(diff.headline)}个单位的总分、排名或奖惩有变化"]
    for change in diff.headline:
        lines.append(f"  {group_labels.get(change.unit_group, change.unit_group)} {describe(change)}")
    if diff.minor:
        lines.append(f"  另有{len(diff.minor)}个单位分项得分变化，总分、排名、奖惩不变：")
        for change in diff.minor:
            moved = "、".join(f"{i} {_num(o)} → {_num(n)}" for i, o, n in change.indicators)
            lines.append(f"    {change.unit_name}：指标 {moved}")
    return lines


# ---- reading the result sets from the warehouse ----

def read_set(con: duckdb.DuckDBPyConnection, quarter: str, version: int | None, label: str) -> ResultSet:
    """Version `version` of the quarter from the history tables, or its draft (version None)."""
    where = "quarter = ? and version = ?" if version is not None else "quarter = ?"
    suffix = "history" if version is not None else "draft"
    params = [quarter, version] if version is not None else [quarter]
    cur = con.execute(f"select {', '.join(RESULT_COLUMNS)} from main.quarter_results_{suffix} where {where}", params)
    results = {row[0]: dict(zip(RESULT_COLUMNS, row)) for row in cur.fetchall()}
    points = {(u, i): p for u, i, p in con.execute(
        f"select unit_code, indicator_code, points from main.indicator_scores_{suffix} where {where}", params).fetchall()}
    return ResultSet(label, results, points)


def group_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("select distinct unit_group, group_label from main.units").fetchall())
