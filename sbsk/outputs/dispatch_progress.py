"""进度对照, the dispatch workbook's progress sheet: for every progress part of the rubric and every
unit, the progress r at the month end against its target (the monthly time progress, or the part's
constant target), coloured by its warning, and per group a native chart of the same numbers: a
column per unit and part, the target as a line."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sbsk.config.metrics import load_catalogue
from sbsk.config.periods import Month
from sbsk.config.rubric import rubric_for
from sbsk.store.runs import unit_word
from sbsk.outputs.dispatch_style import FILLS, fitted_height
from sbsk.outputs.sheets import (BODY, BOLD, BOX, CENTER, HEADER_FILL, fetch_dicts, set_widths, setup_page,
                                 write_heading, write_note, write_title)

PERCENT = "0.00%"
CHART_SIZE = (24, 6.5)      # cm: the width of an A4 landscape page inside its margins
CHART_ROWS = 13            # default-height (15 pt) rows the chart covers (6.5 cm = 184 pt)
MARGINS = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.3, footer=0.3)  # inches
PAGE_POINTS = 515          # the printable height of an A4 landscape page inside MARGINS, in points
PAGE_WIDTH = 100           # its printable width, in column-width units


def progress_parts(con, rubric_version: str) -> list[dict]:
    """Every progress part of the stored rubric, in §5's order: code, part, label, its name."""
    indicators = fetch_dicts(con, "select indicator_code, name, methods from rubric_indicators where rubric_version = ?",
                             [rubric_version])
    shorts = _short_names(rubric_version)
    parts = []
    for ind in sorted(indicators, key=lambda r: (r["indicator_code"][0], int(r["indicator_code"][1:]))):
        methods = ind["methods"].split(",")
        for k, method in enumerate(methods, start=1):
            if method == "progress":
                label = ind["indicator_code"] if len(methods) == 1 else f"{ind['indicator_code']}-{k}"
                parts.append({"indicator_code": ind["indicator_code"], "part": k, "label": label,
                              "name": shorts.get((ind["indicator_code"], k)) or ind["name"]})
    return parts


def _short_names(rubric_version: str) -> dict[tuple[str, int], str]:
    """(indicator, part) → the part's name with its metric's short name, from the rubric the month
    was scored with (none when that rubric is no longer there)."""
    rubric, _ = rubric_for(rubric_version)
    if rubric.version != rubric_version:
        return {}
    catalogue = load_catalogue()
    found = {}
    for ind in rubric.indicators:
        metrics = [catalogue.describe(part.metric, rubric) for part in ind.parts]
        shorts = [m.short for m in metrics if m]
        for part, metric in zip(ind.parts, metrics):
            if metric is None or len(ind.parts) == 1:
                found[(ind.code, part.number)] = ind.name
            elif shorts.count(metric.short) > 1:  # C5's two parts are both 投资完成率: say whose
                found[(ind.code, part.number)] = f"{metric.meaning}（{metric.short}）"
            else:
                found[(ind.code, part.number)] = f"{ind.name}（{metric.short}）"
    return found


def progress_sheet(ws: Worksheet, con, m: Month, groups: list[tuple[str, list[dict]]], warnings: list[dict]) -> None:
    rubric_version = groups[0][1][0]["rubric_version"]
    parts = progress_parts(con, rubric_version)
    width = 1 + len(parts)
    write_title(ws, f"{m.chinese}各项进度与序时进度对照", width)
    write_note(ws, 2, "表中为截至月末的完成进度（完成数÷计划数）；目标行为序时进度（联审联批为100%）。"
                      "红色、黄色底纹分别为红灯、黄灯；“—”为无考核基数。", width)
    ws.row_dimensions[2].height = 34
    scores = {(s["unit_code"], s["indicator_code"]): s for s in fetch_dicts(
        con, "select * from dispatch_scores where month = ?", [str(m)])}
    level = {(w["unit_code"], w["indicator_code"], w["part"]): w["level"] for w in warnings}
    breaks, row = [], 3
    for i, (label, rows) in enumerate(groups):
        if i:
            breaks.append(row - 1)
        row = _group_block(ws, row, f"{label}进度对照", parts, rows, scores, level, breaks, unit_word(con))
    set_widths(ws, [12, *([part_width(len(parts))] * len(parts))])
    setup_page(ws, title_rows=None)
    ws.page_margins = MARGINS
    # a group's table and its chart on one page (or the chart on the next, for a big group): not
    # fit-to-page, whose scaling ignores manual breaks
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    for at in breaks:
        ws.row_breaks.append(Break(id=at))


def _group_block(ws: Worksheet, row: int, title: str, parts: list[dict], units: list[dict], scores: dict,
                 level: dict, breaks: list[int], unit: str) -> int:
    head = write_heading(ws, row, title)
    header = [unit, *(p["label"] for p in parts)]
    names = ["指标", *(p["name"] for p in parts)]
    first = units[0]["unit_code"]
    targets = ["目标进度", *(_basis(scores.get((first, p["indicator_code"])), p["part"]) for p in parts)]
    for offset, values in enumerate((header, names, targets)):
        for j, value in enumerate(values, start=1):
            cell = ws.cell(head + offset, j, value)
            cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADER_FILL, BOX, CENTER
            if isinstance(value, float):
                cell.number_format = PERCENT
    ws.row_dimensions[head + 1].height = (max(fitted_height(n, part_width(len(parts))) for n in names[1:])
                                          if parts else 20)
    r = head + 3
    for unit in units:
        ws.cell(r, 1, unit["unit_name"]).border = BOX
        ws.cell(r, 1).font = BODY
        for j, p in enumerate(parts, start=2):
            s = scores.get((unit["unit_code"], p["indicator_code"]))
            value = _metric(s, p["part"])
            cell = ws.cell(r, j, "—" if value is None else value)
            cell.border, cell.font, cell.alignment = BOX, BODY, CENTER
            if value is not None:
                cell.number_format = PERCENT
            fill = FILLS.get(level.get((unit["unit_code"], p["indicator_code"], p["part"])))
            if fill:
                cell.fill = fill
        r += 1
    if not parts:
        return r + 1
    # a column per unit and part (series from the unit rows), the target as a line over the same parts
    bars = BarChart()
    bars.type = "col"
    bars.add_data(Reference(ws, min_col=1, max_col=1 + len(parts), min_row=head + 3, max_row=r - 1),
                  from_rows=True, titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=2, max_col=1 + len(parts), min_row=head, max_row=head))
    line = LineChart()
    line.add_data(Reference(ws, min_col=1, max_col=1 + len(parts), min_row=head + 2, max_row=head + 2),
                  from_rows=True, titles_from_data=True)
    line.series[0].marker.symbol = "dash"
    line.series[0].smooth = False
    line.series[0].graphicalProperties.line.solidFill = "C00000"
    bars.y_axis.number_format = "0%"
    bars.y_axis.scaling.min = 0
    bars.y_axis.title = "完成进度"
    bars.x_axis.delete = False
    bars.y_axis.delete = False
    bars.legend.position = "b"
    bars.title = title
    bars += line
    bars.width, bars.height = CHART_SIZE
    page_start = breaks[-1] + 1 if breaks else 1
    used = sum(ws.row_dimensions[i].height or 15 for i in range(page_start, r + 1))
    if used + 15 * (CHART_ROWS + 1) > PAGE_POINTS:
        breaks.append(r)  # the chart would be cut: it starts the next page
    ws.add_chart(bars, f"A{r + 1}")
    return r + 1 + CHART_ROWS + 1


def part_width(parts: int) -> float:
    """Each part's column: 12 units, narrower when that many would not fit the page's width."""
    return min(12.0, (PAGE_WIDTH - 12) / max(parts, 1))


def _metric(score: dict | None, part: int) -> float | None:
    if score is None or not score[f"denominator_{part}"]:
        return None
    return float(score[f"numerator_{part}"]) / float(score[f"denominator_{part}"])


def _basis(score: dict | None, part: int) -> float | None:
    return None if score is None or score[f"basis_{part}"] is None else float(score[f"basis_{part}"])
