"""Categories come from the rubric end to end: a category the rubric adds is scored into the total,
the long category tables and the tie-break; a rubric without one of the contract's categories is
refused when it is loaded. Expected values are worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from conftest import query
from sbsk.config.rubric import RUBRIC_FILE, RubricError, load_rubric
from test_ranking import AY, CODE, HX, LZ, NH, TY, BG, LA, WF, YD, annual, dec, publish_year, quarter_data, \
    results, run

# The shipped rubric plus category E 比创新看成效 (5 points): E1 = 5 × external paid-in / group max,
# the metric B1 scores with 3 points; total_points 105; E decides ties first.
CATEGORY_E = """
[[categories]]
code = "E"
name = "比创新看成效"
max_points = 5

[[indicators]]
code = "E1"
category = "E"
name = "创新招引成效"
max_points = 5
parts = [{ share = 5, method = "relative", source = "R02", metric = "external_paid_in" }]
"""


def _rubric_with_e(tmp_path: Path) -> Path:
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    for old, new in (("total_points = 100", "total_points = 105"),
                     ('tie_break = ["C", "A", "B", "D"]', 'tie_break = ["E", "C", "A", "B", "D"]'),
                     ("# Thresholds the metric models read", CATEGORY_E + "\n# Thresholds the metric models read")):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "rubric-e.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_category_the_rubric_adds_counts_in_the_total_and_the_tie_break(tmp_path, monkeypatch, dirs):
    monkeypatch.setenv("SBSK_RUBRIC", str(_rubric_with_e(tmp_path)))
    _, out = dirs
    run(dirs, "2020Q4", quarter_data(                          # Q4: C6 = 5 × paid / 100 (t = 1)
        a1={LZ: 2, NH: 0.2, WF: 2, LA: 0.5},
        paid_in={AY: 1000, TY: 500, HX: 100, BG: 100},        # B1 = 3 × v / max, E1 = 5 × v / max
        c6_paid={LZ: 100, YD: 20},
        d1={LZ: ["优"], NH: ["良"]},                           # D1: 优 1.0, 良 0.6
    ))
    r = results(out, "2020Q4")
    #                       A       B       C       D       total (A + B + C + D + E)
    assert r[LZ][:5] == dec("2.00", "0.00", "5.00", "1.00", "8.00")
    assert r[AY][:5] == dec("0.00", "3.00", "0.00", "0.00", "8.00")   # E 5 × 1000/1000 = 5
    assert r[TY][:5] == dec("0.00", "1.50", "0.00", "0.00", "4.00")   # B 3 × 0.5, E 5 × 0.5 = 2.5
    assert r[HX][:5] == dec("0.00", "0.30", "0.00", "0.00", "0.80")   # B 3 × 0.1, E 5 × 0.1 = 0.5
    assert r[NH][:5] == dec("0.20", "0.00", "0.00", "0.60", "0.80")
    # 林州 and 安阳 tie at 8: E first, 5 > 0 → 安阳 (C as in the shipped order, A or D first would choose 林州).
    # 滑县 and 内黄 tie at 0.8: E 0.5 > 0 → 内黄 is last (C ties at 0; A or D first would make 滑县 last).
    assert r[AY][5:] == (1, 200000, False) and r[LZ][5:] == (1, 0, False)
    assert r[TY][5:] == (3, 0, False)
    assert r[NH][5:] == (4, -200000, False) and r[HX][5:] == (4, 0, False)
    # district: 北关 B 3 + E 5 = 8 first; 文峰 A 2; 殷都 C 5 × 0.2 = 1; 龙安 A 0.5 last
    assert [r[u][4:7] for u in (BG, WF, YD, LA)] == [
        (Decimal("8.00"), 1, 200000), (Decimal("2.00"), 2, 0), (Decimal("1.00"), 3, 0), (Decimal("0.50"), 4, -200000)]

    long = query(out, "select unit_code, category_code, score from category_scores where quarter = '2020Q4'")
    assert len(long) == 9 * 5
    scores = {(u, c): s for u, c, s in long}
    assert [scores[(CODE[AY], c)] for c in "ABCDE"] == list(dec("0", "3", "0", "0", "5"))
    assert scores[(CODE[TY], "E")] == Decimal("2.50") and scores[(CODE[HX], "E")] == Decimal("0.50")
    assert scores[(CODE[LZ], "E")] == Decimal("0")

    # the annual from this one quarter: the same scores, ranked with the same E-first tie-break
    assert publish_year(out, 2020) == ("provisional", 1)
    y = annual(out, 2020)
    assert y[AY][4:7] == (Decimal("8.00"), 1, 500000) and y[LZ][4:7] == (Decimal("8.00"), 1, 0)
    assert y[NH][4:7] == (Decimal("0.80"), 4, -500000) and y[HX][4:7] == (Decimal("0.80"), 4, 0)
    assert query(out, "select score from annual_category_scores where year = 2020 and unit_code = ? "
                      "and category_code = 'E'", [CODE[TY]]) == [(Decimal("2.50"),)]

    # the bulletin shows category E beside the four of the plan
    from sbsk.outputs.bulletin import write_quarter_bulletin

    con = duckdb.connect(str(out / "sbsk.duckdb"), read_only=True)
    try:
        path = write_quarter_bulletin(con, "2020Q4", out / "bulletin.xlsx")
    finally:
        con.close()
    ws = load_workbook(path)["排名"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(row for row in rows if row[0] == "排名")
    assert header[2:7] == ["比谋划看储备(30)", "比招引看投资(15)", "比开工看进度(40)", "比服务看实效(15)", "比创新看成效(5)"]
    ay = next(row for row in rows if row[1] == AY)
    assert ay[2:9] == [0, 3, 0, 0, 5, 8, 200000]

    # the 通报 (quarter and year) and the explanation state category E too, from the long tables
    from sbsk.outputs.explain.build import build_explanation
    from sbsk.outputs.tongbao.facts import quarter_facts, year_facts
    from sbsk.config.periods import Quarter

    con = duckdb.connect(str(out / "sbsk.duckdb"), read_only=True)
    try:
        facts = {"quarter": quarter_facts(con, "2020Q4"), "year": year_facts(con, 2020)}
        explained = build_explanation(con, Quarter.parse("2020Q4"), CODE[AY])
    finally:
        con.close()
    for period, f in facts.items():
        assert f["category_heads"][-1] == "比创新看成效（5）", period
        county = next(g for g in f["groups"] if g["label"] == "县(市)组")
        # 安阳 A 0, B 3, C 0, D 0, E 5 (in the rubric's category order)
        assert next(r for r in county["rows"] if r["name"] == AY)["scores"] == ["0.00", "3.00", "0.00", "0.00", "5.00"]
        e = next(c for c in f["categories"] if c["code"] == "E")
        # county E: 安阳 5, 汤阴 2.5, 滑县 0.5, 林州 and 内黄 0 (rank order: 林州 first, 内黄 fourth)
        assert (e["groups"][0]["best"], e["groups"][0]["best_points"]) == ([AY], "5.00"), period
        assert (e["groups"][0]["worst"], e["groups"][0]["worst_points"]) == ([LZ, NH], "0.00"), period
        assert (e["groups"][1]["best"], e["groups"][1]["best_points"]) == ([BG], "5.00"), period  # 北关 100 of 100
    assert {c["code"]: c["points"] for c in explained["categories"]} == {"A": 0, "B": 3, "C": 0, "D": 0, "E": 5}
    assert explained["categories"][-1]["name"] == "比创新看成效" and explained["categories"][-1]["max_points"] == 5
    assert "E1" in [i["code"] for i in explained["indicators"]]


def test_the_tie_flag_names_the_rubrics_order(tmp_path, monkeypatch, dirs):
    monkeypatch.setenv("SBSK_RUBRIC", str(_rubric_with_e(tmp_path)))
    _, out = dirs
    run(dirs, "2020Q4", quarter_data(a1={LZ: 1, AY: 1}))   # 林州, 安阳 equal everywhere: tied first
    # (DuckDB format() writes the decimal total 1.00 as 1.0, as it always has)
    details = query(out, "select detail from data_flags where flag = 'tie' and unit_code = ?", [CODE[LZ]])
    assert details == [("总分1.0与同组其他单位并列，按E、C、A、B、D类得分仍无法区分，奖惩由专班办公室研究确定",)]


def test_a_rubric_without_a_contract_category_is_refused(tmp_path):
    """quarter_results has score_a … score_d: a rubric that drops D (its indicators moved to E) would
    leave score_d empty, so it is refused, naming the file and the categories."""
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    text = text.replace('code = "D"\nname = "比服务看实效"', 'code = "E"\nname = "比服务看实效"')
    text = text.replace('category = "D"', 'category = "E"').replace('"B", "D"]', '"B", "E"]')
    path = tmp_path / "rubric-no-d.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    message = str(err.value)
    assert message.startswith(f"{path}: categories A, B, C, E: ")
    assert "categories A, B, C, D (score_a … score_d)" in message and "missing D" in message


def test_quarters_published_before_the_long_tables_are_filled_from_the_wide_columns():
    from sbsk.schemas import load_returns
    from sbsk.store.warehouse import ensure_schema

    con = duckdb.connect()
    con.execute((Path(RUBRIC_FILE).parents[1] / "transforms" / "contract.sql").read_text(encoding="utf-8"))
    con.execute("insert into quarter_results (quarter, unit_code, unit_name, unit_group, score_a, score_b, score_c, score_d, total, group_rank, reward_yuan, tie, status, rubric_version) values ('2020Q1', '410581', '林州市', 'county', 1.25, 2, 3, 4, "
                "10.25, 1, 0, false, 'final', '2020.1')")
    con.execute("insert into annual_results (year, unit_code, unit_name, unit_group, score_a, score_b, score_c, score_d, total, group_rank, reward_yuan, tie, quarters_used, status) values (2020, '410581', '林州市', 'county', 1.5, 2, 3, 4, 10.5, 1, 0, "
                "false, '2020Q1', 'provisional')")
    con.execute("insert into category_scores values ('2020Q2', '410581', 'A', 7)")  # already long: kept as is
    ensure_schema(con, load_returns())
    ensure_schema(con, load_returns())  # a second time adds nothing
    assert con.execute("select * from category_scores order by all").fetchall() == [
        ("2020Q1", "410581", "A", Decimal("1.25")), ("2020Q1", "410581", "B", Decimal("2")),
        ("2020Q1", "410581", "C", Decimal("3")), ("2020Q1", "410581", "D", Decimal("4")),
        ("2020Q2", "410581", "A", Decimal("7"))]
    assert con.execute("select category_code, score from annual_category_scores order by all").fetchall() == [
        ("A", Decimal("1.5")), ("B", Decimal("2")), ("C", Decimal("3")), ("D", Decimal("4"))]
