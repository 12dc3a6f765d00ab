"""`sbsk dispatch` (SPEC §9): bad input refused with a Chinese message and exit 2, nothing stored
lost; and the real flow, with its run name and its workbook."""

from __future__ import annotations

import hashlib

import pytest

from builders import baseline, write_quarter
from conftest import evaluate, query
from sbsk import cli
from test_faults import server  # noqa: F401  (the process's Prefect server, a fixture)


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



def test_a_quarter_without_its_folder_but_with_its_months_is_refused(dirs, capsys):
    """The reverse: the quarter's returns put in a month's folder. Without the refusal every return
    would look missing (未报) and a failed run be recorded."""
    raw, out = dirs
    write_quarter(raw, "2020Q2", baseline())
    evaluate(raw, out, "2020Q2")
    write_quarter(raw, "2020-09", baseline())   # Q3's returns put in September's folder
    before = _digest(out / "sbsk.duckdb")
    assert cli.main(["run", "2020Q3", "--raw-dir", str(raw), "--out-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert (f"sbsk run: 未找到2020年第三季度的报表文件夹 {raw / '2020Q3'}（{raw / '2020-09'} 是月份的文件夹，"
            f"供月调度 sbsk dispatch 使用；季度考评的报表请放在 {raw / '2020Q3'}/<部门>/ 下）；数据库未作任何改动") in err
    assert _digest(out / "sbsk.duckdb") == before
    assert query(out, "select count(*) from pipeline_runs where quarter = '2020Q3'") == [(0,)]
    # nothing to point at: the run goes on (and finds its returns missing), as before
    from sbsk.config.periods import Quarter
    from sbsk.pipeline import quarter_folder_problem

    assert quarter_folder_problem(raw, Quarter(2020, 4)) is None     # no folder, no month of Q4 either
    (raw / "2020Q3").mkdir()
    assert quarter_folder_problem(raw, Quarter(2020, 3)) is None     # its own folder is there


def test_the_scheduled_quarter_end_refuses_a_quarter_left_in_month_folders(dirs):
    """The deployment's flow (flows/quarter_end.py) refuses as `sbsk run` does, before anything runs:
    the run ends Failed with the same message, exit code 2, and no database is written."""
    from sbsk.flows.quarter_end import quarter_end

    raw, out = dirs
    write_quarter(raw, "2020-09", baseline())
    state = quarter_end.fn("2020Q3", str(raw), str(out))
    assert state.is_failed()
    said = (f"未找到2020年第三季度的报表文件夹 {raw / '2020Q3'}（{raw / '2020-09'} 是月份的文件夹，"
            f"供月调度 sbsk dispatch 使用；季度考评的报表请放在 {raw / '2020Q3'}/<部门>/ 下）；数据库未作任何改动")
    assert state.message == said
    outcome = state.result(raise_on_failure=False)
    assert (outcome["quarter"], outcome["status"], outcome["exit_code"], outcome["message"]) == \
        ("2020Q3", "failed", 2, said)
    assert not (out / "sbsk.duckdb").exists()


DRIVER = r"""
import json, sys
from pathlib import Path
raw, out = Path(sys.argv[1]), Path(sys.argv[2])
from sbsk.runtime import configure_prefect
configure_prefect(out)
from prefect.client.orchestration import get_client
from sbsk.flows.dispatch import dispatch_month
from sbsk.flows.month_end import month_end
from sbsk.flows.run_state import outcome_of

def seen(state):
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    return {"type": run.state.type.value, "message": run.state.message, "name": run.name, "tags": sorted(run.tags),
            "outcome": outcome_of(state)}

print(json.dumps({"dispatch": seen(dispatch_month("2020-07", str(raw), str(out), return_state=True)),
                  "scheduled": seen(month_end("2020-08", str(raw), str(out), return_state=True)),
                  "no_folder": seen(month_end("2020-09", str(raw), str(out), return_state=True))},
                 ensure_ascii=False))
"""


@pytest.mark.flow
def test_the_dispatch_flows_name_their_runs_and_write_the_workbook(dirs, server):
    """The flows in a child process on the suite's Prefect server, each run read back from its API by its id."""
    import json
    import subprocess
    import sys

    from openpyxl import load_workbook

    raw, out = dirs
    write_quarter(raw, "2020-07", baseline())
    august = baseline()
    del august["R07"]                          # the finance bureau has not sent August's return
    write_quarter(raw, "2020-08", august)
    done = subprocess.run([sys.executable, "-c", DRIVER, str(raw), str(out)], env=server, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(done.stdout.strip().splitlines()[-1])
    july = runs["dispatch"]
    assert (july["name"], july["type"], july["outcome"]["status"]) == ("dispatch-2020-07", "COMPLETED", "provisional")
    assert {"2020-07", "dispatch"} <= set(july["tags"])
    assert july["message"].startswith("2020年7月月调度已按月末数据暂定计分并发布")
    book = out / "2020-07" / "dispatch-2020-07.xlsx"
    assert str(book) in july["outcome"]["outputs"] and (out / "2020-07" / "validation-2020-07.xlsx").is_file()
    assert load_workbook(book).sheetnames == ["排名", "预警清单", "进度对照"]
    # the scheduled flow: August is published although R07 is missing, and the run fails so it is seen
    august_run = runs["scheduled"]
    assert (august_run["name"], august_run["type"]) == ("month-end-2020-08", "FAILED")
    assert "缺报 R07「地方政府专项债券项目」（市财政局），相关指标计0分；补报后重新运行 sbsk dispatch 2020-08" in \
        august_run["message"]
    assert query(out, "select count(*) from dispatch_results where month = '2020-08'") == [(9,)]
    # no folder for September: the run fails saying so, and nothing is stored
    nothing = runs["no_folder"]
    assert nothing["type"] == "FAILED" and "未找到2020年9月的报表文件夹" in nothing["message"]
    assert query(out, "select distinct month from dispatch_results order by 1") == [("2020-07",), ("2020-08",)]
