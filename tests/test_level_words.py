"""The documents of a level say what its units are called (level.toml unit_name, issue 12): a
province quarter's bulletin, 通报 and web page, and a province month's dispatch workbook, say 省辖市
(reference/province/level.toml) and never the city level's 县(市、区). The province fixtures are
those of test_reference_sets (builders.baseline over the 18 cities of reference/province/units.csv)."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from test_reference_sets import PROVINCE, _cities, _province_defs

from builders import baseline, write_quarter
from sbsk import pipeline

CITY_WORDS = ("县(市、区)", "县（市、区）", "县市区")


def _cells(path) -> list[str]:
    wb = load_workbook(path)
    return [c.value for ws in wb.worksheets for r in ws.iter_rows() for c in r if isinstance(c.value, str)]


def _docx_text(path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_a_province_quarter_s_documents_say_sheng_xia_shi(dirs):
    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline(_cities()), _province_defs())
    assert pipeline.evaluate("2020Q3", raw, out, up_to="report", reference_dir=PROVINCE)["status"] == "done"
    folder = out / "2020Q3"

    ranking = load_workbook(folder / "bulletin-2020Q3.xlsx")["排名"]
    heads = [[c.value for c in r] for r in ranking.iter_rows() if r[0].value == "排名"]
    assert heads and all(h[1] == "省辖市" for h in heads)  # the unit column of every group's table
    cells = _cells(folder / "bulletin-2020Q3.xlsx")
    assert not [c for c in cells if any(w in c for w in CITY_WORDS)]

    text = _docx_text(folder / "tongbao-2020Q3.docx")
    # 18 cities of reference/province/units.csv, level name 全省 (reference/province/level.toml)
    assert "2020年第三季度，全省18个省辖市参加“四比四看”活动考评" in text
    assert "各省辖市要对照考评结果" in text and "排名靠后的省辖市要深入分析原因" in text
    assert "专班办公室对2020年第三季度各省辖市工作情况进行了考评" in text
    assert not [w for w in CITY_WORDS if w in text]

    page = (folder / "bulletin-2020Q3.html").read_text(encoding="utf-8")
    assert "全省18个省辖市参加考评" in page and not [w for w in CITY_WORDS if w in page]


def test_a_province_month_s_dispatch_workbook_says_sheng_xia_shi(dirs):
    from sbsk.dispatch import evaluate_dispatch

    raw, out = dirs
    write_quarter(raw, "2020-08", baseline(_cities()), _province_defs())
    evaluate_dispatch("2020-08", raw, out, reference_dir=PROVINCE)
    path = out / "2020-08" / "dispatch-2020-08.xlsx"
    cells = _cells(path)
    notes = [c for c in cells if "对照清单" in c]
    assert notes and all("请各省辖市对照清单，在季度结束前重点追赶。" in c for c in notes)
    ranking = load_workbook(path).worksheets[0]
    heads = [[c.value for c in r] for r in ranking.iter_rows() if r[0].value == "排名"]
    assert heads and all(h[1] == "省辖市" for h in heads)
    assert not [c for c in cells if any(w in c for w in CITY_WORDS)]


def test_a_province_return_template_names_its_unit_column_sheng_xia_shi():
    """The guide and the unit column's input prompt use the level's unit_header (省辖市)."""
    from sbsk.config.periods import Quarter
    from sbsk.outputs.templates import DATA_SHEET, GUIDE_SHEET, build_template

    defs = _province_defs()
    ret = defs.returns["R01"]
    wb = build_template(ret, defs, Quarter.parse("2020Q3"), list(_cities().values()), ["A1", "D3"])
    guide = [c.value for r in wb[GUIDE_SHEET].iter_rows() for c in r if isinstance(c.value, str)]
    assert "2. 第一列“省辖市”请从下拉列表选择；每个省辖市的记录都填在本表中。" in guide
    prompts = [v.prompt for v in wb[DATA_SHEET].data_validations.dataValidation if v.prompt]
    assert "请从下拉列表选择省辖市" in prompts
    assert not [c for c in guide + prompts if any(w in c for w in CITY_WORDS)]


def test_the_same_city_in_two_files_of_a_province_return_is_named_a_sheng_xia_shi(dirs):
    from sbsk.outputs.return_writer import write_plain

    raw, out = dirs
    defs = _province_defs()
    data = baseline(_cities())
    write_quarter(raw, "2020Q3", data, defs)
    write_plain(raw / "2020Q3" / "fgw" / "R06-补报.xlsx", defs.returns["R06"],
                [dict(r, project_name=f"补报{i}") for i, r in enumerate(data["R06"][:3])])
    state = pipeline.evaluate("2020Q3", raw, out, up_to="combine", reference_dir=PROVINCE)
    [rejected] = [r for r in state["results"] if r.status == "rejected"]
    assert "是同一报表（R06），且包含相同的省辖市（" in rejected.file_message
    assert not [w for w in CITY_WORDS if w in rejected.file_message]


def test_the_level_is_found_again_from_another_folder(tmp_path, monkeypatch):
    """A run given `--reference reference/province` (relative) records the folder absolute, so a later
    `sbsk publish` started elsewhere still writes 省辖市 (a relative path would fall back to the city)."""
    from datetime import datetime

    import duckdb

    from sbsk import REFERENCE_DIR
    from sbsk.store.runs import record_run, unit_word
    from sbsk.store.warehouse import apply_contract

    con = duckdb.connect()
    apply_contract(con)
    monkeypatch.chdir(REFERENCE_DIR.parent)
    now = datetime(2020, 10, 10)
    record_run(con, "r1", "quarter", "2020Q3", 2020, "done", now, now, "2020.1", None, Path("reference/province"))
    monkeypatch.chdir(tmp_path)
    assert unit_word(con) == "省辖市"
