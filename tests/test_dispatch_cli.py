"""`sbsk dispatch` (SPEC §9): bad input refused with a Chinese message and exit 2, nothing stored
lost; and the real flow, with its run name and its workbook."""

from __future__ import annotations

import hashlib

import pytest

from builders import baseline, write_quarter
from conftest import evaluate, query
from sbsk import cli


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("argv, says", [
    (["dispatch", "2020Q3"], "「2020Q3」是季度，不是月份（月份写作 YYYY-MM，如 2020-09）；季度考评请运行 sbsk run 2020Q3"),
    (["run", "2020-07"], "「2020-07」是月份，不是季度（季度写作 YYYYQn，如 2020Q3）；月调度请运行 sbsk dispatch 2020-07"),
    (["dispatch", "2031-07"], "「2031-07」不在工作日历覆盖的年份内"),
    (["dispatch", "2003-12"], "「2003-12」不在工作日历覆盖的年份内"),
    (["dispatch", "2020-13"], "「2020-13」不是月份：月份写作 YYYY-MM，如 2020-07"),
    (["templates", "2020-07"], "「2020-07」是月份，不是季度"),
])
def test_a_period_of_the_wrong_kind_or_outside_the_calendar(argv, says, dirs, capsys):
    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline())
    evaluate(raw, out, "2020Q3")
    before = _digest(out / "sbsk.duckdb")
    with pytest.raises(SystemExit) as stop:
        cli.main([*argv, "--raw-dir", str(raw), "--out-dir", str(out)])
    assert stop.value.code == 2
    assert says in capsys.readouterr().err
    assert _digest(out / "sbsk.duckdb") == before


def test_a_month_without_its_folder_is_refused_and_names_the_quarter_folder(dirs, capsys):
    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline())   # July's returns put in the quarter's folder by mistake
    evaluate(raw, out, "2020Q3")
    before = _digest(out / "sbsk.duckdb")
    assert cli.main(["dispatch", "2020-07", "--raw-dir", str(raw), "--out-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"未找到2020年7月的报表文件夹 {raw / '2020-07'}（{raw / '2020Q3'} 是季度的文件夹" in err
    assert "数据库未作任何改动" in err
    assert _digest(out / "sbsk.duckdb") == before
    assert query(out, "select count(*) from pipeline_runs where kind = 'dispatch'") == [(0,)]


@pytest.mark.flow
def test_the_dispatch_flow_names_its_run_and_writes_the_workbook(dirs):
    from openpyxl import load_workbook
    from prefect.client.orchestration import get_client

    from sbsk.runtime import configure_prefect

    raw, out = dirs
    write_quarter(raw, "2020-07", baseline())
    configure_prefect(out)
    from sbsk.flows.dispatch import dispatch_month
    from sbsk.flows.run_state import outcome_of

    state = dispatch_month("2020-07", str(raw), str(out), return_state=True)
    outcome = outcome_of(state)
    assert (outcome["status"], outcome["exit_code"]) == ("provisional", 0)
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name == "dispatch-2020-07"
    assert {"2020-07", "dispatch"} <= set(run.tags)
    book = out / "2020-07" / "dispatch-2020-07.xlsx"
    assert str(book) in outcome["outputs"] and (out / "2020-07" / "validation-2020-07.xlsx").is_file()
    assert load_workbook(book).sheetnames == ["排名", "预警清单", "进度对照"]
    assert "2020年7月月调度已按月末数据暂定计分并发布" in state.message
