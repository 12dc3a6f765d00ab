"""What an operator sees of a run in the Prefect UI or a notification: a readable name, the quarter
(or year) as a tag, and a final state whose message says in Chinese what happened and what to do.

A quarter that lacks a return, or in which a file was rejected whole, ends Failed (the scheduler and
any automation on failure must notice: SPEC §8); the message names each return and file, why, who
sends it and the command to run next. The outcome dict the CLI reads travels as the state's data;
callers run the flows with return_state=True and take it back with outcome_of().
"""

from __future__ import annotations

from pathlib import Path

from prefect.client.schemas.objects import State
from prefect.states import Completed, Failed

from sbsk.schemas import load_returns

MAX_FILES = 5  # a notification stays readable: the validation report has the rest


def tag_current_run(*tags: str) -> None:
    """Add tags to the flow run in progress (its quarter is known only once it runs)."""
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    if ctx is None or ctx.flow_run is None:
        return
    merged = sorted(set(ctx.flow_run.tags) | set(tags))
    with get_client(sync_client=True) as client:
        client.update_flow_run(ctx.flow_run.id, tags=merged)
    ctx.flow_run.tags = merged


def _who(code: str) -> str:
    defs = load_returns()
    ret = defs.returns[code]
    return f"{code}「{ret.title}」（{defs.departments[ret.owner].name}报送，目录 {ret.owner}/）"


def _listed(items: list[str]) -> str:
    shown = "；".join(items[:MAX_FILES])
    return shown + (f"；等共{len(items)}个" if len(items) > MAX_FILES else "")


def _rerun(q: str, raw_dir: Path, out_dir: Path) -> str:
    """The command that runs the quarter again, with the folders this run used."""
    folders = [f"--{name} {path}" for name, path, default in (("raw-dir", raw_dir, "data/raw"),
                                                               ("out-dir", out_dir, "data/out"))
               if Path(path) != Path(default)]
    return " ".join([f"sbsk run {q}", *folders])


def quarter_message(outcome: dict, results, raw_dir: Path, out_dir: Path) -> str:
    """The operator's summary of a quarter run, in Chinese."""
    q, status, missing = outcome["quarter"], outcome["status"], outcome["missing"]
    rejected = [r for r in results if r.status == "rejected"]
    report = Path(out_dir) / q / f"validation-{q}.xlsx"
    rerun = _rerun(q, raw_dir, out_dir)
    parts = []
    if missing:
        lacking = []
        for code in missing:
            files = [r.file_message for r in rejected if r.return_code == code]
            lacking.append(f"{_who(code)}的文件被整表退回：{_listed(files)}" if files else f"{_who(code)}未报送")
        lacking_text = "；".join(lacking)
        if status == "failed":
            parts.append(f"{q}考评未完成，没有计分：缺少报表 {lacking_text}。请通知报送部门补报或按校验报告 {report} 修改后"
                         f"重新报送，再运行 {rerun}；如需先按已收到的报表出暂定结果，运行 "
                         f"{rerun} --continue-on-missing")
        else:
            parts.append(f"{q}已按暂定结果计分，缺少报表 {lacking_text}，相关指标计0分。补报后重新运行 {rerun} "
                         f"得到正式结果")
    others = [r.file_message for r in rejected if r.return_code not in missing]
    if others:
        parts.append(f"{q}有{len(others)}个文件被整表退回（其余文件已计分）：{_listed(others)}。请把校验报告 {report} "
                     f"发给报送部门，修改后重新报送，再运行 {rerun}")
    if not parts and outcome.get("draft"):  # a published quarter: this run only drafted
        parts.append(f"{outcome['draft'][0]}；{outcome['draft'][1].removeprefix(q + ' ')}；"
                     f"确认后用 sbsk publish {q} --by 姓名 --reason 原因 发布更正")
    if not parts:
        label = "正式" if status == "done" else status
        parts.append(f"{q}考评完成（{label}），结果已发布")
    return "。".join(parts) + "。"


def finish(outcome: dict, message: str) -> State:
    """Failed when the run must be looked at (exit code 1), else Completed; the outcome is its data."""
    return (Failed if outcome["exit_code"] else Completed)(message=message, data=outcome)


def outcome_of(state: State) -> dict:
    """The outcome dict of a flow run called with return_state=True; an exception it raised is raised."""
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    return result
