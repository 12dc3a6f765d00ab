"""合计 and 小计 rows: skipped, counted, and checked against their detail rows (0.5 % tolerance)."""

from __future__ import annotations

from openpyxl import Workbook

from sbsk.intake.check import check_paths

HEADER = ["县(市、区)", "项目名称", "下达中央预算内资金(万元)", "已支付资金(万元)"]


def _write(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["中央预算内投资项目"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def test_subtotals_and_total_that_add_up(tmp_path):
    path = _write(tmp_path / "2020Q3" / "fgw" / "r06.xlsx", [
        ["林州市", "甲", 100, 50], ["林州市", "乙", 200, 50], ["林州市小计", None, 300, 100],
        ["汤阴县", "丙", 40, 10], ["小计", None, 40, 10],
        ["合计", None, 340, 110],
    ])
    [v] = check_paths([path], 2020)
    assert (v["rows_read"], v["rows_loaded"], v["rows_skipped"], v["skipped"]) == (6, 3, 3, {"total": 3})
    assert v["flags"] == []


def test_a_total_off_by_more_than_half_a_percent_is_flagged(tmp_path):
    path = _write(tmp_path / "2020Q3" / "fgw" / "r06.xlsx", [
        ["合计", None, 300, 101],          # 101 vs 100: 1 % off → flagged; 300 vs 300 is right
        ["林州市", "甲", 100, 50], ["林州市", "乙", 200, 50],
        ["林州市小计", None, 301, 100],     # 301 vs 300: 0.33 % off → within tolerance
    ])
    [v] = check_paths([path], 2020)
    assert [(f["flag"], f["row_number"]) for f in v["flags"]] == [("total_mismatch", 3)]
    assert "已支付资金" in v["flags"][0]["detail"] and "101" in v["flags"][0]["detail"]


def test_the_tolerance_is_the_rubrics_parameter(tmp_path, monkeypatch):
    """total_mismatch_tolerance comes from the rubric in force, not from the code."""
    from sbsk.config.rubric import RUBRIC_FILE

    text = RUBRIC_FILE.read_text(encoding="utf-8")
    assert "total_mismatch_tolerance = 0.005" in text
    rows = [["合计", None, 300, 101],          # 1 % off
            ["林州市", "甲", 100, 50], ["林州市", "乙", 200, 50],
            ["林州市小计", None, 301, 100]]     # 0.33 % off
    path = _write(tmp_path / "2020Q3" / "fgw" / "r06.xlsx", rows)
    for tolerance, flagged in (("0.02", []), ("0.002", [3, 6])):
        rubric = tmp_path / f"rubric-{tolerance}.toml"
        rubric.write_text(text.replace("total_mismatch_tolerance = 0.005", f"total_mismatch_tolerance = {tolerance}"),
                          encoding="utf-8")
        monkeypatch.setenv("SBSK_RUBRIC", str(rubric))
        [v] = check_paths([path], 2020)
        assert [f["row_number"] for f in v["flags"]] == flagged, tolerance
    assert all("相差超过0.2%" in f["detail"] for f in v["flags"])
