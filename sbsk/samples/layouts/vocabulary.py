"""The traits, and the words and characters the layouts use: parent headings, extra columns, the
Simplified → Traditional and full-width tables."""

from __future__ import annotations

from datetime import date

TRAITS = frozenset({
    "title_rows", "filler_rows", "merged_header", "header_noise", "yi_yuan_header", "yi_yuan_line",
    "totals", "subtotals", "notes_below", "numbers_as_text", "dates_as_text", "dates_as_serials",
    "notes_sheet", "hidden_column", "unit_variants", "xls", "shuffled_columns", "extra_columns",
    "traditional_text",
})
DASH = "—"
EXCEL_EPOCH = date(1899, 12, 30)
SUPER_PARENT = "填报内容"

# Parent headings for merged headers: each group is a run of consecutive fields of the template.
PARENTS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "R01": [("项目基本情况", ("project_name", "project_code", "reserve_level", "total_investment", "sector")),
            ("入库及实施情况", ("listed_on", "implemented", "started_on"))],
    "R02": [("签约情况", ("signed_on", "contract_amount", "funding_origin", "paid_in")),
            ("项目情况", ("top_investor", "landed"))],
    "R03": [("开工项目情况", ("project_count", "total_investment", "projects_over_100m"))],
    "R04": [("项目基本情况", ("project_name", "project_code", "total_investment", "nature")),
            ("建设进度", ("started_on", "completed_on")),
            ("投资情况", ("annual_plan", "ytd_completed"))],
    "R05": [("投资情况", ("annual_plan", "ytd_completed"))],
    "R06": [("资金情况", ("allocated", "paid"))],
    "R07": [("资金情况", ("bond_amount", "spent"))],
    "R08": [("投资情况", ("annual_plan", "ytd_completed"))],
    "R09": [("办理情况", ("due_on", "accepted_on", "completed_on"))],
    "R10": [("评分情况", ("score", "note"))],
    "R11": [("文件情况", ("title", "doc_number", "issued_on")),
            ("分类及质量", ("category", "grade"))],
    "R12": [("评分人员", ("review_group", "assessor", "assessor_unit")),
            ("观摩评分", ("planning", "attraction", "construction", "service"))],
}

# Extra columns a return does not define: (header, where).
EXTRAS = (("序号", "first"), ("建设地点", "inside"), ("完成率", "inside"), ("备注", "last"), ("联系人", "last"))

S2T = str.maketrans("县区阳汤阴内黄关龙乡镇开发", "縣區陽湯陰內黃關龍鄉鎮開發")
# Simplified → Traditional for the characters of the returns' headers and choices (our own table,
# independent of the reader's, so that the test does not only check the reader against itself).
S2T_TEXT = str.maketrans(
    "项称码储备库总资万亿属领实开签约额来际强龙头动个县区设质产计划级达预内债补审应办结评说标号发类单进制业续优关阳阴汤黄别态环会现务点观组谋员",
    "項稱碼儲備庫總資萬億屬領實開簽約額來際強龍頭動個縣區設質產計劃級達預內債補審應辦結評說標號發類單進製業續優關陽陰湯黃別態環會現務點觀組謀員",
)
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
