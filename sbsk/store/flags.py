"""The data flags' printed Chinese labels, one definition for the bulletin and the unit_flags view
(the codes come from transforms/intermediate/int_flags_*.sql, the reader and the scoring)."""

FLAG_LABELS = {
    "suspect_start": "开而未动",
    "cumulative_decrease": "累计数比上季度减少",
    "total_mismatch": "合计与明细不符",
    "over_plan": "完成投资超计划1.5倍",
    "duplicate_project": "项目代码重复",
    "missing_return": "报表缺报",
    "missing_assessment": "缺少专班评分",
    "no_base": "无计算基数",
    "tie": "并列待定",
}
