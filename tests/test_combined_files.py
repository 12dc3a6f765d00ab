"""Several files of one return in a quarter (SPEC §3): combined when they cover different units;
the same unit in two files is an error naming both files and the units as people name them."""

from __future__ import annotations

from builders import baseline, write_quarter
from conftest import evaluate, query
from sbsk.outputs.return_writer import write_plain
from sbsk.schemas import load_returns


def test_the_same_unit_in_two_files_names_both_files_and_the_units(dirs):
    raw, out = dirs
    data = baseline()
    write_quarter(raw, "2020Q3", data)
    r06 = load_returns().returns["R06"]
    # a second R06 file with 林州市 and 安阳县 again (and 汤阴县, which the first file also has)
    extra = [dict(r, project_name=f"补报{i}") for i, r in enumerate(data["R06"][:3])]
    write_plain(raw / "2020Q3" / "fgw" / "R06-补报.xlsx", r06, extra)
    res = evaluate(raw, out, "2020Q3")
    [rejected] = [r for r in res["results"] if r.status == "rejected"]
    assert rejected.source.rel == "2020Q3/fgw/R06-补报.xlsx"
    # units in code order (410522 安阳县, 410523 汤阴县, 410581 林州市), written by their names
    assert rejected.file_message == (
        "2020Q3/fgw/R06-补报.xlsx：与 2020Q3/fgw/R06-central_budget.xlsx 是同一报表（R06），且包含相同的县(市、区)"
        "（安阳县、汤阴县、林州市），同一单位只能在一个文件中报送")
    # the first file is loaded, the second not at all
    assert query(out, "select count(*), count(distinct source_file) from stg_central_budget") == [(9, 1)]
