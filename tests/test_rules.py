"""The §3 row rules besides paid ≤ allocated, the §4 data flags on returns other than R04, the
departments' Chinese folder names, and a date outside the working-day calendar (SPEC §2–§4).
Each bad row is rejected alone (file, row, column, value, a Chinese message); the good rows beside it
load. Expected messages are written out by hand."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from builders import UNITS, baseline, write_quarter
from conftest import evaluate, query
from sbsk.intake.check import check_paths
from sbsk.samples.layouts import write_messy

CODE = {name: code for code, name in UNITS.items()}
D = baseline()


def _verdict(tmp_path: Path, code: str, rows: list[dict]) -> dict:
    (path,) = write_quarter(tmp_path / "raw", "2020Q3", {code: rows})
    (v,) = check_paths([path], year=2020)
    return v


# return → (rows: the first is bad, the others good), (Excel row, column, value, message) of the one rejection
RULES = {
    "project_code pattern": ("R01", [dict(D["R01"][0], project_code="2020-4105-47"), D["R01"][1]],
                             (3, "项目代码", "2020-4105-47", "项目代码「2020-4105-47」格式不正确，应为 YYYY-DDDDDD-DD-DD-DDDDDD")),
    "started_on required when implemented": ("R01", [dict(D["R01"][0], implemented="是"), D["R01"][1]],
                                             (3, "开工日期", None, "是否落地实施为“是”时必须填写开工日期")),
    "projects_over_100m ≤ project_count": ("R03", [dict(D["R03"][0], project_count=2, projects_over_100m=3), D["R03"][1]],
                                           (3, "其中亿元以上项目个数", "3", "其中亿元以上项目个数(3)超过开工项目个数(2)")),
    "R04 total ≥ 10000": ("R04", [dict(D["R04"][0], total_investment=9999), D["R04"][1]],
                          (3, "总投资(万元)", "9999", "总投资(9999)不能小于10000")),
    "completed ≥ started": ("R04", [dict(D["R04"][0], started_on=date(2020, 5, 1), completed_on=date(2020, 4, 1)),
                                    D["R04"][1]],
                            (3, "竣工投产日期", None, "竣工投产日期(2020-04-01)早于开工日期(2020-05-01)")),
    "R10 score ≤ the indicator's maximum": ("R10", [dict(D["R10"][0], score=3.5), D["R10"][1]],
                                            (3, "得分", "3.5", "得分(3.5)超过指标A1的满分(3)")),
    # the second row of 安阳县 for A1 (Excel row 5) is the one rejected; the first stands
    "a second R10 row": ("R10", [D["R10"][1], D["R10"][0], dict(D["R10"][0], score=1)],
                         (5, "指标", "A1", "同一县(市、区)的指标A1重复评分，只能有一行")),
    # 2003 lies before the calendar sbsk knows (2004–2026): never a guessed working day
    "a date outside the calendar": ("R09", [dict(D["R09"][0], accepted_on=date(2003, 6, 2)), D["R09"][1]],
                                    (3, "受理日期", None, "受理日期(2003-06-02)超出工作日历覆盖的年份（2004–2026年），无法计算工作日")),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_a_row_breaking_the_rule_is_rejected_alone(tmp_path, rule):
    code, rows, (row, column, value, message) = RULES[rule]
    v = _verdict(tmp_path, code, rows)
    assert (v["status"], v["rows_read"], v["rows_loaded"], v["rows_rejected"]) == ("loaded", len(rows), len(rows) - 1, 1)
    (err,) = v["errors"]
    assert (err["row_number"], err["column_name"]) == (row, column), err
    if value is not None:
        assert err["value"] == value, err
    assert err["message"].endswith(message), err["message"]


def test_the_rows_that_keep_the_rules_load(tmp_path):
    """The same returns with none of the breaks: everything loads (the rules do not reject good rows)."""
    for code in ("R01", "R03", "R04", "R09", "R10"):
        v = _verdict(tmp_path / code, code, D[code])
        assert (v["status"], v["rows_rejected"], v["rows_loaded"]) == ("loaded", 0, 9), (code, v["errors"])


# the departments' Chinese names (returns.toml), as clerks name their folders
FOLDERS = {"fgw": "市发展改革委", "czj": "财政局", "tjj": "市统计局", "swj": "商务局", "zwfw": "大数据局",
           "zdxmb": "市政府重点项目办"}


def test_flags_on_other_returns_and_chinese_department_folders(dirs):
    """Q2 then Q3, every department's folder named in Chinese. Q3 raises, by hand:
    over_plan on R05 (林州 160 > 1.5 × 100), cumulative_decrease on R08 (安阳 50 in Q2, 40 in Q3),
    duplicate_project on R01 (one code under 汤阴 and 滑县), total_mismatch on R07 (a 合计 10 % off)."""
    raw, out = dirs
    q2 = baseline(day=date(2020, 5, 10))
    write_quarter(raw, "2020Q2", q2)
    assert evaluate(raw, out, "2020Q2")["status"] == "done"
    q3 = baseline()
    q3["R05"][0]["ytd_completed"] = 160
    q3["R08"][1]["ytd_completed"] = 40
    code = "2020-410523-47-03-000777"
    q3["R01"][2]["project_code"] = q3["R01"][3]["project_code"] = code
    r07 = q3.pop("R07")
    write_quarter(raw, "2020Q3", q3)
    write_messy(raw / "2020Q3" / "czj" / "R07-special_bonds.xlsx", "R07", r07, {"totals"}, total_error=0.1)
    for dept, name in FOLDERS.items():
        shutil.move(raw / "2020Q3" / dept, raw / "2020Q3" / name)
    res = evaluate(raw, out, "2020Q3")
    assert res["status"] == "done", (res["missing"], [r.file_message for r in res["results"] if r.file_message])
    departments = query(out, "select distinct department from source_files where quarter = '2020Q3' order by 1")
    assert departments == [(d,) for d in sorted(FOLDERS)]
    flags = query(out, "select return_code, flag, unit_code from data_flags where quarter = '2020Q3' "
                       "and flag in ('over_plan', 'cumulative_decrease', 'duplicate_project', 'total_mismatch') "
                       "order by 1, 2, 3")
    assert flags == sorted([("R01", "duplicate_project", CODE["汤阴县"]), ("R01", "duplicate_project", CODE["滑县"]),
                            ("R05", "over_plan", CODE["林州市"]), ("R07", "total_mismatch", None),
                            ("R08", "cumulative_decrease", CODE["安阳县"])], key=lambda f: (f[0], f[1], f[2] or ""))
