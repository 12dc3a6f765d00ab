"""A dispatch warning in words a county leader reads (dispatch_warnings.detail): which indicator and
part, how far behind time progress or the group leader, and for money-based progress how many 万元
more (亿元 from 1亿 on) would reach time progress. The numbers come from transforms/dispatch/dispatch_warning_facts.sql;
what a metric is called, from the metric catalogue (transforms/intermediate/metrics.toml)."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd

from sbsk.config.metrics import load_catalogue
from sbsk.config.rubric import Rubric

LEVELS = {"red": "红灯", "amber": "黄灯"}


def percent(value: float) -> str:
    return f"{value * 100:.2f}%"


def number(value, unit: str) -> str:
    """A count as a whole number, an amount in 万元 with cents, from 1亿元 on in 亿元 as a leader says
    it (1,393,500.00万元 took a moment to read on the printed list): 3个, 1,234.50万元, 139.35亿元."""
    value = float(value)
    if unit == "万元":
        return f"{value / 10000:,.2f}亿元" if abs(value) >= 10000 else f"{value:,.2f}万元"
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return f"{text}{unit}"


def _plain(value) -> str:
    d = Decimal(str(value))
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(d.normalize())


def word_warnings(facts: pd.DataFrame, rubric: Rubric) -> list[str]:
    return [word_warning(row, rubric) for row in facts.to_dict("records")]


def word_warning(row: dict, rubric: Rubric) -> str:
    ind = rubric.indicator(row["indicator_code"])
    part = ind.parts[int(row["part"]) - 1]
    metric = load_catalogue().describe(part.metric, rubric)
    short, unit = (metric.short, metric.unit) if metric else (part.metric, "")
    head = f"{LEVELS[row['level']]}｜{ind.code} {ind.name}"
    if len(ind.parts) > 1:
        head += f"（第{int(row['part'])}项 {short}）"
    if row["method"] == "progress":
        body = _progress(row, part, metric, short)
    elif row["method"] == "relative":
        body = _relative(row, rubric, metric, short, unit)
    else:
        body = (f"{short}为{number(row['num'] or 0, unit)}，未达到{number(row['min_count'], unit)}，"
                f"该项{_plain(row['share'])}分暂未得到")
    return f"{head}：{body}"


def _progress(row: dict, part, metric, short: str) -> str:
    r, target = float(row["value"]), float(row["basis"])
    against = "序时进度" if part.target is None else "目标进度"
    text = f"{short}{percent(r)}，{against}{percent(target)}，落后{(target - r) * 100:.2f}个百分点"
    if metric is not None and metric.kind == "ratio" and metric.unit == "万元" and row["gap"] is not None:
        text += f"；{metric.meaning}还需增加{number(row['gap'], '万元')}方可达到{against}"
    return text


def _relative(row: dict, rubric: Rubric, metric, short: str, unit: str) -> str:
    shown = percent if metric is not None and metric.is_fraction else (lambda v: number(v, unit))
    if not row["basis"] or row["basis"] <= 0:
        return f"{short}为{shown(0)}，组内各单位均未取得，该项暂不得分"
    w = rubric.warnings
    below = w.relative_red if row["level"] == "red" else w.relative_amber
    return (f"{short}{shown(row['value'])}，组内最高为{row['leader_name']}{shown(row['basis'])}，"
            f"仅为其{percent(row['ratio'])}（低于{percent(float(below))}）")


def points_at_stake(share, ratio: float) -> float:
    """What closing the gap would add: share × (1 − ratio), the part's points still to win."""
    return math.floor(float(share) * (1 - min(float(ratio), 1)) * 100) / 100
