"""One part of an indicator: its metric as a clerk reads it, the basis it was compared with, and the
formula of its method that turned the metric into points."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sbsk.config.labels import METHODS
from sbsk.config.metrics import Catalogue, Metric
from sbsk.config.rubric import Part, Rubric
from sbsk.outputs.explain.numbers import dec, json_value, num, percent, pts, quantity


def describe_metric(name: str, catalogue: Catalogue, rubric: Rubric, den: Any) -> Metric:
    found = catalogue.describe(name, rubric)
    if found is not None:
        return found
    # a metric of a newer rubric than this catalogue: read it from its denominator
    if den is not None and Decimal(den) != 1:
        return Metric(name, "", name, "ratio", "", name, "分母")
    return Metric(name, "", name, "count", "", name)


def metric_text(metric: Metric, numerator: Any, denominator: Any, value: Any) -> str:
    if metric.is_fraction:
        if denominator is None:
            return f"{metric.meaning}：无"
        head = f"{metric.meaning} {quantity(numerator, metric)} ÷ {metric.den} {quantity(denominator, metric)}"
        if dec(denominator) == 0:
            return f"{head}（分母为0，无可计算基数，按0计）"
        return f"{head} = {percent(value)}"
    return f"{metric.meaning} {quantity(numerator, metric)}"


def _value(metric: Metric, value: Any) -> str:
    """A metric value inside a formula: a fraction to 4 decimals, anything else as counted."""
    return num(value, 4) if metric.is_fraction else num(value, 2)


def explain_part(part: Part, row: dict, ctx: dict) -> dict:
    n = part.number
    numerator, denominator = row.get(f"numerator_{n}"), row.get(f"denominator_{n}")
    value, basis, points = row.get(f"metric_{n}"), row.get(f"basis_{n}"), row.get(f"points_{n}") or 0.0
    metric = describe_metric(part.metric, ctx["catalogue"], ctx["rubric"], denominator)
    out = {
        "part": n, "method": part.method, "method_label": METHODS.get(part.method, part.method),
        "share": float(part.share), "metric": part.metric, "metric_label": metric.meaning, "kind": metric.kind,
        "unit": metric.unit, "numerator": json_value(numerator), "denominator": json_value(denominator),
        "value": value, "metric_text": metric_text(metric, numerator, denominator, value),
        "basis": basis, "basis_text": None, "leaders": [], "points": points,
        "source": ctx["sources"](part.source),
    }
    if part.source in ctx["missing"]:
        out["metric_text"] = f"本季度未收到{part.source} {out['source']['title']}，无指标值"
        out["formula"] = f"{part.source}本季度缺报，本分项计0分"
        return out
    formula = {"relative": _relative, "progress": _progress, "threshold": _threshold,
               "graded": _graded, "assessor": _assessor}[part.method]
    out.update(formula(part, metric, row, ctx, numerator, denominator, value, basis, points))
    return out


def _leaders(group_rows: list[dict], code: str, part_no: int, basis: Any) -> list[dict]:
    if basis is None or basis <= 0:
        return []
    return [r for r in group_rows if r["indicator_code"] == code and r[f"metric_{part_no}"] == basis]


def _relative(part, metric, row, ctx, numerator, denominator, value, basis, points) -> dict:
    leaders = _leaders(ctx["group_rows"], row["indicator_code"], part.number, basis)
    names = "、".join(ctx["names"].get(r["unit_code"], r["unit_code"]) for r in leaders)
    if metric.is_fraction and leaders:
        lead = leaders[0]
        shown = f"{_value(metric, basis)}（{names}：{quantity(lead[f'numerator_{part.number}'], metric)} ÷ " \
                f"{quantity(lead[f'denominator_{part.number}'], metric)}）"
    else:
        shown = f"{quantity(basis, metric)}（{names}）" if leaders else quantity(basis, metric)
    result = {"basis_text": f"组内最高 {shown}", "leaders": [r["unit_code"] for r in leaders]}
    if basis is None or basis <= 0:
        result["formula"] = "组内最高值为0，全组本分项均计0分"
    else:
        result["formula"] = f"{num(part.share)} × {_value(metric, value)} ÷ {_value(metric, basis)} = {pts(points)}"
    return result


def _progress(part, metric, row, ctx, numerator, denominator, value, basis, points) -> dict:
    kind = "序时进度" if part.target is None else "目标"
    result = {"basis_text": f"{kind} {num(basis, 4)}"}
    if denominator is None or dec(denominator) == 0:
        full = part.no_base == "full"
        result["formula"] = f"分母为0，无考核基数，{'计满分' if full else '计0分'} → {pts(points)}"
    else:
        result["formula"] = f"{num(part.share)} × min({num(value, 4)} ÷ {num(basis, 4)}, 1) = {pts(points)}"
    return result


def _threshold(part, metric, row, ctx, numerator, denominator, value, basis, points) -> dict:
    count = dec(numerator or 0)
    met = count >= part.min_count
    sign, got = ("≥", num(part.share)) if met else ("<", "0")
    return {"basis_text": f"门槛 ≥{part.min_count}{metric.unit}",
            "formula": f"{metric.short or metric.meaning} {num(count)} {sign} {part.min_count} → {got}"}


def _graded(part, metric, row, ctx, numerator, denominator, value, basis, points) -> dict:
    return {"formula": f"min({num(part.share)}, {metric.short or 'Σ等级分'} {num(numerator or 0)}) = {pts(points)}"}


def _assessor(part, metric, row, ctx, numerator, denominator, value, basis, points) -> dict:
    if numerator is None:
        return {"formula": "专班未评分，计0分"}
    return {"formula": f"专班评分 {num(numerator)} → {pts(points)}"}
