"""bulletin-<period>.html for the intranet, the website and WeChat (SPEC §13).

One self-contained file: inline CSS, charts as inline SVG, no script, style, font or image from
elsewhere, nothing that needs JavaScript. It reads the same facts as the 通报 (tongbao/facts.py) and
leaves out file names, row numbers and data-flag details. The layout is one column that reflows: on a
390 px phone every table fits the width (no sideways scrolling), on a desktop it is centred at 960 px.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from pathlib import Path

import duckdb

from sbsk.outputs.tongbao.facts import quarter_facts, year_facts

CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#222;background:#f6f6f4;
line-height:1.6;font-size:16px}
main{max-width:960px;margin:0 auto;padding:12px}
header{background:#b00000;color:#fff;padding:16px 12px;text-align:center}
header h1{font-size:1.25rem;margin:0}
header p{margin:4px 0 0;font-size:.9rem}
section{background:#fff;border-radius:6px;padding:12px;margin:12px 0}
h2{font-size:1.1rem;margin:0 0 8px;border-left:4px solid #b00000;padding-left:8px}
h3{font-size:1rem;margin:12px 0 6px}
table{width:100%;border-collapse:collapse;font-size:.9rem;table-layout:fixed}
th,td{border-bottom:1px solid #ddd;padding:6px 2px;text-align:center;overflow-wrap:anywhere}
th{background:#f0e6e6;font-weight:600}
td.name{text-align:left}
.up{color:#b00000}.down{color:#1a6b2f}
.rolls{display:flex;flex-wrap:wrap;gap:12px}
.roll{flex:1 1 260px;border-radius:6px;padding:10px}
.red{background:#fde8e8}.black{background:#eceff1}
.roll ul{margin:4px 0;padding-left:1.2em}
svg{width:100%;max-width:560px;height:auto;display:block}
.note{color:#a00;font-size:.9rem}
footer{text-align:center;font-size:.8rem;color:#666;padding:12px}
@media (max-width:480px){table{font-size:.8rem}th,td{padding:5px 1px}}
"""


def _e(value) -> str:
    return escape(str(value))


def _movement(text: str) -> str:
    cls = "up" if text.startswith("↑") else ("down" if text.startswith("↓") else "")
    return f'<td class="{cls}">{_e(text)}</td>'


def _ranking(g: dict, heads: list[str]) -> str:
    short = [h.split("（")[0][-2:] for h in heads]   # 储备, 投资, 进度, 实效: four columns fit a phone
    rows = "".join(
        f"<tr><td>{r['rank']}</td><td class=\"name\">{_e(r['name'])}</td>"
        + "".join(f"<td>{_e(s)}</td>" for s in r["scores"])
        + f"<td><b>{_e(r['total'])}</b></td>{_movement(r['movement'])}</tr>" for r in g["rows"])
    head = "".join(f"<th>{_e(s)}</th>" for s in short)
    return (f"<h3>{_e(g['label'])}</h3><table><colgroup><col style=\"width:9%\"><col style=\"width:19%\">"
            + "<col>" * len(short) + "<col style=\"width:14%\"><col style=\"width:11%\"></colgroup>"
            f"<thead><tr><th>名次</th><th>单位</th>{head}<th>总分</th><th>变化</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _chart(g: dict) -> str:
    """Horizontal bars of the totals, out of 100, one per unit in rank order."""
    bar_h, gap, left, width = 28, 10, 96, 480
    rows = g["rows"]
    height = len(rows) * (bar_h + gap) + gap
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_e(g["label"])}总分">']
    for i, r in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = float(Decimal(r["total"])) / 100 * (width - left - 72)
        color = "#b00000" if r["rank"] == 1 else ("#546e7a" if r["name"] in g["last"] else "#d98c8c")
        parts.append(f'<text x="{left - 6}" y="{y + 20}" text-anchor="end" font-size="19">{_e(r["name"])}</text>'
                     f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}" rx="3"/>'
                     f'<text x="{left + w + 6:.1f}" y="{y + 20}" font-size="19">{_e(r["total"])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _rolls(facts: dict) -> str:
    """The 红黑榜 by the rubric's rules (config/honour_roll.py); a group with nobody on a roll says 无."""
    totals = {r["name"]: r["total"] for g in facts["groups"] for r in g["rows"]}

    def items(key: str) -> str:
        return "".join(f"<li>{_e(g['label'])}：{_e('、'.join(f'{n}（{totals[n]}分）' for n in g[key]) or '无')}</li>"
                       for g in facts["groups"])

    rule = facts["honour_roll"]
    return (f'<div class="rolls"><div class="roll red"><b>红榜</b><ul>{items("red")}</ul></div>'
            f'<div class="roll black"><b>黑榜</b><ul>{items("black")}</ul></div></div>'
            f'<p style="font-size:.85rem">红榜为{_e(rule["red"])}；黑榜为{_e(rule["black"])}。</p>')


def _categories(facts: dict) -> str:
    items = "".join(
        f"<tr><td class=\"name\">{_e(c['name'])}（{_e(c['max'])}分）</td>"
        + "".join(f"<td>{_e(g['label'])}：{_e('、'.join(g['best']))} {_e(g['best_points'])}</td>" for g in c["groups"])
        + "</tr>" for c in facts["categories"])
    return f"<table><tbody>{items}</tbody></table>"


def _restatement(r: dict | None) -> str:
    """From version 2 (SPEC §12): which version this is, why, and whose total, rank or reward changed."""
    if not r:
        return ""
    changes = "".join(f"<li>{_e(c)}</li>" for c in r["changes"]) or "<li>各单位的总分、名次和奖惩均未变化</li>"
    return (f'<section><h2>更正说明</h2><p>本页为第{r["number"]}版，{_e(r["day"])}更正，替代第{r["previous"]}版。'
            f'更正原因：{_e(r["reason"])}。</p><ul>{changes}</ul></section>')


def render(facts: dict) -> str:
    note = f'<p class="note">{_e(facts["status_note"])}</p>' if facts["status_note"] else ""
    version = f"（{_e(facts['version_label'])}）" if facts.get("version_label") else ""
    restated = _restatement(facts.get("restatement"))
    groups = "".join(_ranking(g, facts["category_heads"]) for g in facts["groups"])
    charts = "".join(f"<h3>{_e(g['label'])}</h3>{_chart(g)}" for g in facts["groups"])
    legend = (f"“变化”为与{_e(facts['previous_name'])}相比的名次变化，↑进位，↓退位。" if facts["has_previous"]
              else "本期无上期结果，不作名次比较。")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(facts['period_name'])}“四比四看”活动考评结果</title><style>{CSS}</style></head>
<body><header><h1>{_e(facts['period_name'])}<br>“四比四看”活动考评结果{version}</h1><p>安阳市“四比四看”活动专班办公室</p></header>
<main>{restated}
<section><h2>总体情况</h2><p>{_e(facts['level_name'])}{facts['unit_count']}个{_e(facts['unit_name_cn'])}参加考评，平均得分{_e(facts['mean_total'])}分，
最高{_e(facts['max_total'])}分，最低{_e(facts['min_total'])}分。</p>{note}</section>
<section><h2>红黑榜</h2>{_rolls(facts)}</section>
<section><h2>分组排名</h2>{groups}<p style="font-size:.85rem">{legend}分类得分列依次为：{_e('、'.join(facts['category_heads']))}。</p></section>
<section><h2>总分图</h2>{charts}</section>
<section><h2>分类得分最高</h2>{_categories(facts)}</section>
</main><footer>安阳市“四比四看”活动专班办公室 发布</footer></body></html>
"""


def write_quarter_html(con: duckdb.DuckDBPyConnection, quarter: str, path: Path) -> Path:
    path.write_text(render(quarter_facts(con, quarter)), encoding="utf-8")
    return path


def write_year_html(con: duckdb.DuckDBPyConnection, year: int, path: Path) -> Path:
    path.write_text(render(year_facts(con, year)), encoding="utf-8")
    return path
