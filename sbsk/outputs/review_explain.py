"""`sbsk explain YYYYHn UNIT`: how a unit's review total came about (SPEC §11): each item's scores by
assessor, which highest and lowest were dropped, the mean, and the total rounded once; then the rank.

The numbers are read back from the published review_scores and review_results; only the arithmetic
that joins them (which values were dropped, the sums) is spelled out here, in exact decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path

import duckdb

from sbsk.config.periods import HalfYear
from sbsk.config.rubric_years import rubric_in_force
from sbsk.outputs.explain.command import explain_from_database

CENT = Decimal("0.01")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def num(value) -> str:
    """An exact decimal as written (20, 20.5, 20.02); a repeating one to 4 places with …."""
    d = Decimal(value)
    if d == d.quantize(CENT):
        return format(d.normalize(), "f") if d == d.to_integral_value() else format(d.quantize(CENT), "f").rstrip("0")
    return format(d.quantize(Decimal("0.0001"), ROUND_HALF_UP), "f") + "…"


def _fraction(total: Decimal, count: int) -> Decimal:
    return (total / Decimal(count)) if count else Decimal(0)


def explain_item(field: str, name: str, top: Decimal, scores: list[dict], trim: bool, mean: Decimal) -> dict:
    values = [(s["assessor"], Decimal(s[field])) for s in scores]
    dropped: list[tuple[str, Decimal]] = []
    kept = list(values)
    if trim:
        hi = max(kept, key=lambda v: v[1])
        kept.remove(hi)
        lo = min(kept, key=lambda v: v[1])
        kept.remove(lo)
        dropped = [hi, lo]
    total = sum((v for _, v in kept), Decimal(0))
    formula = f"({' + '.join(num(v) for _, v in kept)}) ÷ {len(kept)} = {num(_fraction(total, len(kept)))}"
    return {"item": field, "name": name, "max_points": top, "scores": [{"assessor": a, "score": v} for a, v in values],
            "dropped": [{"assessor": a, "score": v} for a, v in dropped], "sum": total, "count": len(kept),
            "exact_mean": _fraction(total, len(kept)), "mean": mean, "formula": formula}


def build_review_explanation(con: duckdb.DuckDBPyConnection, half: HalfYear, unit_code: str,
                             reference_dir: Path | None = None) -> dict:
    """The review items and trim_min are those of the reference set's rubric (--reference DIR)."""
    res = _rows(con, "select * from review_results where period = ? and unit_code = ?", [str(half), unit_code])
    if not res:
        raise LookupError(f"{half}：数据库中没有该单位的观摩评价结果，请先运行 sbsk review {half}")
    r = res[0]
    review = rubric_in_force(half.year, reference_dir).review
    group = [x for x in _rows(con, "select unit_code, total from review_results where period = ? and unit_group = ? "
                                   "and total is not null", [str(half), r["unit_group"]])]
    label = con.execute("select any_value(group_label) from units where unit_group = ?", [r["unit_group"]]).fetchone()
    scores = _rows(con, "select * from review_scores where period = ? and unit_code = ? order by source_file, "
                        "row_number", [str(half), unit_code])
    ex = {"period": str(half), "unit_code": unit_code, "unit_name": r["unit_name"], "unit_group": r["unit_group"],
          "group_label": (label[0] if label else None) or r["unit_group"], "total": r["total"],
          "group_rank": r["group_rank"], "reviewed_in_group": len(group), "assessors": r["assessors"],
          "trimmed": r["trimmed"], "trim_min": review.trim_min if review else None,
          "rubric_version": r["rubric_version"],
          "flags": r["flags"], "items": [], "rows": [{"assessor": s["assessor"], "review_group": s["review_group"],
                                                       "source_file": s["source_file"], "row_number": s["row_number"],
                                                       "total": s["total"]} for s in scores]}
    if r["total"] is None or review is None:
        return ex
    ex["items"] = [explain_item(i.field, i.name, i.max_points, scores, bool(r["trimmed"]), r[i.field])
                   for i in review.items]
    exact = sum((i["exact_mean"] for i in ex["items"]), Decimal(0))
    ex["exact_total"] = exact
    ex["total_formula"] = (f"{' + '.join(num(i['exact_mean']) for i in ex['items'])} = {num(exact)}，"
                           f"四舍五入保留两位小数为 {r['total']:.2f}")
    return ex


def render_review_text(ex: dict) -> str:
    half = HalfYear.parse(ex["period"])
    head = f"{half.chinese} {ex['unit_name']}（{ex['unit_code']}，{ex['group_label']}）观摩评价得分说明"
    if ex["total"] is None:
        return "\n".join([head, "本半年没有该单位的观摩评分（not_reviewed），不参加观摩排名。"])
    rule = (f"评分人{ex['assessors']}名，达到{ex['trim_min']}名，每项去掉一个最高分和一个最低分后取平均"
            if ex["trimmed"] else f"评分人{ex['assessors']}名，不足{ex['trim_min']}名，每项取全部评分的平均")
    lines = [head,
             f"观摩总分 {ex['total']:.2f}，组内第{ex['group_rank']}名（组内{ex['reviewed_in_group']}个单位有观摩评分）",
             f"{rule}（评分细则 {ex['rubric_version']} 版）"]
    for it in ex["items"]:
        lines += ["", f"{it['name']}（满分{num(it['max_points'])}）：平均 {it['mean']:.2f}",
                  "  评分：" + "、".join(f"{s['assessor']} {num(s['score'])}" for s in it["scores"])]
        if it["dropped"]:
            (ha, hv), (la, lv) = ((d["assessor"], d["score"]) for d in it["dropped"])
            lines.append(f"  去掉最高分 {num(hv)}（{ha}）和最低分 {num(lv)}（{la}）")
        lines.append(f"  计算：{it['formula']}")
    lines += ["", f"总分：各项平均分（不先四舍五入）之和 {ex['total_formula']}", "", "评分来源："]
    lines += [f"  {r['assessor']}（{r['review_group']}）合计 {num(r['total'])}：{r['source_file']} 第{r['row_number']}行"
              for r in ex["rows"]]
    return "\n".join(lines)


def review_explain_command(period: str, unit: str, out_dir: Path, as_json: bool,
                           reference_dir: Path | None = None) -> int:
    half = HalfYear.parse(period)
    build = partial(build_review_explanation, reference_dir=reference_dir)
    return explain_from_database(half, unit, out_dir, as_json, f"sbsk review {half}", build, render_review_text,
                                 reference_dir)
