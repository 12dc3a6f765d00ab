"""R13 全省对标数据 in a city quarter (SPEC §10): read with the province's cities and rubric, bad rows
rejected with file, sheet, row and column, never counted missing; then `sbsk forecast` on it, worked
out by hand from builders.baseline (nine units: one R02 row each, R06 allocated 100 paid 50 each)."""

from __future__ import annotations

import json

from builders import baseline, write_quarter
from conftest import evaluate, query

from sbsk.cli import main

CITIES = ["郑州市", "开封市", "洛阳市", "平顶山市", "鹤壁市", "新乡市", "焦作市", "濮阳市", "许昌市", "漯河市",
          "三门峡市", "南阳市", "商丘市", "信阳市", "周口市", "驻马店市", "济源示范区"]  # all but 安阳市


def _r13() -> list[dict]:
    rows = []
    for name in CITIES:  # B2-1 signed projects: 1 each, 郑州市 20; C6-1 paid share: "81%" each
        rows.append(dict(unit=name, indicator="B2", part=1, value=20 if name == "郑州市" else 1, source="省通报"))
        rows.append(dict(unit=name, indicator="中央预算内投资项目完成情况", part=1, value="81%"))
    rows += [
        dict(unit="林州市", indicator="B2", part=1, value=1),        # a county, not a city of the province
        dict(unit="郑州市", indicator="Z9", part=1, value=1),         # no such indicator in the province rubric
        dict(unit="郑州市", indicator="B2", part=1, value=5),         # a second value for 郑州市 B2-1
        dict(unit="安阳市", indicator="B2", part=1, value=3),         # the home city: from its own units
        dict(unit="开封市", indicator="A2", part=3, value=3),         # A2 has two parts
    ]
    return rows


def test_r13_rows_are_checked_stored_and_forecast(dirs, capsys):
    raw, out = dirs
    returns = {**baseline(), "R13": _r13()}
    write_quarter(raw, "2020Q3", returns)
    state = evaluate(raw, out, "2020Q3")
    assert state["status"] == "done" and state["missing"] == []  # R13 is never a missing return
    r13 = next(r for r in state["results"] if r.return_code == "R13")
    assert (r13.rows_loaded, r13.rows_rejected) == (34, 5)
    file = "2020Q3/zdxmb/R13-peer_metrics.xlsx 工作表「Sheet1」"
    assert [r["message"] for r in r13.rejections] == [
        f"{file}第37行 A列「省辖市」：「林州市」不是本年度考评的省辖市，请填写省辖市的规范名称或代码",
        f"{file}第38行 B列「指标」：「Z9」不是考评指标，请填写指标代码（如 A1）或指标名称",
        f"{file}第39行 C列「分项」：同一省辖市的指标B2第1分项已有一行，只能填一个指标值",
        f"{file}第40行 A列「省辖市」：安阳市是本市，本市的指标值由各县(市、区)的数据汇总得出，请删去这一行",
        f"{file}第41行 C列「分项」：指标A2只有2个分项（1至2），没有第3分项",
    ]
    assert query(out, "select count(*) from stg_peer_metrics where quarter = '2020Q3'") == [(34,)]

    # B2-1 relative 2.5: home Σ = 9 rows, leader 郑州市 20 → 2.5·9/20 = 1.125 → 1.13 (half up); others 0.13
    # C6-1 progress 5 at 0.75: home Σpaid/Σallocated = 450/900 → 3.33; others 0.81 ≥ 0.75 → 5
    # home 4.46, 郑州市 7.5, the rest 5.13 → 18th; 3 lower: 郑州市 4.5 > 4.46, others 2.13 → 2nd
    assert main(["forecast", "2020Q3", "--out-dir", str(out), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["text"] == "预计全省第18名（第2至第18名，覆盖7.5分）"
    assert (got["total"], got["rank"], got["best_rank"], got["worst_rank"]) == (4.46, 18, 2, 18)
    assert got["parts_forecast"] == ["B2-1", "C6-1"]
    rows = query(out, "select unit_code, total::double, rank, best_rank from forecast_results where period = '2020Q3' "
                      "and unit_code in ('410500', '410100', '410200') order by unit_code")
    assert rows == [("410100", 7.5, 1, None), ("410200", 5.13, 2, None), ("410500", 4.46, 18, 2)]
    # the same said to a clerk: the headline, every city by its forecast rank (home marked), what was left out
    assert main(["forecast", "2020Q3", "--out-dir", str(out)]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0] == "安阳市2020年第三季度：预计全省第18名（第2至第18名，覆盖7.5分）"
    assert said[1:3] == ["   1  郑州市  7.50", "   2  开封市  5.13"] and said[18] == "  18  安阳市  4.46  ←"
    assert said[19].startswith("未预判24个分项")  # 26 non-assessor parts, 2 forecast

    # the submissions never owe R13, and say what it is for; check reads it as the run did
    assert main(["status", "2020Q3", "--raw-dir", str(raw), "--out-dir", str(out), "--json"]) == 0
    other = json.loads(capsys.readouterr().out)["other_files"]
    assert [(f["return_code"], f["detail"]) for f in other] == [
        ("R13", "R13「全省对标数据」供全省排名预判（sbsk forecast），不计入应报报表")]
    r13_file = raw / "2020Q3" / "zdxmb" / "R13-peer_metrics.xlsx"
    assert main(["check", str(r13_file), "--json"]) == 1
    assert len(json.loads(capsys.readouterr().out)[0]["errors"]) == 5


def test_check_takes_a_month_folder_s_year_for_r13(tmp_path, capsys):
    """A month folder (2020-08) names the year, so R13 is checked by the province rubric of 2020."""
    write_quarter(tmp_path, "2020-08", {"R13": _r13()[:2]})
    assert main(["check", str(tmp_path / "2020-08" / "zdxmb" / "R13-peer_metrics.xlsx"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["rows_loaded"] == 2


def test_the_r13_template_lists_every_other_city_and_part_and_reads_back(tmp_path):
    """17 cities (安阳市 is home) × 26 parts: the province rubric's 27 parts (15 relative, 8 progress,
    2 graded, 1 threshold, 1 assessor) but the assessor part A1-1, which is never forecast."""
    from openpyxl import load_workbook

    from sbsk.config.periods import Quarter
    from sbsk.outputs.peer_template import write_peer_template

    path = write_peer_template(Quarter(2020, 3), tmp_path)
    assert path.name == "R13-全省对标数据.xlsx" and path.parent.name == "zdxmb"
    ws = load_workbook(path)["数据"]
    rows = [tuple(c.value for c in r[:3]) for r in ws.iter_rows(min_row=3) if r[0].value]
    assert len(rows) == 17 * 26
    assert {r[0] for r in rows} == set(CITIES) and ("郑州市", "A2", 2) in rows and ("郑州市", "A1", 1) not in rows
    guide = "\n".join(str(c.value) for r in load_workbook(path)["填报说明"].iter_rows() for c in r if c.value)
    assert "B4-1" in guide and "本市（安阳市）不填" in guide


def test_forecast_province_names_another_set_and_its_band(dirs, tmp_path, capsys):
    """--province DIR: a copy of the shipped set whose rubric says forecast_band = 0.5. The totals are
    those above (home 4.46, 郑州市 7.5, 16 cities 5.13): 0.5 lower, 5.13 − 0.5 = 4.63 still beats 4.46, so
    the best rank is the 18th as well; 0.5 higher changes nothing. A negative band is refused."""
    import shutil

    from sbsk import REFERENCE_DIR

    raw, out = dirs
    write_quarter(raw, "2020Q3", {**baseline(), "R13": _r13()[:34]})
    evaluate(raw, out, "2020Q3")
    for band, code in (("0.5", 0), ("-1", 1)):
        province = tmp_path / f"province{band}"
        shutil.copytree(REFERENCE_DIR / "province", province)
        rubric = province / "rubric-province-2020.1.toml"
        text = rubric.read_text(encoding="utf-8")
        assert "forecast_band = 3 " in text
        rubric.write_text(text.replace("forecast_band = 3 ", f"forecast_band = {band} "), encoding="utf-8")
        assert main(["forecast", "2020Q3", "--out-dir", str(out), "--province", str(province), "--json"]) == code
        said = capsys.readouterr()
        if code == 0:
            assert json.loads(said.out)["text"] == "预计全省第18名（第18至第18名，覆盖7.5分）"
        else:
            assert "forecast_band 应为不小于0的分数" in said.err and str(rubric) in said.err
