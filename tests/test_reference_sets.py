"""The engine one level up (SPEC §10): a whole quarter on the shipped province reference set (18
cities, one group, no rewards) and on a made-up registry of three groups. Expected values are worked
out by hand from builders.baseline, whose unit i (1-based, in registry order) has R01 Σ total_investment
1000·i, R02 paid_in 10·i and contract_amount 100·i, and R03 Σ total_investment 500·i; everything else
is the same for every unit. Against the group maximum M of i, unit i scores (§5, t(Q3) = 0.75):

    fixed: A1 2 (R10) + C4 5·(0.5/0.75) = 3.33 + C5 4.2·(2/3) = 2.80 + C6, C7, C8 3.33 each
           + D1 min(2, 良 0.6) = 0.6 + D3 7 + 3 = 10                                  → 28.72
    A2 = round(5 + 5·i/M)  B1 = round(3·i/M)  B2 = round(2.5 + 2.5·i/M)  C1 = round(3 + 2·i/M)
    (A3, A4, A5, B3, B4, C2, C3, D2 are 0 for everyone)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builders import baseline, write_quarter
from conftest import query

from sbsk import REFERENCE_DIR, pipeline
from sbsk.config.level import load_level
from sbsk.schemas import load_returns

PROVINCE = REFERENCE_DIR / "province"


def _province_defs():
    level = load_level(PROVINCE)
    return load_returns().with_unit_column(level.unit_header, level.unit_aliases)


def _cities() -> dict[str, str]:
    rows = (PROVINCE / "units.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {r.split(",")[0]: r.split(",")[1] for r in rows}


def test_the_shipped_province_set_is_henan_with_anyang_at_home():
    cities = _cities()
    assert len(cities) == 18 and cities["410500"] == "安阳市" and cities["419001"] == "济源示范区"
    level = load_level(PROVINCE)
    assert (level.home_unit, level.unit_header) == ("410500", "省辖市")
    assert "市" in level.unit_aliases and "地市" in level.unit_aliases


def test_a_quarter_on_the_province_reference_set(dirs):
    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline(_cities()), _province_defs())
    state = pipeline.evaluate("2020Q3", raw, out, up_to="report", reference_dir=PROVINCE)
    assert state["status"] == "done" and not state["missing"]
    rows = query(out, "select unit_code, unit_group, total::double, group_rank, reward_yuan from quarter_results "
                      "where quarter = '2020Q3' order by unit_code")
    assert len(rows) == 18 and {r[1] for r in rows} == {"city"}
    by_code = {r[0]: r for r in rows}
    # 安阳市 is the 5th city of 18: A2 5 + 25/18 = 6.39, B1 15/18 = 0.83, B2 2.5 + 12.5/18 = 3.19,
    # C1 3 + 10/18 = 3.56; 28.72 + 13.97 = 42.69, and 13 cities after it in the registry score more
    assert by_code["410500"][2:4] == (42.69, 14)
    # 济源示范区, the 18th, leads every relative part: 28.72 + 10 + 3 + 5 + 5 = 51.72, first
    assert by_code["419001"][2:4] == (51.72, 1)
    # 郑州市, the 1st: A2 5 + 5/18 = 5.28, B1 3/18 = 0.17, B2 2.5 + 2.5/18 = 2.64, C1 3 + 2/18 = 3.11
    assert by_code["410100"][2:4] == (39.92, 18)
    assert {r[4] for r in rows} == {0}  # the province rubric pays no rewards
    a2 = query(out, "select points::double from indicator_scores where quarter = '2020Q3' and unit_code = '410500' "
                    "and indicator_code = 'A2'")
    assert a2 == [(6.39,)]
    run = query(out, "select reference_set, rubric_version from pipeline_runs where quarter = '2020Q3'")
    assert run == [(str(PROVINCE), "province-2020.1")]
    assert (out / "2020Q3" / "bulletin-2020Q3.xlsx").is_file()


def test_a_city_named_in_the_county_column_is_rejected_on_the_province_set(dirs):
    """A province's returns name cities under 省辖市: 林州市 is no city of the province registry."""
    raw, out = dirs
    returns = baseline(_cities())
    returns["R06"].append(dict(unit="林州市", project_name="错报", allocated=100, paid=50))
    write_quarter(raw, "2020Q3", returns, _province_defs())
    state = pipeline.evaluate("2020Q3", raw, out, up_to="publish", reference_dir=PROVINCE)
    r06 = next(r for r in state["results"] if r.return_code == "R06")
    assert r06.rows_rejected == 1
    assert r06.rejections[0]["message"] == ("2020Q3/fgw/R06-central_budget.xlsx 工作表「Sheet1」第21行 A列「省辖市」："
                                            "「林州市」不是本年度考评的省辖市，请填写省辖市的规范名称或代码")


THREE_GROUPS = """unit_group,label,sort_order
north,北组,1
middle,中组,2
south,南组,3
"""
UNITS = """unit_code,unit_name,unit_group,valid_from,valid_to,aliases
990101,甲县,north,2020,,
990102,乙县,north,2020,,
990103,丙县,middle,2020,,
990104,丁县,middle,2020,,
990105,戊县,middle,2020,,
990106,己县,south,2020,,
"""


def test_a_quarter_on_a_registry_of_three_groups(dirs, tmp_path: Path):
    raw, out = dirs
    ref = tmp_path / "reference"
    ref.mkdir()
    (ref / "unit_groups.csv").write_text(THREE_GROUPS, encoding="utf-8")
    (ref / "units.csv").write_text(UNITS, encoding="utf-8")
    shutil.copy(REFERENCE_DIR / "rubric-2020.1.toml", ref)  # no level.toml: the city level's unit column
    units = {line.split(",")[0]: line.split(",")[1] for line in UNITS.splitlines()[1:]}
    write_quarter(raw, "2020Q3", baseline(units))
    state = pipeline.evaluate("2020Q3", raw, out, up_to="publish", reference_dir=ref)
    assert state["status"] == "done"
    rows = query(out, "select unit_code, unit_group, total::double, group_rank, reward_yuan from quarter_results "
                      "where quarter = '2020Q3' order by unit_code")
    # north (M = 2): 甲 i/M = 1/2: A2 7.5, B1 1.5, B2 3.75, C1 4 → 45.47; 乙 i/M = 1: 10, 3, 5, 5 → 51.72
    # middle (M = 5): 丙 3/5: 8, 1.8, 4, 4.2 → 46.72; 丁 4/5: 9, 2.4, 4.5, 4.6 → 49.22; 戊 → 51.72
    # south: 己 alone leads itself → 51.72, a group of one gets no reward (§6)
    assert rows == [
        ("990101", "north", 45.47, 2, -200000), ("990102", "north", 51.72, 1, 200000),
        ("990103", "middle", 46.72, 3, -200000), ("990104", "middle", 49.22, 2, 0),
        ("990105", "middle", 51.72, 1, 200000), ("990106", "south", 51.72, 1, 0),
    ]


def test_check_reads_a_province_return_only_with_the_province_reference_set(tmp_path, capsys):
    """The same file: under --reference reference/province its 省辖市 column names cities; under the
    city's reference set it has no 县(市、区) column, so the file is rejected whole (SPEC §4)."""
    import json

    from sbsk.cli import main

    paths = write_quarter(tmp_path / "raw", "2020Q3", {"R06": baseline(_cities())["R06"]}, _province_defs())
    assert main(["check", str(paths[0]), "--json", "--reference", str(PROVINCE)]) == 0
    verdict = json.loads(capsys.readouterr().out)[0]
    assert (verdict["status"], verdict["rows_loaded"], verdict["rows_rejected"]) == ("loaded", 18, 0)
    assert main(["check", str(paths[0]), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["status"] == "rejected"
    with pytest.raises(SystemExit) as usage:  # not a reference set: a usage error, as argparse's are
        main(["check", str(paths[0]), "--reference", str(tmp_path)])
    assert usage.value.code == 2 and "不是参考数据目录" in capsys.readouterr().err


def test_a_dispatch_on_the_province_reference_set(dirs):
    """A month on the province set: 18 cities in one group, labelled 省辖市 in the meeting's workbook."""
    from openpyxl import load_workbook

    from sbsk.dispatch import evaluate_dispatch

    raw, out = dirs
    write_quarter(raw, "2020-08", baseline(_cities()), _province_defs())
    state = evaluate_dispatch("2020-08", raw, out, reference_dir=PROVINCE)
    assert state["missing"] == []
    rows = query(out, "select unit_code, group_rank from dispatch_results where month = '2020-08' order by group_rank")
    assert len(rows) == 18 and rows[0] == ("419001", 1)  # 济源示范区 leads every relative part, as in Q3
    assert query(out, "select reference_set from pipeline_runs where quarter = '2020-08'") == [(str(PROVINCE),)]
    ranking = load_workbook(out / "2020-08" / "dispatch-2020-08.xlsx").worksheets[0]
    texts = {c.value for r in ranking.iter_rows() for c in r if isinstance(c.value, str)}
    assert "省辖市" in texts and "济源示范区" in texts


def test_a_province_run_into_the_city_s_warehouse_is_refused_and_nothing_stored_is_lost(dirs, tmp_path, capsys):
    """One warehouse holds one level: the cities scored into the counties' warehouse would replace its
    units and its 2020Q3. Refused before a file is read, naming the warehouse and --out-dir."""
    from sbsk.dispatch import evaluate_dispatch
    from sbsk.config.level import OtherLevel

    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline())
    pipeline.evaluate("2020Q3", raw, out, up_to="publish")
    province_raw = tmp_path / "province-raw"
    write_quarter(province_raw, "2020Q3", baseline(_cities()), _province_defs())
    write_quarter(province_raw, "2020-08", baseline(_cities()), _province_defs())
    with pytest.raises(OtherLevel) as refused:
        pipeline.evaluate("2020Q3", province_raw, out, up_to="publish", reference_dir=PROVINCE)
    assert str(refused.value) == (
        f"{out / 'sbsk.duckdb'} 存的是另一套参考数据的考评单位（如 410502 文峰区），与本次参考数据的单位（如 410100 郑州市）"
        "无一相同：请用 --out-dir 另选输出目录（如 data/out-province），以免覆盖已存的考评结果")
    with pytest.raises(OtherLevel):
        evaluate_dispatch("2020-08", province_raw, out, reference_dir=PROVINCE)
    from sbsk.cli import main  # the commands refuse before a flow starts: one line, exit 1

    for command in (["run", "2020Q3"], ["dispatch", "2020-08"], ["annual", "2020"]):
        assert main([*command, "--raw-dir", str(province_raw), "--out-dir", str(out), "--reference", str(PROVINCE)]) == 1
        assert capsys.readouterr().err == f"sbsk: {refused.value}\n"
    assert query(out, "select count(*), count(distinct unit_group) from quarter_results where quarter = '2020Q3'") \
        == [(9, 2)]
    assert query(out, "select count(*) from units where unit_code like '4105%'") == [(9,)]
    # into a warehouse of its own it runs, and the city's runs there are refused the same way
    province_out = tmp_path / "province-out"
    assert pipeline.evaluate("2020Q3", province_raw, province_out, up_to="publish",
                             reference_dir=PROVINCE)["status"] == "done"
    with pytest.raises(OtherLevel):
        pipeline.evaluate("2020Q3", raw, province_out, up_to="publish")
