"""The §3 row rules besides paid ≤ allocated, the §4 data flags on returns other than R04, the
departments' Chinese folder names, and a date outside the working-day calendar (SPEC §2–§4).
Each bad row is rejected alone (file, row, column, value, a Chinese message); the good rows beside it
load. Expected messages are written out by hand."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from builders import UNITS, baseline, write_quarter
from conftest import evaluate, query
from sbsk.intake import validate
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


# R06's typed frame spoilt after parsing, as a bug in parsing would leave it, so that Pandera fails what no
# row carries: the column's dtype (Float64 for an amount) once, its cells one by one, a column gone, one
# the return does not have, the reader's Excel row numbers (int64) as floats. R06's columns are
# A 县(市、区), B 项目名称, C 下达文号, D 下达中央预算内资金(万元), E 已支付资金(万元).
SPOILT = {
    "an amount column held as int64": (lambda t: t.assign(paid=t["paid"].astype("int64")),
                                       "E列「已支付资金(万元)」读取后不是金额(万元)的数据"),
    "an amount column holding words": (lambda t: t.assign(paid=pd.Series(["五十"] * len(t), dtype=object)),
                                       "E列「已支付资金(万元)」读取后不是金额(万元)的数据"),
    "a column gone": (lambda t: t.drop(columns=["allocation_doc"]), "C列「下达文号」读取结果中没有此列"),
    "a column too many": (lambda t: t.assign(extra=1), "「extra」读取结果中多出此列（报表定义中没有）"),
    "the row numbers as floats": (lambda t: t.assign(_row=t["_row"].astype(float)), "「行号」读取后不是整数的数据"),
}


@pytest.mark.parametrize("case", sorted(SPOILT))
def test_a_file_pandera_fails_as_a_whole_is_rejected_whole_and_nothing_of_it_loaded(dirs, monkeypatch, case):
    """Those failures have no row (or no check of ours) to hang a rejection on: the file is rejected whole
    with one message naming the file, sheet and column, never loaded on the rows that seemed to pass."""
    spoil, column = SPOILT[case]
    parse = validate.parse_table

    def spoilt(data, ret, *args):
        typed, errors = parse(data, ret, *args)
        return (spoil(typed) if ret.code == "R06" else typed), errors

    monkeypatch.setattr(validate, "parse_table", spoilt)
    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline())
    res = evaluate(raw, out, "2020Q3", continue_on_missing=True)
    assert (res["status"], res["missing"]) == ("provisional", ["R06"])   # the other ten returns are scored
    r06 = next(r for r in res["results"] if r.return_code == "R06")
    assert (r06.status, r06.rows_read, r06.rows_loaded, r06.rows_rejected) == ("rejected", 9, 0, 9)
    assert [e["message"] for e in r06.rejections] == [
        f"2020Q3/fgw/R06-central_budget.xlsx：工作表「Sheet1」{column}。系统无法逐行校验此文件，整表退回，"
        f"所有数据均未入库；这通常不是填报错误，请将文件转交专班办公室核查"]
    assert query(out, "select count(*) from stg_central_budget where quarter = '2020Q3'") == [(0,)]
    assert query(out, "select count(*) from stg_special_bonds where quarter = '2020Q3'") == [(9,)]


def test_a_failure_of_a_kind_pandera_may_yet_add_still_rejects_the_file():
    """A failure case that is none of the kinds above still names its column (no silent drop); where a
    column fails several ways, its most basic reason is said (its dtype, not the checks that then raised)."""
    from sbsk.intake.unrowed import unrowed_failures
    from sbsk.schemas import load_returns

    cases = pd.DataFrame([("R06", "paid|min", "TypeError('x')"), ("paid", "dtype('Float64')", "object"),  # the check
                          ("allocated", "dtype('Float64')", "object"), ("R06", "allocated|min_exclusive", "TypeError"),
                          ("project_name", "novel", "?")],  # first or last: the dtype is the reason either way
                         columns=["column", "check", "failure_case"]).assign(index=None)
    assert unrowed_failures(cases, load_returns().returns["R06"]) == {
        "paid": "读取后不是金额(万元)的数据", "allocated": "读取后不是金额(万元)的数据", "project_name": "未通过校验 novel"}
