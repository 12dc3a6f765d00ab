"""Each rejection names its row by the return's key field (项目名称 / 审批事项 / 文件名称 / 指标, SPEC §13):
stored in rejected_rows.row_key when the run rejects the row, shown in a column of its own in the
validation report. Known answers on test_analyst_views' 2020Q2: one R06 row of 林州 (项目名称 超付项目,
paid 1500 above the 1000 allocated) is rejected; R11, sent by the wrong department, is rejected whole."""

from __future__ import annotations

import tomllib

import pytest
from openpyxl import load_workbook

from conftest import query
from sbsk.outputs.validation_report import write_validation_report
from sbsk.schemas.definitions import DEFINITIONS_FILE, DefinitionError, parse_definitions
from sbsk.store.warehouse import read_only
from test_analyst_views import out  # noqa: F401  (the module-scoped fixture)


def test_a_rejected_row_is_named_by_its_key_field(out):  # noqa: F811
    rows = query(out, "select return_code, row_number, row_key from rejected_rows where quarter = '2020Q2' "
                      "order by return_code")
    assert rows == [("R06", 3, "项目名称：超付项目"), ("R11", None, None)]


def test_the_validation_report_shows_it_in_its_own_column(out, tmp_path):  # noqa: F811
    with read_only(out) as con:
        path = write_validation_report(con, "2020Q2", tmp_path / "validation-2020Q2.xlsx")
    rows = [[c.value for c in row] for row in load_workbook(path)["退回明细"].iter_rows(min_row=3)]
    r06 = next(r for r in rows if r[1].endswith("R06-central_budget.xlsx"))
    assert r06[3:6] == [3, "项目名称：超付项目", "已支付资金(万元)"]
    assert not r06[7].startswith("2020Q2")  # the problem alone, without the file and row again
    r11 = next(r for r in rows if "R11" in r[1])
    assert r11[3:5] == [None, "（整个文件）"]


def test_every_return_names_its_key_and_a_wrong_one_is_refused():
    doc = tomllib.loads(DEFINITIONS_FILE.read_text(encoding="utf-8"))
    keys = {r["code"]: r.get("keys") for r in doc["returns"]}
    assert keys["R09"] == ["project_name", "item_name"] and keys["R10"] == ["indicator"] and keys["R11"] == ["title"]
    assert all(keys[f"R0{n}"] in (["project_name"], ["event_on"]) for n in range(1, 9))
    doc["returns"][0]["keys"] = ["project_nam"]
    with pytest.raises(DefinitionError, match="keys names unknown field 'project_nam'"):
        parse_definitions(doc)
