"""What a person reads for a code: data flags, scoring methods, states, returns and departments.

Every output (bulletin, validation report, `sbsk explain`, `sbsk status`) takes its labels from
here. A label may name a rubric value in braces ({over_plan_ratio}); `flag_labels(rubric)` fills
them from the rubric the quarter was scored with, so the wording follows the rubric file.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sbsk.schemas import load_returns

# Data flags (data_flags.flag) and scoring flags (indicator_scores.flags). tests/test_labels.py
# checks that every flag the SQL models and the pipeline can emit is here, and nothing else.
FLAGS = {
    "suspect_start": "开而未动",
    "cumulative_decrease": "累计数比上季度减少",
    "total_mismatch": "合计与明细不符",
    "over_plan": "完成投资超计划{over_plan_ratio}倍",
    "duplicate_project": "项目代码重复",
    "formula_value": "含公式（按保存值读取）",
    "missing_return": "报表缺报",
    "missing_assessment": "缺少专班评分",
    "carried_assessment": "沿用季度专班评分",
    "no_base": "无计算基数",
    "tie": "并列待定",
    "not_reviewed": "未观摩评分",          # the half-yearly review (SPEC §11)
    "outlier_assessor": "评分偏差较大",
}

# The rubric's scoring methods (sbsk.config.rubric.METHODS).
METHODS = {
    "assessor": "专班评分",
    "relative": "比：与组内最高值相比",
    "progress": "看进度：与目标进度相比",
    "threshold": "达标即得分",
    "graded": "按文件质量等级累计",
}

# quarter_results.status
RESULT_STATES = {"final": "正式", "provisional": "暂定（部分报表缺报）"}
# source_files.status
FILE_STATES = {"loaded": "已入库", "rejected": "整表退回"}
# `sbsk status`: a quarter's state, and the annual result's (final, provisional, stale)
RUN_STATES = {"done": "完成", "provisional": "完成（暂定）", "stale": "过期", "failed": "失败", "missing": "缺失",
              "final": "完成"}


def rubric_text(value: Any) -> str:
    """A rubric value as printed: 1.5, 100000 (never 100000.0), a list joined with 、."""
    if isinstance(value, (list, tuple)):
        return "、".join(rubric_text(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value)
    number = Decimal(str(value))
    return str(number.quantize(Decimal(1))) if number == number.to_integral_value() else str(number.normalize())


def rubric_values(rubric) -> dict[str, str]:
    """What a label or a metric's meaning may name: every rubric parameter, and {grades} (优1.0、良0.6、一般0.3)."""
    values = {name: rubric_text(value) for name, value in rubric.parameters.items()}
    values["grades"] = "、".join(f"{grade}{points}" for grade, points in rubric.grades.items())
    return values


def fill(text: str, values: dict[str, str], where: str) -> str:
    try:
        return text.format(**values)
    except KeyError as exc:
        raise KeyError(f"{where}: {{{exc.args[0]}}} is not a rubric parameter") from None


def flag_labels(rubric) -> dict[str, str]:
    values = rubric_values(rubric)
    return {code: fill(text, values, f"flag {code}") for code, text in FLAGS.items()}


def return_label(code: str | None) -> str:
    """'R01 项目谋划储备' for a known return code, the code itself otherwise."""
    if not code:
        return ""
    ret = load_returns().returns.get(code)
    return f"{code} {ret.title}" if ret else code


def department_label(code: str | None) -> str:
    if not code:
        return ""
    dept = load_returns().departments.get(code)
    return dept.name if dept else code
