"""What an operator sees in the Prefect UI: run names, the quarter as a tag, and a failed run's state
message that says in Chinese why and what to do (flows/run_state.py).

The flows run in one child process on the suite's Prefect server (tests/test_faults.py), and the
names, tags and state messages are read back from that server's API — what the UI and a notification
show. Other tests' runs are on that server too: each run is read by its id, its subflows as its
children, and the automation and its block are removed when the child is done.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from builders import baseline, write_quarter
from sbsk.outputs.return_writer import write_plain
from sbsk.schemas import load_returns
from test_faults import server  # noqa: F401  (the process's Prefect server, a fixture)

pytestmark = pytest.mark.flow
AUTOMATION = Path(__file__).resolve().parents[1] / "docs" / "prefect-notify-on-failure.yaml"

DRIVER = r"""
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
raw, out, automation = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
from sbsk.runtime import configure_prefect
configure_prefect(out)
import yaml
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId
from prefect.events.schemas.automations import AutomationCore
from sbsk.flows.annual import annual_composite
from sbsk.flows.quarter import score_quarter
from sbsk.flows.quarter_end import quarter_end
from sbsk.flows.run_state import outcome_of

# the notification receiver, on loopback: what a group-chat webhook would get
received = []
class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
hook = HTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=hook.serve_forever, daemon=True).start()
block_id = CustomWebhookNotificationBlock(name="sbsk-oncall", url=f"http://127.0.0.1:{hook.server_port}/hook",
                                          json_data={"subject": "{{subject}}", "body": "{{body}}"}).save("sbsk-oncall")
spec = yaml.safe_load(automation.read_text(encoding="utf-8"))
spec["actions"][0]["block_document_id"] = str(block_id)
with get_client(sync_client=True) as client:
    automation_id = client.create_automation(AutomationCore.model_validate(spec))

def seen(state):
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
        parent = FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run.id]))
        children = [{"name": r.name, "tags": sorted(r.tags)} for r in client.read_flow_runs(flow_run_filter=parent)]
    return {"type": run.state.type.value, "message": run.state.message, "name": run.name, "tags": sorted(run.tags),
            "outcome": outcome_of(state), "subflows": sorted(children, key=lambda r: r["name"])}

def graph(state):
    # {task run: {parameter: [the task runs it came from]}} of the score-<quarter> run under a scheduled
    # run: the graph the UI draws. combine's generated suffix is left off its name.
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterFlowRunId
    with get_client(sync_client=True) as client:
        parent = FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[state.state_details.flow_run_id]))
        [child] = [r for r in client.read_flow_runs(flow_run_filter=parent) if r.name.startswith("score-")]
        runs = client.read_task_runs(task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[child.id])))
    name = {r.id: ("combine" if r.name.startswith("combine_files") else r.name) for r in runs}
    return {name[r.id]: {k: sorted(name[i.id] for i in v) for k, v in r.task_inputs.items() if v} for r in runs}

report = {
    "missing": seen(quarter_end("2020Q1", str(raw), str(out), return_state=True)),
    "provisional": seen(score_quarter("2020Q1", str(raw), str(out), continue_on_missing=True, return_state=True)),
    "rejected": seen(score_quarter("2020Q2", str(raw), str(out), return_state=True)),
    "no_year": seen(annual_composite(2019, str(out), return_state=True)),
    "scheduled": seen(scheduled := quarter_end("2020Q3", str(raw), str(out), return_state=True)),
}
report["graph"] = graph(scheduled)
deadline = time.monotonic() + 60
while not received and time.monotonic() < deadline:
    time.sleep(0.5)
time.sleep(2)  # room for a notification that should not come
report["notifications"] = received
with get_client(sync_client=True) as client:  # the server is shared: no notification for a later test's run
    client.delete_automation(automation_id)
    client.delete_block_document(block_id)
print(json.dumps(report, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory, server) -> dict:
    root = tmp_path_factory.mktemp("runstate")
    raw, out = root / "raw", root / "out"
    defs = load_returns()
    # 2020Q1: R07 sent by fgw instead of czj (rejected whole), R11 not sent at all
    q1 = baseline(day=date(2020, 2, 10))
    r07, _ = q1.pop("R07"), q1.pop("R11")
    write_quarter(raw, "2020Q1", q1)
    write_plain(raw / "2020Q1" / "fgw" / "R07-special_bonds.xlsx", defs.returns["R07"], r07)
    # 2020Q2: every return, and a stray workbook that is no return at all (rejected whole)
    write_quarter(raw, "2020Q2", baseline(day=date(2020, 5, 10)))
    stray = raw / "2020Q2" / "tjj" / "说明.xlsx"
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["本季度情况说明"])
    wb.save(stray)
    # 2020Q3: a clean quarter, run as the scheduler runs it
    write_quarter(raw, "2020Q3", baseline())
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(raw), str(out), str(AUTOMATION)], env=server,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    report["dirs"] = f"--raw-dir {raw} --out-dir {out}"
    return report


def test_missing_returns_fail_the_run_saying_what_to_do(runs):
    run = runs["missing"]  # the scheduled flow, whose state carries its quarter's message
    assert run["type"] == "FAILED"
    assert (run["name"], run["tags"]) == ("quarter-end-2020Q1", ["2020Q1"])
    assert {"name": "score-2020Q1", "tags": ["2020Q1"]} in run["subflows"]
    message = run["message"]
    assert message.startswith("2020Q1考评未完成，没有计分：缺少报表 ")
    # the rejected file: which return, who sends it, the file and why
    assert ("R07「地方政府专项债券项目」（市财政局报送，目录 czj/）的文件被整表退回：2020Q1/fgw/R07-special_bonds.xlsx："
            "R07「地方政府专项债券项目」由市财政局负责报送，市发展改革委无权报送此表") in message
    assert "R11「政策措施文件」（市政府重点项目办报送，目录 zdxmb/）未报送" in message
    # what to do next
    assert "validation-2020Q1.xlsx" in message
    assert f"再运行 sbsk run 2020Q1 {runs['dirs']}；" in message  # with the folders this run used
    assert message.endswith(f"运行 sbsk run 2020Q1 {runs['dirs']} --continue-on-missing。")
    assert run["outcome"]["exit_code"] == 1 and run["outcome"]["missing"] == ["R07", "R11"]


def test_the_ui_draws_each_step_from_the_steps_that_gave_its_inputs(runs):
    """flows/steps.py: Prefect links a task run to the runs whose values it was given, and, walking into
    every argument, also to runs whose values it found deep inside one (the return definitions inside
    each file's verdict linked them to all eleven ingest runs). The graph of a clean quarter is its
    data flow and nothing else: discover → archive; each file's ingest from discover's list; combine
    from the eleven verdicts; publish and report from combine; report and export from publish."""
    ingests = sorted(f"ingest-2020Q3/{d}/{f}.xlsx" for d, f in [
        ("fgw", "R01-project_reserve"), ("swj", "R02-investment_attraction"), ("zdxmb", "R03-groundbreaking_events"),
        ("tjj", "R04-major_projects"), ("zdxmb", "R05-key_project_investment"), ("fgw", "R06-central_budget"),
        ("czj", "R07-special_bonds"), ("fgw", "R08-program_982"), ("zwfw", "R09-joint_approvals"),
        ("zdxmb", "R10-assessor_scores"), ("zdxmb", "R11-policy_documents")])
    assert runs["graph"] == {
        "discover-2020Q3": {},
        "archive-2020Q3": {"sources": ["discover-2020Q3"]},
        **{name: {"source": ["discover-2020Q3"]} for name in ingests},
        "combine": {"results": ingests},
        "publish-2020Q3": {"results": ["combine"], "missing": ["combine"]},
        "report-2020Q3": {"results": ["combine"], "status": ["publish-2020Q3"], "draft": ["publish-2020Q3"]},
        "parquet-2020Q3": {"status": ["publish-2020Q3"]},
    }


def test_a_provisional_quarter_still_fails_the_run(runs):
    run = runs["provisional"]
    assert (run["type"], run["name"], run["tags"]) == ("FAILED", "score-2020Q1", ["2020Q1"])
    assert run["message"].startswith("2020Q1已按暂定结果计分，缺少报表 R07「地方政府专项债券项目」（市财政局报送，目录 czj/）"
                                     "的文件被整表退回：")
    assert run["message"].endswith(f"相关指标计0分。补报后重新运行 sbsk run 2020Q1 {runs['dirs']} 得到正式结果。")
    assert run["outcome"]["status"] == "provisional"


def test_a_file_rejected_whole_fails_a_scored_quarter(runs):
    run = runs["rejected"]
    assert run["type"] == "FAILED"
    assert (run["name"], run["tags"]) == ("score-2020Q2", ["2020Q2"])
    message = run["message"]
    assert message.startswith("2020Q2有1个文件被整表退回（其余文件已计分）：2020Q2/tjj/说明.xlsx：")
    assert "请把校验报告" in message and "validation-2020Q2.xlsx" in message
    assert message.endswith(f"发给报送部门，修改后重新报送，再运行 sbsk run 2020Q2 {runs['dirs']}。")
    assert run["outcome"]["status"] == "done" and run["outcome"]["exit_code"] == 1


def test_annual_without_quarters_fails_in_chinese(runs):
    run = runs["no_year"]
    assert (run["type"], run["name"], run["tags"]) == ("FAILED", "annual-2019", ["2019"])
    assert run["message"] == "2019年度结果未计算：2019年没有已计分的季度，请先运行 sbsk run 2019Q1 …。"


def test_the_scheduled_run_is_named_and_tagged_by_its_quarter(runs):
    run = runs["scheduled"]
    assert (run["type"], run["name"], run["tags"]) == ("COMPLETED", "quarter-end-2020Q3", ["2020Q3"])
    assert run["message"] == "2020Q3考评完成（正式），结果已发布。"
    assert {"name": "score-2020Q3", "tags": ["2020Q3"]} in run["subflows"]


def test_the_automation_in_docs_notifies_a_failed_scheduled_run(runs):
    """docs/prefect-notify-on-failure.yaml on the server: one notification, for the failed quarter-end run
    only (the score-quarter and annual runs that failed are not the scheduler's), with its message."""
    assert len(runs["notifications"]) == 1, runs["notifications"]
    (note,) = runs["notifications"]
    assert note["subject"] == "四比四看考评失败：quarter-end-2020Q1"
    assert note["body"].startswith("运行：quarter-end-2020Q1（标签：2020Q1）\n状态：Failed\n原因和处理办法：")
    assert runs["missing"]["message"] in note["body"]
