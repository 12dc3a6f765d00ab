"""The explanation as text: the unit's result, then each category and indicator, part by part."""

from __future__ import annotations

from sbsk.config.labels import RESULT_STATES
from sbsk.config.periods import Quarter
from sbsk.outputs.explain.numbers import num


def render_text(ex: dict) -> str:
    q = Quarter.parse(ex["quarter"])
    lines = [f"{q.chinese} {ex['unit_name']}（{ex['unit_code']}，{ex['group_label']}）\"四比四看\"得分说明",
             f"总分 {ex['total']:.2f}，组内第{ex['group_rank']}名（共{ex['group_size']}个单位），"
             f"奖惩 {_yuan(ex['reward_yuan'])}，结果{RESULT_STATES.get(ex['status'], ex['status'])}",
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
    return f"{f['label']}：{f['detail'] or ''}{where}"


def _summary_lines(ex: dict) -> list[str]:
    lost = sorted((i for i in ex["indicators"] if i["lost"]), key=lambda i: (-i["lost"], i["code"]))
    lines = ["", "失分最多的指标：" + ("、".join(f"{i['code']} 失{i['lost']:.2f}分" for i in lost[:5]) or "无")]
    for f in ex["unit_flags"]:
        lines.append(f"其他核查事项：{_flag_line(f)}")
    return lines
