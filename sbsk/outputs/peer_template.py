"""The R13 全省对标数据 template (SPEC §10): the blank return with a row ready for every other city of
the province and every part the forecast can use (assessor parts are never forecast), and on the guide
sheet what each part's 指标值 means and in which unit, from the province rubric and metrics.toml."""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Alignment
from openpyxl.workbook import Workbook

from sbsk import REFERENCE_DIR
from sbsk.config.level import load_level
from sbsk.config.metrics import load_catalogue
from sbsk.config.periods import Quarter
from sbsk.config.registry import load_registry
from sbsk.config.rubric import Rubric
from sbsk.config.rubric_years import rubric_for_year
from sbsk.outputs.return_writer import put_text_safe
from sbsk.outputs.templates import DATA_SHEET, FIRST_DATA_ROW, GUIDE_SHEET, build_template, template_file_name
from sbsk.schemas import load_returns

KIND_WORDS = {"count": "个数，填整数", "amount": "金额，单位万元", "share": "占比，填小数或百分数（如 0.81 或 81%）",
              "ratio": "完成率，填小数或百分数（如 0.81 或 81%）", "grade": "质量评定分值之和（优1.0、良0.6、一般0.3）",
              "score": "评分"}


def meanings(rubric: Rubric) -> list[tuple[str, int, str]]:
    """(indicator, part, what its 指标值 is) for every part the forecast can use."""
    catalogue = load_catalogue()
    found = []
    for ind in rubric.indicators:
        for part in ind.parts:
            if part.method == "assessor":
                continue
            metric = catalogue.describe(part.metric, rubric)
            what = f"{metric.meaning}（{KIND_WORDS.get(metric.kind, metric.unit)}）" if metric else part.metric
            if metric and metric.den:
                what = f"{metric.meaning} ÷ {metric.den}（{KIND_WORDS.get(metric.kind, '')}）"
            found.append((ind.code, part.number, f"{ind.name}：{what}"))
    return found


def _home_name(folder: Path, home: str | None) -> str:
    return next((u.name for u in load_registry(folder / "units.csv", folder / "unit_groups.csv").units
                 if u.code == home), "本市")


def write_peer_template(q: Quarter, out_dir: Path, province_dir: Path | None = None) -> Path:
    """out_dir/<quarter>/templates/zdxmb/R13-全省对标数据.xlsx, beside the other returns' templates."""
    defs = load_returns()
    base = Path(out_dir) / str(q) / "templates"
    folder = Path(province_dir or REFERENCE_DIR / "province")
    ret = defs.peer["R13"]
    level = load_level(folder)
    rubric = rubric_for_year(q.year, None, folder)
    cities = [u.name for u in load_registry(folder / "units.csv", folder / "unit_groups.csv").for_year(q.year)
              if u.code != level.home_unit]  # the home city's values come from its own units
    wb: Workbook = build_template(ret, defs, q, cities, [i.code for i in rubric.indicators])
    parts = meanings(rubric)
    data = wb[DATA_SHEET]
    data.delete_rows(FIRST_DATA_ROW, 2)  # the generic examples: the rows below are the real ones
    row = FIRST_DATA_ROW
    for city in cities:
        for code, number, _ in parts:
            for col, value in enumerate((city, code, number), start=1):
                put_text_safe(data.cell(row, col), value) if isinstance(value, str) else data.cell(row, col, value)
            row += 1
    guide = wb[GUIDE_SHEET]
    for r in range(1, 20):  # the generic guide speaks of counties and money: say what R13 asks instead
        text = str(guide.cell(r, 1).value or "")
        if text.startswith("2. "):
            put_text_safe(guide.cell(r, 1), f"2. 第一列“{ret.columns[0].header}”请从下拉列表选择；本市（"
                                            f"{_home_name(folder, level.home_unit)}）不填，其数据由各县(市、区)汇总得出。")
        elif text.startswith("3. "):
            put_text_safe(guide.cell(r, 1), "3. “指标值”按下方各分项的含义填写：个数填整数，金额以万元计，"
                                            "占比和完成率填小数或百分数（如 81%）；每个省辖市每个分项只填一行。")
    start = guide.max_row + 2
    put_text_safe(guide.cell(start, 1), "各分项“指标值”的含义（每个省辖市每个分项一行，已预先列出；"
                                         "没有数据的分项请整行删除，该分项不参加预判）：")
    for i, (code, number, what) in enumerate(parts, start=1):
        put_text_safe(guide.cell(start + i, 1), f"{code}-{number}")
        cell = guide.cell(start + i, 2)
        put_text_safe(cell, what)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        guide.merge_cells(start_row=start + i, start_column=2, end_row=start + i, end_column=5)
        guide.row_dimensions[start + i].height = 30  # two lines: a merged cell does not grow by itself
    path = base / ret.owner / template_file_name(ret)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
