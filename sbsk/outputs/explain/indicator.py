"""One indicator: its parts, the deduction, the total as a formula, and the flags that concern it."""

from __future__ import annotations

from decimal import Decimal

from sbsk.config.rubric import Indicator
from sbsk.outputs.explain.numbers import dec, num, pts
from sbsk.outputs.explain.parts import explain_part

# A flag that feeds a deduction concerns only the indicators it is deducted from.
DEDUCTION_FLAGS = {"suspect_start": "suspect_start_count"}


def total_formula(parts: list[dict], deduction: Decimal, points: Decimal, max_points: Decimal) -> str:
    raw = sum(dec(p["points"]) for p in parts)
    terms = " + ".join(pts(p["points"]) for p in parts)
    text = terms if len(parts) == 1 else f"{terms} = {pts(raw)}"
    if deduction:
        net = max(raw - deduction, Decimal(0))
        text += f"，扣分 {pts(raw)} − {num(deduction)} = {pts(net)}"
        raw = net
    if raw > max_points:
        text += f"，不超过满分{num(max_points)}"
    if len(parts) == 1 and not deduction and pts(raw) == f"{points:.2f}":
        return f"{points:.2f}"
    return f"{text} → {points:.2f}（四舍五入保留2位小数）"


def explain_indicator(ind: Indicator, meta: dict, row: dict | None, ctx: dict) -> dict:
    max_points = Decimal(str(meta.get("max_points", ind.max_points)))
    base = {"code": ind.code, "name": meta.get("name", ind.name), "category": ind.category,
            "max_points": float(max_points)}
    if row is None:
        return {**base, "points": None, "lost": None, "parts": [], "deduction": 0.0, "deduction_text": None,
                "formula": "本季度没有该指标的得分记录", "flags": [], "data_flags": []}
    points, deduction = dec(row["points"]), dec(row["deduction"])
    parts = [explain_part(p, row, ctx) for p in ind.parts]
    flags = [f for f in (row.get("flags") or "").split(",") if f]
    return {
        **base, "points": float(points), "lost": float(max_points - points), "parts": parts,
        "deduction": float(deduction), "deduction_text": _deduction_text(ind, deduction),
        "formula": total_formula(parts, deduction, points, max_points),
        "flags": flags, "flag_labels": [ctx["flag_labels"].get(f, f) for f in flags],
        # scoring flags are also stored as data_flags rows: list each once
        "data_flags": [f for f in ctx["data_flags"] if flag_concerns(f, ind) and f["flag"] not in flags],
    }


def _deduction_text(ind: Indicator, deduction: Decimal) -> str | None:
    if ind.deduction is None:
        return None
    each = ind.deduction.points_each
    count = (deduction / each) if each else Decimal(0)
    return f"开而未动项目 {num(count)} 个 × {num(each)} = 扣 {num(deduction)} 分（从分项合计中扣除，不低于0）"


def flag_concerns(flag: dict, ind: Indicator) -> bool:
    if flag["flag"] in DEDUCTION_FLAGS:
        return ind.deduction is not None and ind.deduction.metric == DEDUCTION_FLAGS[flag["flag"]]
    if flag["return_code"]:
        return flag["return_code"] in ind.sources
    return (flag["detail"] or "").startswith(f"指标{ind.code}：")
