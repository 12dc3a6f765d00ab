"""数据核查 flags (SPEC §4): raised, never rejecting, stored in data_flags with the row they concern."""

from __future__ import annotations

from datetime import date

from builders import baseline, write_quarter
from conftest import evaluate, query

FLAGS = "select unit_code, return_code, flag, row_number from data_flags where quarter = ? and flag = ? order by all"


def _r04(unit, code, ytd, plan=1000, nature="续建", started=date(2019, 5, 1)):
    return dict(unit=unit, project_name=f"项目{code[-2:]}", project_code=code, total_investment=20000, nature=nature,
                started_on=started, annual_plan=plan, ytd_completed=ytd)


def test_suspect_start_over_plan_and_duplicate_project(dirs):
    raw, out = dirs
    data = baseline()
    data["R04"] = [
        _r04("林州市", "2020-410581-47-03-000001", 0, nature="新开工", started=date(2020, 8, 1)),  # row 3: 开而未动
        _r04("林州市", "2020-410581-47-03-000002", 1600),                                          # row 4: 1600 > 1.5 × 1000
        _r04("林州市", "2020-410581-47-03-000003", 1500),                                          # row 5: exactly 1.5 ×: fine
        _r04("汤阴县", "2020-410581-47-03-000003", 10),                                            # row 6: same code, other unit
    ]
    write_quarter(raw, "2020Q3", data)
    result = evaluate(raw, out, "2020Q3")
    assert sum(r.rows_rejected for r in result["results"]) == 0  # flags never reject
    assert query(out, FLAGS, ["2020Q3", "suspect_start"]) == [("410581", "R04", "suspect_start", 3)]
    assert query(out, FLAGS, ["2020Q3", "over_plan"]) == [("410581", "R04", "over_plan", 4)]
    assert query(out, FLAGS, ["2020Q3", "duplicate_project"]) == [
        ("410523", "R04", "duplicate_project", 6), ("410581", "R04", "duplicate_project", 5)]


def test_cumulative_decrease_against_the_previous_quarter(dirs):
    raw, out = dirs
    for quarter, ytd, paid in (("2020Q2", 800, 60), ("2020Q3", 700, 60)):
        data = baseline()
        data["R04"] = [_r04("林州市", "2020-410581-47-03-000001", ytd)]
        data["R06"][0] = dict(unit="林州市", project_name="中央1", allocated=100, paid=paid)
        write_quarter(raw, quarter, data)
        evaluate(raw, out, quarter)
    assert query(out, FLAGS, ["2020Q2", "cumulative_decrease"]) == []
    # 700 < 800 last quarter; the central-budget payment did not go down, so it raises nothing
    assert query(out, FLAGS, ["2020Q3", "cumulative_decrease"]) == [("410581", "R04", "cumulative_decrease", 3)]
    detail = query(out, "select detail from data_flags where flag = 'cumulative_decrease'")[0][0]
    assert "700" in detail and "800" in detail
