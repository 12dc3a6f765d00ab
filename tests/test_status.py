"""`sbsk status`: each quarter is done, provisional, failed (why), missing, or stale."""

from __future__ import annotations

import json
import subprocess
import sys

from builders import baseline, reference_set, write_quarter
from conftest import evaluate
from sbsk.schemas import load_returns
from sbsk import pipeline
from sbsk.outputs.status import year_status


def test_every_state(dirs):
    raw, out = dirs
    write_quarter(raw, "2020Q1", baseline())
    evaluate(raw, out, "2020Q1")                                   # done
    q2 = baseline()
    del q2["R07"]
    write_quarter(raw, "2020Q2", q2)
    evaluate(raw, out, "2020Q2", continue_on_missing=True)         # provisional
    write_quarter(raw, "2020Q3", baseline())
    evaluate(raw, out, "2020Q3")
    write_quarter(raw, "2020Q3", {"R06": baseline()["R06"][:3]})   # a correction arrived since: stale
    pipeline.record_failure(out, load_returns(), "quarter", "2020Q4", 2020, "r4", pipeline.now(),
                            "缺少报表：R01", "2020.1")                # failed, nothing published
    status = year_status(raw, out, 2020)
    states = {q["quarter"]: (q["state"], q["detail"]) for q in status["quarters"]}
    assert states["2020Q1"][0] == "done" and "来自 11 个文件" in states["2020Q1"][1]
    assert states["2020Q2"][0] == "provisional"
    assert states["2020Q3"] == ("stale", "输入已变化（2020Q3/fgw/R06-central_budget.xlsx 内容已改），请重新运行")
    assert states["2020Q4"] == ("failed", "失败：缺少报表：R01")
    assert status["annual"] == "missing"
    # SPEC §12: each quarter's due date (2020Q3 after National Day, 2020Q4 after New Year's Day 2021)
    assert [q["due_on"] for q in status["quarters"]] == ["2020-04-08", "2020-07-07", "2020-10-14", "2021-01-08"]
    files = next(q["files"] for q in status["quarters"] if q["quarter"] == "2020Q1")
    assert len(files) == 11 and files[0] == "2020Q1/czj/R07-special_bonds.xlsx"


def test_missing_says_whether_files_are_waiting(dirs):
    raw, out = dirs
    write_quarter(raw, "2021Q1", baseline())
    status = year_status(raw, out, 2021)
    assert status["quarters"][0]["state"] == "missing" and "待处理文件 11 个" in status["quarters"][0]["detail"]
    # due by the 5th working day after 2021-06-30 (Wed): 07-01, 07-02, 07-05, 07-06, 07-07
    assert status["quarters"][1] == {"quarter": "2021Q2", "state": "missing", "detail": "未运行，尚无报表文件",
                                     "finished_at": None, "files": [], "due_on": "2021-07-07"}


def _status(*args) -> dict:
    done = subprocess.run([sys.executable, "-m", "sbsk.cli", "status", *args, "--json"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_status_takes_the_due_days_of_the_reference_set_it_is_given(dirs, tmp_path):
    """A reference set whose rubric wants a quarter's returns by the 6th working day (the shipped one:
    the 5th): `sbsk status` of the year and of a quarter say its due dates with --reference, the
    shipped ones without."""
    raw, out = dirs
    ref = reference_set(tmp_path / "ref", "unit_code,unit_name,unit_group,valid_from,valid_to,aliases\n"
                                          "990100,甲市,city,2020,,\n", "unit_group,label,sort_order\ncity,省辖市,1\n",
                        rubric={"due_working_day = 5": "due_working_day = 6"})
    where = ["--raw-dir", str(raw), "--out-dir", str(out)]
    # the 6th working day after 03-31 (Qingming 04-04 … 04-06): 04-01, 02, 03, 07, 08, 09; after 06-30:
    # 07-01, 02, 03, 06, 07, 08; after 09-30 (National Day to 10-08): 10-09, Sat 10-10, 12, 13, 14, 15;
    # after 12-31 (New Year's Day 2021-01-01 … 03): 01-04, 05, 06, 07, 08, 11
    year = _status("2020", *where, "--reference", str(ref))
    assert [q["due_on"] for q in year["quarters"]] == ["2020-04-09", "2020-07-08", "2020-10-15", "2021-01-11"]
    assert [q["due_on"] for q in _status("2020", *where)["quarters"]] == \
        ["2020-04-08", "2020-07-07", "2020-10-14", "2021-01-08"]
    # no rubric of the set governs 2021: its newest one (2020's) still says when returns are due, the 6th
    # working day after 2021-06-30 (07-01, 02, 05, 06, 07, 08)
    assert _status("2021", *where, "--reference", str(ref))["quarters"][1]["due_on"] == "2021-07-08"
    quarter = _status("2020Q3", *where, "--reference", str(ref))
    assert (quarter["due_on"], quarter["due_working_day"]) == ("2020-10-15", 6)
    quarter = _status("2020Q3", *where)
    assert (quarter["due_on"], quarter["due_working_day"]) == ("2020-10-14", 5)
