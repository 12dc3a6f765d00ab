"""What each department has sent for a period (SPEC §12): a state per department and return it owns.

States, from the files of one return in its owner's folder:
- 未报: no file;
- 已报: a file whose content has not been evaluated yet (sent since the period last ran);
- 整表退回: every file rejected whole;
- 部分退回: loaded, with rows or another of its files rejected;
- 已入库: loaded, nothing rejected.
A return's receipt time is the latest receipt among its files (it was complete when its last file
came). Pure functions of the file verdicts: the run, `sbsk status` and `sbsk remind` share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import PurePosixPath

from sbsk.config.deadlines import working_days_late
from sbsk.config.periods import Period
from sbsk.config.rubric import Rubric
from sbsk.config.workdays import CalendarError
from sbsk.schemas.definitions import Definitions
from sbsk.text import squash

STATES = ("未报", "已报", "整表退回", "部分退回", "已入库")
OUTSTANDING = ("未报", "整表退回", "部分退回")  # what a 催报单 chases


@dataclass(frozen=True)
class FileView:
    rel: str
    sha256: str
    department: str | None
    return_code: str | None
    status: str | None               # loaded | rejected; None: not evaluated yet
    rows_rejected: int = 0
    received_at: datetime | None = None
    guessed: bool = False            # return_code is guess_return's, not a verdict


@dataclass
class Submission:
    period: str
    department: str
    return_code: str
    state: str
    received_at: datetime | None
    due_on: date | None
    working_days_late: int | None
    rows_rejected: int
    files: list[FileView] = field(default_factory=list)


def returns_owed(period: Period, defs: Definitions, rubric: Rubric) -> list[tuple[str, str]]:
    """(department, return code) of every return due for the period, by department then return.
    For a month, a return that feeds only assessor parts (R10) is optional (SPEC §9), so not owed."""
    codes = list(defs.returns)
    if period.kind == "month":
        scored = {p.source for i in rubric.indicators for p in i.parts if p.method != "assessor"}
        assessed = {p.source for i in rubric.indicators for p in i.parts if p.method == "assessor"}
        codes = [c for c in codes if c not in assessed - scored]
    order = list(defs.departments)
    return sorted(((defs.returns[c].owner, c) for c in codes), key=lambda dc: (order.index(dc[0]), dc[1]))


def guess_return(rel: str, department: str | None, defs: Definitions,
                 by_path: dict[str, str | None] | None = None) -> str | None:
    """The return a file not (or not yet) recognised probably is, among those its department owns, by
    what shows without reading it: the return a stored file at that path was, the only return the
    department owns, or the return's code, table or title in the file name. None when unclear."""
    owned = [c for c, r in defs.returns.items() if r.owner == department]
    if not owned:
        return None
    before = (by_path or {}).get(rel)
    if before in owned:
        return before  # the department replaced a file it had sent
    if len(owned) == 1:
        return owned[0]
    name = squash(PurePosixPath(rel).stem).lower()
    named = [c for c in owned if any(k in name for k in (
        c.lower(), defs.returns[c].table.lower(), squash(defs.returns[c].title).lower()))]
    return named[0] if len(named) == 1 else None


def attributed(view: FileView, defs: Definitions, by_path: dict[str, str | None] | None = None) -> FileView:
    """An unrecognised file counts for the return it probably is, so a garbled R06 is 整表退回, not 未报."""
    if view.return_code is not None:
        return view
    guess = guess_return(view.rel, view.department, defs, by_path)
    return replace(view, return_code=guess, guessed=True) if guess else view


def state_of(files: list[FileView]) -> str:
    if not files:
        return "未报"
    if any(f.status is None for f in files):
        return "已报"
    if all(f.status == "rejected" for f in files):
        return "整表退回"
    if any(f.status == "rejected" or f.rows_rejected for f in files):
        return "部分退回"
    return "已入库"


def lateness(due: date | None, day: date) -> int | None:
    """Working days late on `day`; None when the calendar does not know the days (never a guess)."""
    if due is None:
        return None
    try:
        return working_days_late(due, day)
    except CalendarError:
        return None


def build_submissions(period: Period, owed: list[tuple[str, str]], files: list[FileView], due: date | None,
                      today: date) -> list[Submission]:
    """One Submission per owed (department, return). A 未报 return is as late as it is on `today`."""
    out = []
    for dept, code in owed:
        mine = sorted((f for f in files if f.department == dept and f.return_code == code), key=lambda f: f.rel)
        received = max((f.received_at for f in mine if f.received_at), default=None)
        late = lateness(due, received.date() if received else today)
        out.append(Submission(str(period), dept, code, state_of(mine), received, due, late,
                              sum(f.rows_rejected for f in mine if f.status), mine))
    return out
