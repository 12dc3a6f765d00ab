"""The facts a 通报 states, read from the published results: a plain dict for the docx template.

Numbers are formatted here (2 decimals, 万元) and names listed in rank order; every sentence around them
is in the template (tongbao.docx), so the office can reword the document without a code change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb

from sbsk.config.honour_roll import HonourRoll
from sbsk.config.labels import FLAGS as FLAG_LABELS
from sbsk.config.periods import Quarter
from sbsk.store.runs import full_width, scoring_rubric, warehouse_level
from sbsk.outputs.sheets import fetch_dicts

# the flags a 数据核查 paragraph reports (ties and missing returns are said elsewhere in the 通报)
FINDING_FLAGS = ("suspect_start", "cumulative_decrease", "total_mismatch", "over_plan", "duplicate_project")


def points(value: Any) -> str:
    return f"{Decimal(value):.2f}"


def plain(value: Any) -> str:
    """30.00 → 30, 2.50 → 2.5, 1E+1 → 10."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def wan(yuan: int) -> str:
    return ("奖励" if yuan > 0 else "扣减") + plain(Decimal(abs(yuan)) / 10000) + "万元"


def movement_text(change: int | None) -> str:
    if change is None:
        return "—"
    return f"↑{change}" if change > 0 else (f"↓{-change}" if change < 0 else "持平")


def _groups(con: duckdb.DuckDBPyConnection, results: list[dict]) -> list[tuple[str, str, list[dict]]]:
    labels = dict(con.execute("select distinct unit_group, group_label from units").fetchall())
    order = {g: i for i, g in enumerate(("county", "district"))}
    groups: dict[str, list[dict]] = {}
    for r in sorted(results, key=lambda r: (r["group_rank"], r["unit_code"])):
        groups.setdefault(r["unit_group"], []).append(r)
    return [(g, labels.get(g, g), rows) for g, rows in sorted(groups.items(), key=lambda kv: (order.get(kv[0], 9), kv[0]))]


def _best_worst(rows: list[dict], key) -> dict:
    values = [Decimal(key(r)) for r in rows]
    hi, lo = max(values), min(values)
    return {"best": [r["unit_name"] for r, v in zip(rows, values) if v == hi], "best_points": points(hi),
            "worst": [r["unit_name"] for r, v in zip(rows, values) if v == lo], "worst_points": points(lo),
            "same": hi == lo}


def honour_roll_rules(con: duckdb.DuckDBPyConnection, quarters: list[str], version: str | None) -> HonourRoll:
    """The 红黑榜 rules (SPEC §13) of the rubric the results were scored with; the defaults without one."""
    rubric = scoring_rubric(con, quarters, version)
    return rubric.honour_roll if rubric else HonourRoll()


def _group_facts(label: str, rows: list[dict], has_previous: bool, cats: list[str], roll: HonourRoll) -> dict:
    first = [r for r in rows if r["group_rank"] == 1]
    worst = max(r["group_rank"] for r in rows)
    last = [r for r in rows if r["group_rank"] == worst] if len(rows) > 1 else []
    tied = [r["unit_name"] for r in rows if r["tie"]]
    streaks = []
    for r in rows:
        if r.get("streak_first", 0) >= 2:
            streaks.append(f"{r['unit_name']}连续{r['streak_first']}期位居第一")
        if r.get("streak_last", 0) >= 2:
            streaks.append(f"{r['unit_name']}连续{r['streak_last']}期位居末位")
    return {
        "label": label,
        "first": [r["unit_name"] for r in first], "first_total": points(first[0]["total"]),
        "first_reward": wan(first[0]["reward_yuan"]) if first[0]["reward_yuan"] else "",
        "last": [r["unit_name"] for r in last] or ["—"], "last_total": points(last[0]["total"]) if last else "—",
        "last_reward": wan(last[0]["reward_yuan"]) if last and last[0]["reward_yuan"] else "",
        "tie_note": f"{'、'.join(tied)}并列，按分类得分仍无法区分，奖惩由专班办公室研究确定" if tied else "",
        "up": [f"{r['unit_name']}（进{r['rank_change']}位）" for r in rows if (r["rank_change"] or 0) > 0],
        "down": [f"{r['unit_name']}（退{-r['rank_change']}位）" for r in rows if (r["rank_change"] or 0) < 0],
        "streaks": streaks,
        # the 红黑榜: each end of the ranking, with the rubric's conditions (config/honour_roll.py)
        "red": [r["unit_name"] for r in rows if roll.red.admits(r, rows)],
        "black": [r["unit_name"] for r in rows if roll.black.admits(r, rows)],
        "rows": [{"rank": r["group_rank"], "name": r["unit_name"], "total": points(r["total"]),
                  "scores": [points(r["scores"][c]) if r["scores"].get(c) is not None else "—" for c in cats],
                  "movement": movement_text(r["rank_change"]) if has_previous else "—",
                  "reward": (("+" if r["reward_yuan"] > 0 else "−") + plain(Decimal(abs(r["reward_yuan"])) / 10000)
                             if r["reward_yuan"] else "")} for r in rows],
        "units": [r["unit_name"] for r in rows],
    }


def _rubric_categories(con, version: str | None) -> list[tuple[str, str, Any]]:
    """(code, name, maximum) of every category of the rubric, also one it adds beyond A–D."""
    return con.execute("select category_code, any_value(category_name), sum(max_points) from rubric_indicators "
                       "where rubric_version = coalesce(?, (select max(rubric_version) from rubric_indicators)) "
                       "group by 1 order by 1", [version]).fetchall()


def _categories(cats, groups) -> list[dict]:
    return [{"code": code, "name": name, "max": plain(mx),
             "groups": [{"label": label, **_best_worst(rows, lambda r, c=code: r["scores"].get(c) or 0)}
                        for _, label, rows in groups]} for code, name, mx in cats if groups]


def _findings(con: duckdb.DuckDBPyConnection, quarters: list[str]) -> list[dict]:
    marks = ", ".join("?" * len(quarters))
    rows = con.execute(f"""
        select f.flag, count(*), list(distinct u.unit_name order by u.unit_name)
        from data_flags f left join units u using (unit_code)
        where f.quarter in ({marks}) and f.flag in ({", ".join("?" * len(FINDING_FLAGS))})
        group by 1 order by 1""", [*quarters, *FINDING_FLAGS]).fetchall()
    return [{"flag": flag, "label": FLAG_LABELS.get(flag, flag), "count": n, "units": [u for u in units if u]}
            for flag, n, units in rows]


def _common(con, period_name: str, previous_name: str | None, results: list[dict], version: str | None,
            quarters: list[str], scores: dict[tuple[str, str], Any]) -> tuple[dict, list]:
    """`scores`: (unit_code, category_code) → score of every category (category_scores, or
    annual_category_scores for a year); each result row gains them as r["scores"]."""
    cats = _rubric_categories(con, version)
    for r in results:
        found = {c: s for (u, c), s in scores.items() if u == r["unit_code"]}
        for code, _, _ in cats:  # a database without the long form: the contract's score_a … columns
            found.setdefault(code, r.get(f"score_{code.lower()}"))
        r["scores"] = found
    has_previous = any(r["rank_change"] is not None for r in results)
    groups = _groups(con, results)
    totals = [Decimal(r["total"]) for r in results]
    provisional = any(r["status"] != "final" for r in results)
    rejected = con.execute(f"select count(*) from rejected_rows where quarter in ({', '.join('?' * len(quarters))})",
                           quarters).fetchone()[0]
    roll = honour_roll_rules(con, quarters, version)
    codes = [c[0] for c in cats]
    level = warehouse_level(con)
    return {
        "period_name": period_name, "previous_name": previous_name, "has_previous": has_previous,
        "unit_count": len(results), "mean_total": points(sum(totals) / len(totals)),
        "max_total": points(max(totals)), "min_total": points(min(totals)),
        "status_note": "部分数据缺报或待定，本期结果为暂定。" if provisional else "",
        "doc_number": "安四比四看办〔" + period_name[:4] + "〕  号",
        "issue_date": period_name[:4] + "年  月  日",
        "groups": [_group_facts(label, rows, has_previous, codes, roll) for _, label, rows in groups],
        "categories": _categories(cats, groups),
        "category_heads": [f"{name}（{plain(mx)}）" for _, name, mx in cats],
        "honour_roll": {"red": roll.red.describe(), "black": roll.black.describe()},
        "findings": _findings(con, quarters), "rejected_rows": rejected,
        "unit_name": level.unit_name, "unit_name_cn": full_width(level.unit_name), "level_name": level.name,
    }, groups


def quarter_facts(con: duckdb.DuckDBPyConnection, quarter: str) -> dict:
    q = Quarter.parse(quarter)
    results = fetch_dicts(con, "select * from quarter_results where quarter = ?", [str(q)])
    if not results:
        raise ValueError(f"{q}：数据库中没有本季度的考评结果，无法生成通报")
    prev = q.previous_in_year or (Quarter.parse(f"{q.year - 1}Q4") if q.q == 1 else None)
    version = results[0]["rubric_version"]
    scores = {(u, c): v for u, c, v in con.execute(
        "select unit_code, category_code, score from category_scores where quarter = ?", [str(q)]).fetchall()}
    facts, groups = _common(con, q.chinese, prev.chinese if prev else None, results, version, [str(q)], scores)
    inds = fetch_dicts(con, "select indicator_code, name, max_points from rubric_indicators where rubric_version = ?",
                       [version])
    inds.sort(key=lambda i: (i["indicator_code"][0], int("".join(ch for ch in i["indicator_code"] if ch.isdigit()) or 0)))
    pts = {(s["unit_code"], s["indicator_code"]): s["points"] for s in fetch_dicts(
        con, "select unit_code, indicator_code, points from indicator_scores where quarter = ?", [str(q)])}
    facts["indicators"] = [{
        "code": i["indicator_code"], "name": i["name"], "max": plain(i['max_points']),
        "groups": [{"label": label, **_best_worst(rows, lambda r, c=i["indicator_code"]: pts.get((r["unit_code"], c), 0))}
                   for _, label, rows in groups]} for i in inds]
    for g, (_, _, rows) in zip(facts["groups"], groups):
        g["detail"] = [{"name": f"{i['indicator_code']} {i['name']}", "max": plain(i['max_points']),
                        "cells": [points(pts.get((r["unit_code"], i["indicator_code"]), 0)) for r in rows]}
                       for i in inds]
    facts["attachment2_title"] = f"{q.chinese}各指标得分"
    from sbsk.outputs.bulletin.versions import version_facts  # here: the bulletin package reads these facts
    facts.update(version_facts(con, str(q)))
    facts["detail_head"] = "指标"
    return facts


def year_facts(con: duckdb.DuckDBPyConnection, year: int) -> dict:
    results = fetch_dicts(con, "select * from annual_results where year = ?", [year])
    if not results:
        raise ValueError(f"{year}年：数据库中没有年度考评结果，请先运行 sbsk annual {year}")
    quarters = [f"{year}Q{n}" for n in range(1, 5)]
    version = con.execute("select max(rubric_version) from quarter_results where quarter like ?", [f"{year}Q%"]).fetchone()[0]
    for r in results:
        r["streak_first"] = r["streak_last"] = 0
    scores = {(u, c): v for u, c, v in con.execute(
        "select unit_code, category_code, score from annual_category_scores where year = ?", [year]).fetchall()}
    facts, groups = _common(con, f"{year}年度", f"{year - 1}年度", results, version, quarters, scores)
    facts["indicators"] = []
    totals = {(u, q): t for u, q, t in con.execute(
        "select unit_code, quarter, total from quarter_results where quarter like ?", [f"{year}Q%"]).fetchall()}
    names = ("第一季度", "第二季度", "第三季度", "第四季度")
    for g, (_, _, rows) in zip(facts["groups"], groups):
        g["detail"] = [{"name": name, "max": "100", "cells": [points(totals[(r["unit_code"], q)])
                                                               if (r["unit_code"], q) in totals else "—" for r in rows]}
                       for name, q in zip(names, quarters)]
        g["detail"].append({"name": "年度得分", "max": "100", "cells": [points(r["total"]) for r in rows]})
    facts["attachment2_title"] = f"{year}年度各季度得分"
    facts["version_label"], facts["restatement"] = "", None  # a year has no versions of its own (SPEC §12)
    from sbsk.outputs.bulletin.versions import restated_quarters
    restated = restated_quarters(con, year)
    if restated:
        facts["status_note"] += "；".join(restated) + "，年度结果按更正后的季度结果计算。"
    facts["detail_head"] = "季度"
    return facts
