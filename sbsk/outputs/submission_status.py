"""`sbsk status PERIOD`: each department × return it owes for a quarter or a month, with its state
(未报 / 已报 / 整表退回 / 部分退回 / 已入库), receipt time and working days late (SPEC §12).

It reads the raw folder as it is now and the verdicts the latest run of the period stored
(`submission_files`), without the writer lock: a content that run evaluated in that department's
folder keeps its verdict; anything else is 已报, not yet evaluated. Which return an unevaluated file
is can only be known by reading it, so status attributes it by what it can see without reading
(the path a stored file had, the only return its department owns, or the return's code, table or
title in the file name) and otherwise lists it as not yet identified: the next run decides.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from datetime import date
from pathlib import Path

import duckdb

from sbsk.config.deadlines import due_on, due_working_day
from sbsk.config.periods import Period
from sbsk.config.rubric_years import rubric_in_force
from sbsk.config.workdays import CalendarError
from sbsk.intake.discover import SourceFile, discover
from sbsk.intake.receipts import beijing_now, observe
from sbsk.intake.submissions import FileView, Submission, attributed, build_submissions, returns_owed
from sbsk.schemas import load_returns
from sbsk.schemas.definitions import Definitions
from sbsk.store.warehouse import DB_NAME
from sbsk.text import printable

FILE_STATES = {"loaded": "已入库", "rejected": "整表退回", None: "已报"}


def stored_verdicts(out_dir: Path, period: str) -> list[dict]:
    """The files the latest run of the period found, with their verdicts (none if never run)."""
    db = Path(out_dir) / DB_NAME
    if not db.exists():
        return []
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("select path, sha256, department, return_code, status, rows_rejected "
                          "from submission_files where period = ?", [period])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    except duckdb.CatalogException:
        return []  # a warehouse from before submissions were recorded
    finally:
        con.close()


def file_views(sources: list[SourceFile], stored: list[dict], receipts: dict, defs: Definitions) -> list[FileView]:
    verdicts = {(v["sha256"], v["department"]): v for v in stored}
    by_path = {v["path"]: v["return_code"] for v in stored}
    views = []
    for s in sources:
        v = verdicts.get((s.sha256, s.department))
        received = receipts[s.sha256].received_at
        view = (FileView(s.rel, s.sha256, s.department, v["return_code"], v["status"], v["rows_rejected"], received)
                if v else FileView(s.rel, s.sha256, s.department, None, None, 0, received))
        views.append(attributed(view, defs, by_path))
    return views


def period_status(raw_dir: Path, out_dir: Path, period: Period, today: date | None = None,
                  reference_dir: Path | None = None) -> dict:
    """`reference_dir`: the reference set (--reference DIR) whose rubric gives the due date and the returns owed."""
    defs, rubric = load_returns(), rubric_in_force(period.year, reference_dir)
    sources = discover(Path(raw_dir), str(period), defs)
    receipts = observe(out_dir, str(period), sources, "status")
    views = file_views(sources, stored_verdicts(out_dir, str(period)), receipts, defs)
    note = None
    try:
        due = due_on(period, rubric)
    except CalendarError as exc:
        due, note = None, f"报送截止日无法确定：{exc}"
    today = today or beijing_now().date()
    owed = returns_owed(period, defs, rubric)
    subs = build_submissions(period, owed, views, due, today)
    placed = {f.rel for s in subs for f in s.files}
    return {
        "period": str(period), "kind": period.kind, "due_on": due.isoformat() if due else None,
        "due_working_day": due_working_day(period, rubric), "today": today.isoformat(), "note": note,
        "submissions": [_submission_dict(s, defs) for s in subs],
        "other_files": [_other_dict(f, defs) for f in views if f.rel not in placed],
    }


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def _submission_dict(s: Submission, defs: Definitions) -> dict:
    return {"department": s.department, "department_name": defs.departments[s.department].name,
            "return_code": s.return_code, "return_title": defs.returns[s.return_code].title, "state": s.state,
            "received_at": _when(s.received_at), "due_on": s.due_on.isoformat() if s.due_on else None,
            "working_days_late": s.working_days_late, "rows_rejected": s.rows_rejected,
            "files": [f.rel for f in s.files]}


def _other_dict(f: FileView, defs: Definitions) -> dict:
    """A file that is no owed return of its folder's department: unidentified, another's, or in no folder."""
    if f.status is None and f.return_code is None:
        why = "尚未识别（运行后确定是哪张报表）"
    elif f.status is None:
        why = "尚未校验"
    elif f.return_code is None:
        why = "未能识别为任何报表"
    elif f.department is None:
        why = "不在任何部门的目录下"
    elif f.return_code in defs.peer and f.department == defs.peer[f.return_code].owner:
        # R13 全省对标数据 is sent when the province publishes, for the forecast: never owed (SPEC §10)
        why = f"{f.return_code}「{defs.peer[f.return_code].title}」供全省排名预判（sbsk forecast），不计入应报报表"
    elif f.return_code in defs.all_returns:
        why = f"{f.return_code}「{defs.all_returns[f.return_code].title}」不由本部门报送"
    else:
        why = f"{f.return_code} 不是本期的报表"
    return {"path": f.rel, "department": f.department, "return_code": f.return_code,
            "state": FILE_STATES[f.status], "received_at": _when(f.received_at), "detail": why}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def status_text(status: dict) -> str:
    subs = status["submissions"]
    counts = {s: sum(1 for x in subs if x["state"] == s) for s in ("未报", "已报", "整表退回", "部分退回", "已入库")}
    kind = "季末" if status["kind"] == "quarter" else "月末"
    due = (f"截止 {status['due_on']}（{kind}后第{status['due_working_day']}个工作日）" if status["due_on"]
           else status["note"])
    summary = "，".join(f"{k} {v}" for k, v in counts.items() if v)
    lines = [f"{status['period']} 报送情况：{due}；共 {len(subs)} 张报表：{summary}（今天 {status['today']}）"]
    head = ["部门", "报表", "状态", "收到时间（北京时间）", "逾期工作日", "退回行数"]
    widths = [22, 30, 10, 22, 12, 8]
    lines.append("".join(_pad(h, w) for h, w in zip(head, widths)).rstrip())
    for s in subs:
        late = "" if s["working_days_late"] is None else str(s["working_days_late"])
        if s["state"] == "未报" and s["working_days_late"]:
            late += "（未报）"
        cells = [s["department_name"], f"{s['return_code']} {s['return_title']}", s["state"],
                 (s["received_at"] or "")[:16].replace("T", " "), late, str(s["rows_rejected"] or "")]
        lines.append(printable("".join(_pad(c, w) for c, w in zip(cells, widths)).rstrip()))
    if status["other_files"]:
        lines.append("其他文件：")
        for f in status["other_files"]:
            lines.append(printable(f"  {f['path']}  {f['state']}：{f['detail']}"))
    return "\n".join(lines)


def period_status_command(raw_dir: Path, out_dir: Path, period: Period, as_json: bool,
                          reference_dir: Path | None = None) -> int:
    status = period_status(raw_dir, out_dir, period, reference_dir=reference_dir)
    if status["note"]:
        print(f"sbsk: {status['note']}", file=sys.stderr)
    print(json.dumps(status, ensure_ascii=False, indent=2) if as_json else status_text(status))
    return 0
