"""What a 催报单 says (SPEC §12): per department, each return it owes with its state and lateness,
and every rejected file and row with the row's key field.

The reminder is about the raw folder as it is now, so it evaluates every file of the period the way
a run would (read, check the sender, validate, combine the files of a return) without loading
anything; what it finds is what a run would reject. Receipt times come from the receipts store
(and are recorded for any content seen here first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from sbsk.config.deadlines import due_on, due_working_day
from sbsk.config.departments import Contact, departments_file, load_departments
from sbsk.config.level import Level, load_level
from sbsk.config.periods import Period
from sbsk.config.registry import Registry, reference_set_registry
from sbsk.config.rubric import Rubric
from sbsk.config.rubric_years import rubric_in_force
from sbsk.intake.discover import discover
from sbsk.intake.ingest import FileResult, check_owner, read_file, validate_file
from sbsk.intake.reader import Table
from sbsk.intake.receipts import beijing_now, observe
from sbsk.intake.submissions import OUTSTANDING, Submission, build_submissions, guess_return, returns_owed
from sbsk.intake.validate import context_for
from sbsk.schemas.definitions import Definitions, ReturnDef
from sbsk.store.submissions import file_views

# how the files of one return are combined (sbsk.pipeline.reject_unit_overlaps): a unit in two files
Combine = Callable[[list[FileResult], Definitions, Registry], list[FileResult]]

UNASSIGNED = "未归属"  # a file in no department's folder and recognised as no return


@dataclass(frozen=True)
class Problem:
    """One thing to fix: a row rejected, or a file rejected whole (row_number None)."""
    department: str
    return_code: str | None
    path: str
    sheet: str | None
    row_number: int | None
    unit: str
    key: str
    problem: str


@dataclass
class Reminder:
    period: Period
    due_on: date
    due_working_day: int
    today: date
    made_at: datetime
    submissions: list[Submission]
    problems: list[Problem]
    contacts: dict[str, Contact]
    defs: Definitions
    unit_name: str                                          # what the level's units are called (level.toml)
    departments: list[str] = field(default_factory=list)   # those with something outstanding, in order

    def of(self, department: str) -> tuple[list[Submission], list[Problem]]:
        return ([s for s in self.submissions if s.department == department],
                [p for p in self.problems if p.department == department])


def _row_names(table: Table, ret: ReturnDef, rows: set[int]) -> dict[int, tuple[str, str]]:
    """Excel row → (unit as written, key text such as 项目名称：XX, from the return's keys) for the given rows."""
    data = table.data[table.data["_row"].isin(rows)]
    return {int(row["_row"]): (str(row.get("unit") or "").strip(), ret.row_key(row) or "")
            for _, row in data.iterrows()}


def _strip(message: str, prefix: str) -> str:
    return message[len(prefix):] if message.startswith(prefix) else message


def evaluate(raw_dir: Path, period: Period, defs: Definitions, combine: Combine, rubric: Rubric,
             registry: Registry, level: Level):
    """Every file's verdict as a run would give it, and the names of its rejected rows."""
    ctx = context_for(period.year, rubric, registry, level=level)
    sources = discover(raw_dir, str(period), defs)
    results, names = [], {}
    for source in sources:
        result, table = read_file(source, defs)
        result = validate_file(check_owner(result, defs), table, defs, ctx)
        if table is not None and result.rejections:
            rows = {r["row_number"] for r in result.rejections if r["row_number"] is not None}
            names[source.rel] = _row_names(table, defs.returns[result.return_code], rows)
        results.append(result)
    return sources, combine(results, defs, registry), names


def problems_of(results: list[FileResult], names: dict, defs: Definitions) -> list[Problem]:
    out = []
    for r in results:
        dept = r.source.department or (defs.returns[r.return_code].owner if r.return_code in defs.returns
                                       else UNASSIGNED)
        code = r.return_code or guess_return(r.source.rel, r.source.department, defs)
        for rej in r.rejections:
            row = rej["row_number"]
            if row is None:  # the whole file
                out.append(Problem(dept, code, r.source.rel, r.sheet, None, "", "（整个文件）",
                                   _strip(rej["message"], f"{r.source.rel}：")))
                continue
            unit, key = names.get(r.source.rel, {}).get(row, ("", ""))
            prefix = f"{r.source.rel} 工作表「{r.sheet}」第{row}行 "
            out.append(Problem(dept, code, r.source.rel, r.sheet, row, unit, key,
                               _strip(rej["message"], prefix)))
    return out


def build_reminder(raw_dir: Path, out_dir: Path, period: Period, combine: Combine,
                   contacts_file: Path | None = None, now: datetime | None = None,
                   reference_dir: Path | None = None) -> Reminder:
    """The reference set (--reference DIR, default the shipped one) gives the units, the returns' unit
    column, the rubric (due days) and, when it keeps one, the contacts file; `contacts_file`
    (--departments) overrides that. Raises CalendarError when the due date is beyond the calendar,
    DepartmentsError for a bad contacts file."""
    level = load_level(reference_dir)
    defs = level.returns()
    rubric, registry = rubric_in_force(period.year, reference_dir), reference_set_registry(reference_dir)
    contacts = load_departments(defs, contacts_file or departments_file(reference_dir))
    due = due_on(period, rubric)
    now = now or beijing_now()
    sources, results, names = evaluate(Path(raw_dir), period, defs, combine, rubric, registry, level)
    receipts = observe(out_dir, str(period), sources, "remind", now=now)
    subs = build_submissions(period, returns_owed(period, defs, rubric), file_views(results, receipts, defs), due,
                             now.date())
    problems = problems_of(results, names, defs)
    flagged = {s.department for s in subs if s.state in OUTSTANDING} | {p.department for p in problems}
    order = [d for d in defs.departments if d in flagged] + ([UNASSIGNED] if UNASSIGNED in flagged else [])
    return Reminder(period, due, due_working_day(period, rubric), now.date(), now, subs, problems, contacts, defs,
                    level.unit_name, order)
