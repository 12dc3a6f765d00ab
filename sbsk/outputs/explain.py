"""`sbsk explain QUARTER UNIT`: how each of a unit's points was earned or lost (SPEC §8).

Everything is read back from the published database (indicator_scores keeps each part's numerator,
denominator and basis), so the explanation shows the numbers that were actually scored; the rubric
file only supplies what the database does not keep: each part's share, method, metric and source.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb

from sbsk import REFERENCE_DIR
from sbsk.config.periods import Quarter
from sbsk.config.registry import load_registry
from sbsk.config.rubric import Indicator, Part, Rubric, load_rubric
from sbsk.store.warehouse import DB_NAME
from sbsk.schemas import load_returns

METHOD_LABELS = {
    "assessor": "专班评分",
    "relative": "比：与组内最高值相比",
    "progress": "看进度：与目标进度相比",
    "threshold": "达标即得分",
    "graded": "按文件质量等级累计",
}
STATUS_LABELS = {"final": "正式", "provisional": "暂定（部分报表缺报）"}
FLAG_LABELS = {
    "suspect_start": "开而未动",
    "cumulative_decrease": "累计数比上季度减少",
    "total_mismatch": "合计与明细不符",
    "over_plan": "完成投资超计划",
    "duplicate_project": "项目代码重复",
    "missing_return": "报表缺报",
    "missing_assessment": "缺少专班评分",
    "no_base": "无计算基数",
    "tie": "并列待定",
}


@dataclass(frozen=True)
class Metric:
    """How a metric reads to a clerk. kind: count, amount (万元), score, grade, ratio (num ÷ den)."""
    label: str
    kind: str
    unit: str = ""
    short: str = ""
    den_label: str = ""


def metric_catalogue(params: dict) -> dict[str, Metric]:
    """The metrics of transforms/intermediate, with the thresholds the rubric sets in their labels."""
    major = f"总投资≥{params.get('major_quality_min_investment', 100000)}万元或属{'、'.join(params.get('major_quality_sectors', []))}"
    signed = f"签约金额≥{params.get('signed_quality_min_amount', 200000)}万元或500强、行业龙头"
    days = params.get("approval_workday_limit", 50)
    plan = "本年计划投资"
    return {
        "provincial_major_count": Metric("本年纳入省重大项目储备库的项目数", "count", "个", "省重大项目数"),
        "provincial_major_investment": Metric("本年纳入省重大项目储备库的项目总投资", "amount", "万元", "省重大项目总投资"),
        "provincial_major_quality_share": Metric(f"其中{major}的项目总投资", "ratio", "万元", "质量占比",
                                                 "本年纳入省重大项目总投资"),
        "provincial_major_implemented_share": Metric("已落地实施（季末前开工）的省重大项目数", "ratio", "个", "落地比例",
                                                     "截至季末纳入省重大项目储备库的项目数"),
        "provincial_key_count": Metric("本年纳入省重点项目储备库的项目数", "count", "个", "省重点项目数"),
        "provincial_key_investment": Metric("本年纳入省重点项目储备库的项目总投资", "amount", "万元", "省重点项目总投资"),
        "external_paid_in": Metric("省外、境外资金实际到位额（本年累计）", "amount", "万元", "到位资金"),
        "signed_count": Metric("本年签约项目数", "count", "个", "签约项目数"),
        "signed_amount": Metric("本年签约金额", "amount", "万元", "签约金额"),
        "signed_quality_share": Metric(f"其中{signed}的项目数", "ratio", "个", "质量占比", "本年签约项目数"),
        "signed_landed_share": Metric("其中已落地开工项目的签约金额", "ratio", "万元", "落地占比", "本年签约金额"),
        "event_count": Metric("本季度重大项目集中开工活动次数", "count", "次", "活动次数"),
        "event_investment": Metric("本季度集中开工活动项目总投资", "amount", "万元", "活动总投资"),
        "new_start_count": Metric("本年新开工亿元以上项目数（不含开而未动）", "count", "个", "新开工项目数"),
        "new_start_investment": Metric("本年新开工亿元以上项目总投资（不含开而未动）", "amount", "万元", "新开工总投资"),
        "suspect_start_count": Metric("开而未动项目数", "count", "个", "开而未动项目数"),
        "completed_count": Metric("本年竣工投产亿元以上项目数", "count", "个", "竣工投产项目数"),
        "started_progress": Metric("已开工亿元以上项目本年累计完成投资", "ratio", "万元", "投资完成率", plan),
        "provincial_key_progress": Metric("省重点项目本年累计完成投资", "ratio", "万元", "投资完成率", plan),
        "municipal_key_progress": Metric("市重点项目本年累计完成投资", "ratio", "万元", "投资完成率", plan),
        "central_budget_progress": Metric("已支付资金", "ratio", "万元", "支付率", "下达中央预算内资金"),
        "special_bond_progress": Metric("债券资金已支出", "ratio", "万元", "支出率", "债券资金"),
        "program_982_progress": Metric("本年累计完成投资", "ratio", "万元", "投资完成率", plan),
        "reform_document_grades": Metric("本年印发放管服改革文件的等级分合计（优1.0、良0.6、一般0.3）", "grade", "",
                                         "Σ等级分"),
        "project_document_grades": Metric("本年印发推进项目文件的等级分合计（优1.0、良0.6、一般0.3）", "grade", "",
                                          "Σ等级分"),
        "approvals_completed_on_time": Metric("本年到期且季末前办结的事项数", "ratio", "件", "按期办结率",
                                              "本年到期事项数"),
        "approvals_within_workdays": Metric(f"受理后{days}个工作日内办结的事项数", "ratio", "件", "限时办结率",
                                            "本年办结事项数"),
    }


def describe_metric(name: str, catalogue: dict[str, Metric], den: Any) -> Metric:
    if name in catalogue:
        return catalogue[name]
    if name.startswith("assessor_"):
        return Metric("专班评分", "score", "分", "专班评分")
    # a metric added to the rubric after this catalogue: read it from its denominator
    if den is not None and Decimal(den) != 1:
        return Metric(name, "ratio", "", name, "分母")
    return Metric(name, "count", "", name)


# --- numbers as a clerk reads them ------------------------------------------------------------

def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def num(value: Any, places: int = 2) -> str:
    """A number rounded half up to `places` decimals, without trailing zeros: 302400, 9026.65, 0.75."""
    if value is None:
        return "—"
    q = _dec(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def pts(value: Any) -> str:
    """Points: at least 2, at most 4 decimals, so unrounded part points stay honest (3.00, 3.8127)."""
    text = num(value, 4)
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def percent(value: Any) -> str:
    return f"{num(_dec(value) * 100, 2)}%"


def quantity(value: Any, metric: Metric) -> str:
    if value is None:
        return "无"
    return f"{num(value, 2 if metric.kind in ('amount', 'score', 'grade', 'ratio') else 4)}{metric.unit}"


# --- reading the database ---------------------------------------------------------------------

def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def resolve_unit(con: duckdb.DuckDBPyConnection, text: str, year: int) -> str | None:
    """A code or any name the registry knows (林州, 林州市人民政府, 內黃縣 …); else a code or name in `units`."""
    code = load_registry().resolve(text, year)
    if code:
        return code
    found = con.execute("select unit_code from units where unit_code = ? or unit_name = ?",
                        [text.strip(), text.strip()]).fetchone()
    return found[0] if found else None


def rubric_for(version: str) -> tuple[Rubric, str | None]:
    """The rubric file of the version the quarter was scored with, else the current one and a warning."""
    path = REFERENCE_DIR / f"rubric-{version}.toml"
    rubric = load_rubric(path) if path.exists() else load_rubric()
    if rubric.version != version:
        return rubric, f"注意：未找到评分细则{version}版，分项说明按当前{rubric.version}版给出"
    return rubric, None


class Sources:
    """The unit's staged rows per return in the quarter, with their files (read once per return)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, quarter: str, unit_code: str):
        self.con, self.quarter, self.unit_code = con, quarter, unit_code
        self.defs = load_returns()
        self._seen: dict[str, dict] = {}

    def __call__(self, code: str) -> dict:
        if code not in self._seen:
            self._seen[code] = self._read(code)
        return self._seen[code]

    def _read(self, code: str) -> dict:
        ret = self.defs.returns.get(code)
        info = {"return_code": code, "title": ret.title if ret else "", "table": None, "rows": 0, "files": []}
        if ret is None:
            return info
        info["table"] = f"stg_{ret.table}"
        try:
            rows, files = self.con.execute(
                f"select count(*), coalesce(list(distinct source_file order by source_file), []) "
                f"from stg_{ret.table} where quarter = ? and unit_code = ?", [self.quarter, self.unit_code]).fetchone()
        except duckdb.CatalogException:
            return info
        info["rows"], info["files"] = rows, list(files)
        return info


# --- one part, one indicator ------------------------------------------------------------------

def _leaders(group_rows: list[dict], code: str, part_no: int, basis: Any) -> list[dict]:
    if basis is None or basis <= 0:
        return []
    return [r for r in group_rows if r["indicator_code"] == code and r[f"metric_{part_no}"] == basis]


def metric_text(metric: Metric, numerator: Any, denominator: Any, value: Any) -> str:
    if metric.kind == "ratio":
        if denominator is None:
            return f"{metric.label}：无"
        head = f"{metric.label} {quantity(numerator, metric)} ÷ {metric.den_label} {quantity(denominator, metric)}"
        if _dec(denominator) == 0:
            return f"{head}（分母为0，无可计算基数，按0计）"
        return f"{head} = {percent(value)}"
    return f"{metric.label} {quantity(numerator, metric)}"


def _value(metric: Metric, value: Any) -> str:
    """A metric value inside a formula: a ratio to 4 decimals, anything else as counted."""
    return num(value, 4) if metric.kind == "ratio" else num(value, 2)


def explain_part(part: Part, row: dict, ctx: dict) -> dict:
    n = part.number
    numerator, denominator = row.get(f"numerator_{n}"), row.get(f"denominator_{n}")
    value, basis, points = row.get(f"metric_{n}"), row.get(f"basis_{n}"), row.get(f"points_{n}") or 0.0
    metric = describe_metric(part.metric, ctx["catalogue"], denominator)
    out = {
        "part": n, "method": part.method, "method_label": METHOD_LABELS.get(part.method, part.method),
        "share": float(part.share), "metric": part.metric, "metric_label": metric.label, "kind": metric.kind,
        "unit": metric.unit, "numerator": _json(numerator), "denominator": _json(denominator), "value": value,
        "metric_text": metric_text(metric, numerator, denominator, value),
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


def _relative(part, metric, row, ctx, numerator, denominator, value, basis, points) -> dict:
    leaders = _leaders(ctx["group_rows"], row["indicator_code"], part.number, basis)
    names = "、".join(ctx["names"].get(r["unit_code"], r["unit_code"]) for r in leaders)
    if metric.kind == "ratio" and leaders:
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
    if denominator is None or _dec(denominator) == 0:
        full = part.no_base == "full"
        result["formula"] = f"分母为0，无考核基数，{'计满分' if full else '计0分'} → {pts(points)}"
    else:
        result["formula"] = f"{num(part.share)} × min({num(value, 4)} ÷ {num(basis, 4)}, 1) = {pts(points)}"
    return result


def _threshold(part, metric, row, ctx, numerator, denominator, value, basis, points) -> dict:
    count = _dec(numerator or 0)
    met = count >= part.min_count
    sign, got = ("≥", num(part.share)) if met else ("<", "0")
    return {"basis_text": f"门槛 ≥{part.min_count}{metric.unit}",
            "formula": f"{metric.short or metric.label} {num(count)} {sign} {part.min_count} → {got}"}


def _graded(part, metric, row, ctx, numerator, denominator, value, basis, points) -> dict:
    return {"formula": f"min({num(part.share)}, {metric.short or 'Σ等级分'} {num(numerator or 0)}) = {pts(points)}"}


def _assessor(part, metric, row, ctx, numerator, denominator, value, basis, points) -> dict:
    if numerator is None:
        return {"formula": "专班未评分，计0分"}
    return {"formula": f"专班评分 {num(numerator)} → {pts(points)}"}


def total_formula(parts: list[dict], deduction: Decimal, points: Decimal, max_points: Decimal) -> str:
    raw = sum(_dec(p["points"]) for p in parts)
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
    points, deduction = _dec(row["points"]), _dec(row["deduction"])
    parts = [explain_part(p, row, ctx) for p in ind.parts]
    flags = [f for f in (row.get("flags") or "").split(",") if f]
    return {
        **base, "points": float(points), "lost": float(max_points - points), "parts": parts,
        "deduction": float(deduction), "deduction_text": _deduction_text(ind, deduction),
        "formula": total_formula(parts, deduction, points, max_points),
        "flags": flags, "flag_labels": [FLAG_LABELS.get(f, f) for f in flags],
        # scoring flags are also stored as data_flags rows: list each once
        "data_flags": [f for f in ctx["data_flags"] if _flag_concerns(f, ind) and f["flag"] not in flags],
    }


def _deduction_text(ind: Indicator, deduction: Decimal) -> str | None:
    if ind.deduction is None:
        return None
    each = ind.deduction.points_each
    count = (deduction / each) if each else Decimal(0)
    return f"开而未动项目 {num(count)} 个 × {num(each)} = 扣 {num(deduction)} 分（从分项合计中扣除，不低于0）"


# A flag that feeds a deduction concerns only the indicators it is deducted from.
DEDUCTION_FLAGS = {"suspect_start": "suspect_start_count"}


def _flag_concerns(flag: dict, ind: Indicator) -> bool:
    if flag["flag"] in DEDUCTION_FLAGS:
        return ind.deduction is not None and ind.deduction.metric == DEDUCTION_FLAGS[flag["flag"]]
    if flag["return_code"]:
        return flag["return_code"] in ind.sources
    return (flag["detail"] or "").startswith(f"指标{ind.code}：")


# --- the whole explanation --------------------------------------------------------------------

class NoResult(LookupError):
    """Nothing to explain: the quarter or the unit has no stored result."""


def build_explanation(con: duckdb.DuckDBPyConnection, quarter: Quarter, unit_code: str) -> dict:
    q = str(quarter)
    result = _rows(con, "select * from quarter_results where quarter = ? and unit_code = ?", [q, unit_code])
    if not result:
        if not con.execute("select count(*) from quarter_results where quarter = ?", [q]).fetchone()[0]:
            raise NoResult(f"{quarter.chinese}（{q}）没有考评结果，请先运行 sbsk run {q}")
        raise NoResult(f"{quarter.chinese}（{q}）没有 {unit_code} 的考评结果（该单位本年可能不参加考评）")
    res = result[0]
    rubric, warning = rubric_for(res["rubric_version"])
    scores = {r["indicator_code"]: r for r in _rows(
        con, "select * from indicator_scores where quarter = ? and unit_code = ?", [q, unit_code])}
    if any("numerator_1" not in r for r in scores.values()):
        raise NoResult(f"数据库由旧版本生成，得分表中没有指标的分子、分母；请重新运行 sbsk run {q} 后再查看")
    metas = {r["indicator_code"]: r for r in _rows(
        con, "select * from rubric_indicators where rubric_version = ?", [res["rubric_version"]])}
    ctx = _context(con, quarter, res, rubric)
    indicators = [explain_indicator(ind, metas.get(ind.code, {}), scores.get(ind.code), ctx)
                  for ind in rubric.indicators]
    return {
        "quarter": q, "unit_code": unit_code, "unit_name": res["unit_name"], "unit_group": res["unit_group"],
        "group_label": ctx["group_label"], "total": float(res["total"]), "group_rank": res["group_rank"],
        "group_size": len(ctx["group_results"]), "reward_yuan": res["reward_yuan"], "status": res["status"],
        "rubric_version": res["rubric_version"], "time_progress": float(rubric.time_progress[quarter.q - 1]),
        "categories": [{"code": c.code, "name": c.name, "max_points": float(c.max_points),
                        "points": float(res[f"score_{c.code.lower()}"]) if f"score_{c.code.lower()}" in res else None}
                       for c in rubric.categories],
        "warning": warning, "indicators": indicators,
        "unit_flags": [f for f in ctx["data_flags"] if not any(_flag_concerns(f, i) for i in rubric.indicators)],
    }


def _context(con: duckdb.DuckDBPyConnection, quarter: Quarter, res: dict, rubric: Rubric) -> dict:
    q, unit_code, group = str(quarter), res["unit_code"], res["unit_group"]
    label = con.execute("select any_value(group_label) from units where unit_group = ?", [group]).fetchone()[0]
    return {
        "catalogue": metric_catalogue(rubric.parameters),
        "sources": Sources(con, q, unit_code),
        "missing": {r[0] for r in con.execute(
            "select distinct return_code from data_flags where quarter = ? and flag = 'missing_return' "
            "and return_code is not null", [q]).fetchall()},
        "group_rows": _rows(con, "select * from indicator_scores where quarter = ? and unit_group = ?", [q, group]),
        "group_results": _rows(con, "select unit_code, unit_name from quarter_results where quarter = ? "
                                    "and unit_group = ?", [q, group]),
        "names": dict(con.execute("select unit_code, unit_name from units").fetchall()),
        "group_label": label or group,
        "data_flags": _rows(con, "select flag, return_code, detail, source_file, sheet, row_number from data_flags "
                                 "where quarter = ? and unit_code = ? order by return_code nulls last, flag, "
                                 "source_file, row_number", [q, unit_code]),
    }


# --- text -------------------------------------------------------------------------------------

def render_text(ex: dict) -> str:
    q = Quarter.parse(ex["quarter"])
    lines = [f"{q.chinese} {ex['unit_name']}（{ex['unit_code']}，{ex['group_label']}）\"四比四看\"得分说明",
             f"总分 {ex['total']:.2f}，组内第{ex['group_rank']}名（共{ex['group_size']}个单位），"
             f"奖惩 {_yuan(ex['reward_yuan'])}，结果{STATUS_LABELS.get(ex['status'], ex['status'])}",
             f"评分细则 {ex['rubric_version']} 版，本季度序时进度 {num(ex['time_progress'], 4)}"]
    if ex["warning"]:
        lines.append(ex["warning"])
    cats = {c["code"]: c for c in ex["categories"]}
    current = None
    for ind in ex["indicators"]:
        if ind["category"] != current:
            current = ind["category"]
            c = cats.get(current)
            if c:
                got = "—" if c["points"] is None else f"{c['points']:.2f}"
                lines += ["", f"【{current} {c['name']}】满分{num(c['max_points'])}，得分{got}"]
        lines += _indicator_lines(ind)
    lines += _summary_lines(ex)
    return "\n".join(lines)


def _yuan(amount: int) -> str:
    return "无" if not amount else f"{amount:+,} 元"


def _indicator_lines(ind: dict) -> list[str]:
    head = f"{ind['code']} {ind['name']}（满分{num(ind['max_points'])}）"
    if ind["points"] is None:
        return ["", head, f"  {ind['formula']}"]
    lines = ["", f"{head}：得分 {ind['points']:.2f}，失分 {ind['lost']:.2f}"]
    for p in ind["parts"]:
        src = p["source"]
        files = "、".join(src["files"]) if src["files"] else "无"
        lines += [f"  分项{p['part']}（{num(p['share'])}分，{p['method_label']}）",
                  f"    指标值：{p['metric_text']}",
                  f"    数据来源：{src['return_code']} {src['title']}，本单位本季度 {src['rows']} 行（文件：{files}）"]
        if p["basis_text"]:
            lines.append(f"    比较基准：{p['basis_text']}")
        lines.append(f"    计算：{p['formula']}")
    if ind["deduction_text"] and ind["deduction"]:
        lines.append(f"  扣分：{ind['deduction_text']}")
    lines.append(f"  得分：{ind['formula']}")
    for label in ind.get("flag_labels", []):
        lines.append(f"  评分标志：{label}")
    for f in ind["data_flags"]:
        lines.append(f"  数据核查：{_flag_line(f)}")
    return lines


def _flag_line(f: dict) -> str:
    where = f"（{f['source_file']} 第{f['row_number']}行）" if f.get("source_file") and f.get("row_number") else ""
    return f"{FLAG_LABELS.get(f['flag'], f['flag'])}：{f['detail'] or ''}{where}"


def _summary_lines(ex: dict) -> list[str]:
    lost = sorted((i for i in ex["indicators"] if i["lost"]), key=lambda i: (-i["lost"], i["code"]))
    lines = ["", "失分最多的指标：" + ("、".join(f"{i['code']} 失{i['lost']:.2f}分" for i in lost[:5]) or "无")]
    for f in ex["unit_flags"]:
        lines.append(f"其他核查事项：{_flag_line(f)}")
    return lines


# --- the command ------------------------------------------------------------------------------

def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def explain_command(quarter: str, unit: str, out_dir: Path, as_json: bool) -> int:
    try:
        q = Quarter.parse(quarter)
    except ValueError as exc:
        print(f"sbsk explain：{exc}", file=sys.stderr)
        return 2
    db = Path(out_dir) / DB_NAME
    if not db.exists():
        print(f"sbsk explain：找不到数据库 {db}，请先运行 sbsk run {q}", file=sys.stderr)
        return 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        code = resolve_unit(con, unit, q.year)
        if code is None:
            print(f"sbsk explain：无法识别的县(市、区)「{unit}」，请输入单位代码（如410527）或名称（如内黄县）",
                  file=sys.stderr)
            return 2
        try:
            ex = build_explanation(con, q, code)
        except NoResult as exc:
            print(f"sbsk explain：{exc}", file=sys.stderr)
            return 1
    finally:
        con.close()
    print(json.dumps(ex, ensure_ascii=False, indent=2, default=_json) if as_json else render_text(ex))
    return 0
