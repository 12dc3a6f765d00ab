"""The 红黑榜 rules (SPEC §13): rubric `[honour_roll]`, validated on load, applied in one place.

By default 红榜 is each group's first and 黑榜 each group's last. The rubric may add conditions a unit
must also meet, for example:

    [honour_roll.red]
    min_total = 80          # 红榜 only with a total of at least 80
    min_rank_change = 1     # … and only after rising at least one place

    [honour_roll.black]
    max_total = 60          # 黑榜 only with a total of at most 60

A rank-change condition is not met by a unit with no previous rank (rank_change null): nothing
says it rose or fell.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

RULE_KEYS = {"rank", "min_total", "max_total", "min_rank_change", "max_rank_change"}
RANKS = {"first": "第一名", "last": "末位"}


class HonourRollError(ValueError):
    """[honour_roll] is broken; the message names the bad key."""


@dataclass(frozen=True)
class RollRule:
    rank: str                           # first | last: which end of the group's ranking
    min_total: Decimal | None = None
    max_total: Decimal | None = None
    min_rank_change: int | None = None  # rank_change = previous rank − rank: positive is a rise
    max_rank_change: int | None = None

    def admits(self, row: dict, group: list[dict]) -> bool:
        """Whether a result row (group_rank, total, rank_change) of `group` is on this roll."""
        ranks = [r["group_rank"] for r in group]
        if self.rank == "first":
            if row["group_rank"] != min(ranks):
                return False
        elif len(group) < 2 or row["group_rank"] != max(ranks):   # a group of one has no last
            return False
        total = Decimal(str(row["total"]))
        if self.min_total is not None and total < self.min_total:
            return False
        if self.max_total is not None and total > self.max_total:
            return False
        change = row.get("rank_change")
        if self.min_rank_change is not None and (change is None or change < self.min_rank_change):
            return False
        if self.max_rank_change is not None and (change is None or change > self.max_rank_change):
            return False
        return True

    def describe(self) -> str:
        """The rule in words: 各组第一名，且总分不低于80分、进位至少1位."""
        conditions = []
        if self.min_total is not None:
            conditions.append(f"总分不低于{_plain(self.min_total)}分")
        if self.max_total is not None:
            conditions.append(f"总分不高于{_plain(self.max_total)}分")
        for bound, word in ((self.min_rank_change, "至少"), (self.max_rank_change, "至多")):
            if bound is None:
                continue
            if bound > 0:
                conditions.append(f"进位{word}{bound}位")
            elif bound < 0:
                conditions.append(f"退位{'至少' if word == '至多' else '至多'}{-bound}位")
            else:
                conditions.append("名次未退" if word == "至少" else "名次未进")
        text = f"各组{RANKS[self.rank]}"
        return text + ("，且" + "、".join(conditions) if conditions else "")


@dataclass(frozen=True)
class HonourRoll:
    red: RollRule = RollRule("first")
    black: RollRule = RollRule("last")


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(value, where: str, total: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise HonourRollError(f"{where}: {value!r} is not a number")
    found = Decimal(str(value))
    if not 0 <= found <= total:
        raise HonourRollError(f"{where}: {value} is outside 0 … total_points {total}")
    return found


def _whole(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise HonourRollError(f"{where}: {value!r} is not a whole number of places")
    return value


def _rule(raw, where: str, default_rank: str, total: Decimal) -> RollRule:
    if not isinstance(raw, dict):
        raise HonourRollError(f"{where}: needs a table of conditions, got {raw!r}")
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise HonourRollError(f"{where}: unknown key(s) {sorted(unknown)}; known: {sorted(RULE_KEYS)}")
    rank = raw.get("rank", default_rank)
    if rank not in RANKS:
        raise HonourRollError(f"{where}.rank: {rank!r} is not one of {sorted(RANKS)}")
    rule = RollRule(
        rank,
        _number(raw["min_total"], f"{where}.min_total", total) if "min_total" in raw else None,
        _number(raw["max_total"], f"{where}.max_total", total) if "max_total" in raw else None,
        _whole(raw["min_rank_change"], f"{where}.min_rank_change") if "min_rank_change" in raw else None,
        _whole(raw["max_rank_change"], f"{where}.max_rank_change") if "max_rank_change" in raw else None)
    for low, high, name in ((rule.min_total, rule.max_total, "total"),
                            (rule.min_rank_change, rule.max_rank_change, "rank_change")):
        if low is not None and high is not None and low > high:
            raise HonourRollError(f"{where}: min_{name} {low} is above max_{name} {high}: no unit could qualify")
    return rule


def parse_honour_roll(raw, total: Decimal) -> HonourRoll:
    """`[honour_roll]` of a rubric; absent: the defaults (each group's first and last)."""
    if raw is None:
        return HonourRoll()
    if not isinstance(raw, dict):
        raise HonourRollError(f"honour_roll: needs a table with red and black, got {raw!r}")
    unknown = set(raw) - {"red", "black"}
    if unknown:
        raise HonourRollError(f"honour_roll: unknown key(s) {sorted(unknown)}; known: black, red")
    return HonourRoll(_rule(raw.get("red", {}), "honour_roll.red", "first", total),
                      _rule(raw.get("black", {}), "honour_roll.black", "last", total))
