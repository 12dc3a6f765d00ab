"""The steps of a quarter and of a year, each named once and in order (QUARTER_STEPS, YEAR_STEPS),
and the walk that runs them: `evaluate(quarter, raw_dir, out_dir, up_to=…)`, `evaluate_year(…)`.

A step is a typed function that takes its inputs by name, from the run's setting and from what the
steps before it gave. flows/ runs each step as a Prefect task (`call=`), tests/conftest.py and
bench/ walk the same steps with plain calls, `sbsk check` uses the per-file verdict alone.
"""

from __future__ import annotations

import inspect
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import duckdb

from sbsk.config.level import OtherLevel, load_level
from sbsk.config.periods import Quarter
from sbsk.config.registry import Registry, load_registry, reference_set_registry
from sbsk.config.rubric import Rubric
from sbsk.config.rubric_years import rubric_for_year
from sbsk.faults import checkpoint
from sbsk.files import atomic_path
from sbsk.intake.discover import SourceFile, discover
from sbsk.intake.ingest import FileResult, ingest, reject_whole
from sbsk.intake.receipts import observe
from sbsk.intake.validate import Context, context_for
from sbsk.outputs.annotate import annotate
from sbsk.outputs.bulletin import write_annual_bulletin
from sbsk.outputs.issued import write_quarter_documents
from sbsk.outputs.tongbao import write_year_tongbao
from sbsk.outputs.bulletin_html import write_year_html
from sbsk.outputs.forecast import refresh_forecast
from sbsk.outputs.parquet_export import export_quarter, export_year
from sbsk.outputs.validation_report import write_validation_report
from sbsk.schemas import load_returns
from sbsk.schemas.definitions import Definitions
from sbsk.store.archive import archive_file
from sbsk.store.publish import (annual_drafts, draft_note, new_run_id, now, open_published, publish_quarter,
                                publish_year, record_failure, scored_quarters, scratch_report_db)
from sbsk.store.warehouse import DB_NAME, read_only

Say = Callable[[str], None]


def quiet(message: str) -> None:
    """The default progress sink: a walk called from code prints nothing."""


# ---- the walk ----

@dataclass(frozen=True)
class Step:
    """`run` takes its inputs by parameter name; what it returns is kept under the names in `gives`
    (a tuple return when there are several) for the steps after it."""
    name: str
    run: Callable[..., Any]
    gives: tuple[str, ...]

    @property
    def needs(self) -> tuple[str, ...]:
        return tuple(inspect.signature(self.run).parameters)


Call = Callable[[Step, dict[str, Any]], Any]


def call_directly(step: Step, args: dict[str, Any]) -> Any:
    return step.run(**args)


def walk(steps: tuple[Step, ...], state: dict[str, Any], up_to: str, call: Call = call_directly) -> dict[str, Any]:
    """Run `steps` in order up to and including the one named `up_to`; returns the state with
    everything they gave. `call` decides how a step is run (directly, as a task, timed …)."""
    names = [s.name for s in steps]
    if up_to not in names:
        raise ValueError(f"up_to must be one of {', '.join(names)}, not {up_to!r}")
    for step in steps:
        value = call(step, {name: state[name] for name in step.needs})
        state.update(zip(step.gives, value if len(step.gives) > 1 else (value,)))
        if step.name == up_to:
            break
    return state


# ---- what a quarter's steps share ----

def reference_registry(reference_dir: Path | None, out_dir: Path | None = None) -> Registry:
    """The unit registry of a reference set (its units.csv and unit_groups.csv), else the shipped one;
    with `out_dir`, refused when that warehouse holds another level's units (same_level)."""
    registry = reference_set_registry(reference_dir)
    if out_dir is not None:
        same_level(Path(out_dir), registry)
    return registry


def same_level(out_dir: Path, registry: Registry) -> None:
    """One warehouse holds one level: its `units` and every period's results are replaced by a run, so
    the province's cities scored into the city's warehouse would overwrite the counties' quarter (and
    the reverse). A run whose registry shares no unit with the stored one is refused before it reads
    a file; a registry that changed (a unit added or merged) still shares the others."""
    if not (out_dir / DB_NAME).is_file():
        return
    try:
        with read_only(out_dir) as con:
            stored = dict(con.execute("select unit_code, unit_name from main.units order by unit_code").fetchall())
    except duckdb.Error:  # no units table yet (or a warehouse being created): nothing to overwrite
        return
    if stored and not set(stored) & {u.code for u in registry.units}:
        mine = registry.units[0]
        first = next(iter(stored.items()))
        raise OtherLevel(
            f"{out_dir / DB_NAME} 存的是另一套参考数据的考评单位（如 {first[0]} {first[1]}），与本次参考数据的单位"
            f"（如 {mine.code} {mine.name}）无一相同：请用 --out-dir 另选输出目录（如 data/out-province），"
            f"以免覆盖已存的考评结果")


def quarter_setting(quarter: str | Quarter, raw_dir: Path, out_dir: Path, continue_on_missing: bool = False,
                    say: Say = quiet, rubric_file: Path | str | None = None,
                    reference_dir: Path | None = None) -> dict[str, Any]:
    """What every step of a quarter may ask for besides what the steps give. The rubric is the one
    governing the quarter's year in the reference set, unless `rubric_file` (--rubric) overrides it."""
    q = Quarter.parse(str(quarter))
    rubric, registry = rubric_for_year(q.year, rubric_file, reference_dir), reference_registry(reference_dir, out_dir)
    level = load_level(reference_dir)
    defs = level.returns()
    return {"quarter": q, "raw_dir": Path(raw_dir), "out_dir": Path(out_dir),
            "continue_on_missing": continue_on_missing, "say": say, "defs": defs, "rubric": rubric,
            "registry": registry, "ctx": context_for(q.year, rubric, registry, level=level), "run_id": new_run_id(),
            "started": now(), "reference_dir": reference_dir}


def reject_unit_overlaps(results: list[FileResult], defs: Definitions,
                         registry: Registry | None = None) -> list[FileResult]:
    """Several files of one return combine when they cover different units; the same unit in two
    files is an error naming both files and the units (by name, as people write them), and the
    later file is rejected whole."""
    names = {u.code: u.name for u in (registry or load_registry()).units}
    seen: dict[tuple[str, str], str] = {}
    for res in results:
        if res.status != "loaded" or res.loaded is None:
            continue
        units = set(res.loaded["unit"].dropna().unique())
        clash = {u: seen[(res.return_code, u)] for u in units if (res.return_code, u) in seen}
        if clash:
            first = sorted(set(clash.values()))[0]
            unit = next((c.header for c in defs.returns[res.return_code].columns if c.type == "unit"), "县(市、区)")
            reject_whole(res, f"与 {first} 是同一报表（{res.return_code}），且包含相同的{unit}（"
                              f"{'、'.join(names.get(u, u) for u in sorted(clash))}），同一单位只能在一个文件中报送")
            continue
        for u in units:
            seen[(res.return_code, u)] = res.source.rel
    return results


def missing_returns(results: list[FileResult], defs: Definitions) -> list[str]:
    have = {r.return_code for r in results if r.status == "loaded"}
    return sorted(set(defs.returns) - have)


def quarter_folder_problem(raw_dir: Path, quarter: Quarter) -> str | None:
    """Why the quarter cannot be run at all, in Chinese, else None: its returns were put in a month's
    folder (2020-09/ for 2020Q3, the reverse of a month's returns in a quarter's folder, SPEC §9).
    Without this every return would look missing and a failed run be recorded."""
    folder = Path(raw_dir) / str(quarter)
    months = [Path(raw_dir) / f"{quarter.year}-{m:02d}" for m in range(3 * quarter.q - 2, 3 * quarter.q + 1)]
    found = [m for m in months if m.is_dir()]
    if folder.is_dir() or not found:
        return None
    return (f"未找到{quarter.chinese}的报表文件夹 {folder}（{'、'.join(str(m) for m in found)} 是月份的文件夹，"
            f"供月调度 sbsk dispatch 使用；季度考评的报表请放在 {folder}/<部门>/ 下）；数据库未作任何改动")


def missing_message(missing: list[str]) -> str:
    return f"缺少报表：{'、'.join(missing)}（可用 --continue-on-missing 按暂定结果计分）"


def collect(quarter: Quarter, sources: list[SourceFile], verdicts: Iterable[FileResult], archived: dict[str, str],
            say: Say) -> list[FileResult]:
    """The verdicts in discovery order, each tied to its source and archived copy, one progress line each."""
    results = []
    for i, (source, result) in enumerate(zip(sources, verdicts, strict=True), start=1):
        result.source = source  # a cached verdict may come from a run whose raw folder was elsewhere
        result.archive_path = archived[source.sha256]
        say(f"[{quarter}] {_bar(i, len(sources))} {source.rel}: {_verdict(result)}")
        results.append(result)
    return results


def _bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def _verdict(result: FileResult) -> str:
    if result.status == "rejected":
        return f"整表退回：{result.file_message}"
    return (f"{result.return_code} 读取{result.rows_read}行，入库{result.rows_loaded}，"
            f"退回{result.rows_rejected}，跳过{result.rows_skipped}")


# ---- the quarter's steps: discover → archive → ingest → combine → publish → report → export ----

def discover_files(raw_dir: Path, out_dir: Path, quarter: Quarter, defs: Definitions, say: Say) -> list[SourceFile]:
    sources = discover(raw_dir, str(quarter), defs)
    observe(out_dir, str(quarter), sources, "run")  # receipt times: the first time a content is seen (SPEC §12)
    say(f"[{quarter}] 发现 {len(sources)} 个文件（{raw_dir / str(quarter)}）")
    return sources


def archive_inputs(sources: list[SourceFile], out_dir: Path, quarter: Quarter) -> dict[str, str]:
    """Keep every file before anything else happens to it: sha256 → archive path (`quarter` names
    the flow's task run)."""
    archived = {s.sha256: archive_file(out_dir, s) for s in sources}
    checkpoint("after-archive")
    return archived


def ingest_files(quarter: Quarter, sources: list[SourceFile], archived: dict[str, str], defs: Definitions,
                 ctx: Context, say: Say) -> list[FileResult]:
    """One verdict per file (read, check the sender, validate), one file at a time; the flow runs
    the same per-file verdict as cached tasks, several at once."""
    def verdicts():
        for source in sources:
            say(f"  读取 {source.rel}")
            yield ingest(source, defs, ctx)

    return collect(quarter, sources, verdicts(), archived, say)


def combine_files(results: list[FileResult], defs: Definitions,
                  registry: Registry) -> tuple[list[FileResult], list[str]]:
    results = reject_unit_overlaps(results, defs, registry)
    missing = missing_returns(results, defs)
    checkpoint("after-validate")
    return results, missing


def publish(quarter: Quarter, results: list[FileResult], missing: list[str], continue_on_missing: bool,
            defs: Definitions, rubric: Rubric, registry: Registry, out_dir: Path, run_id: str, started,
            say: Say, reference_dir: Path | None) -> tuple[str, list[str]]:
    """Score and store the quarter (done or provisional); or, with a return missing and no
    --continue-on-missing, record the failed run and store nothing ('failed'). Also gives, for a
    quarter published before, what publishing this run's draft would change (sbsk.store.versions)."""
    if missing and not continue_on_missing:
        message = missing_message(missing)
        say(f"[{quarter}] 失败：{message}")
        record_failure(out_dir, defs, "quarter", str(quarter), quarter.year, run_id, started, message,
                       rubric, results, reference_dir)
        return "failed", []
    say(f"[{quarter}] 计分（存为草稿，sbsk publish 发布）…")
    status = publish_quarter(quarter, results, missing, defs, rubric, registry, out_dir, run_id, started,
                             reference_dir)
    checkpoint("after-publish")
    draft = draft_note(out_dir, str(quarter)) or []
    if draft:  # the whole difference is the command's output (sbsk run prints it)
        say(f"[{quarter}] {draft[0]}")
    else:  # the run's results are what is shown: the forecast made from them and this run's R13 (SPEC §10)
        forecast = refresh_forecast(out_dir, quarter, reference_dir)
        if forecast:
            say(f"[{quarter}] 全省排名预判：{forecast.headline}")
    return status, draft


def write_reports(quarter: Quarter, out_dir: Path, results: list[FileResult], status: str,
                  draft: list[str], defs: Definitions) -> list[Path]:
    """The validation report (of this run's verdicts alone when nothing was published), the
    bulletin (not when the run only drafted beside a published version: the issued bulletin stays
    until `sbsk publish`), and the annotated copies to send back."""
    q, published = str(quarter), status != "failed"
    folder = out_dir / q
    written = []
    con = open_published(out_dir) if published else scratch_report_db(q, results, defs)
    try:
        target = folder / f"validation-{q}.xlsx"
        with atomic_path(target) as tmp:
            write_validation_report(con, q, tmp)
        written.append(target)
        if published and not draft:
            written += write_quarter_documents(con, q, folder)
    finally:
        con.close()
    annotated = folder / "annotated"
    shutil.rmtree(annotated, ignore_errors=True)  # a re-run's copies replace the last run's
    written += [p for p in (annotate(r, annotated) for r in results) if p]
    return written


def export_parquet(out_dir: Path, quarter: Quarter, status: str) -> list[Path]:
    return [] if status == "failed" else export_quarter(out_dir, str(quarter))


QUARTER_STEPS = (
    Step("discover", discover_files, ("sources",)),
    Step("archive", archive_inputs, ("archived",)),
    Step("ingest", ingest_files, ("results",)),
    Step("combine", combine_files, ("results", "missing")),
    Step("publish", publish, ("status", "draft")),
    Step("report", write_reports, ("reports",)),
    Step("export", export_parquet, ("exports",)),
)


@dataclass
class QuarterOutcome:
    quarter: str
    status: str                      # done | provisional | failed
    exit_code: int
    missing: list[str] = field(default_factory=list)
    message: str = ""
    outputs: list[Path] = field(default_factory=list)
    draft: list[str] = field(default_factory=list)  # a published quarter: what publishing this run would change


def evaluate(quarter: str | Quarter, raw_dir: Path, out_dir: Path, *, continue_on_missing: bool = False,
             up_to: str = "export", call: Call = call_directly, say: Say = quiet,
             rubric_file: Path | str | None = None, reference_dir: Path | None = None) -> dict[str, Any]:
    """Walk the quarter's steps up to and including `up_to`; returns the setting and all they gave."""
    setting = quarter_setting(quarter, raw_dir, out_dir, continue_on_missing, say, rubric_file, reference_dir)
    return walk(QUARTER_STEPS, setting, up_to, call)


def quarter_outcome(state: dict[str, Any]) -> QuarterOutcome:
    """Exit code 1 when the run failed, a return is missing or a file was rejected whole."""
    q, status, missing, outputs = str(state["quarter"]), state["status"], state["missing"], state.get("reports", [])
    if status == "failed":
        return QuarterOutcome(q, status, 1, missing, missing_message(missing), outputs)
    whole_rejects = [r for r in state["results"] if r.status == "rejected"]
    message = "；".join(filter(None, [
        f"缺报 {'、'.join(missing)}，结果为暂定" if missing else "",
        f"{len(whole_rejects)} 个文件被整表退回" if whole_rejects else "",
    ]))
    return QuarterOutcome(q, status, 1 if (missing or whole_rejects) else 0, missing, message, outputs,
                          state.get("draft", []))


# ---- the year's steps: publish → report ----

def year_setting(year: int, out_dir: Path, say: Say = quiet, rubric_file: Path | str | None = None,
                 reference_dir: Path | None = None) -> dict[str, Any]:
    """The rubric is chosen by the publish step, once it knows the year has something to compose."""
    return {"year": int(year), "out_dir": Path(out_dir), "say": say, "defs": load_returns(),
            "rubric_file": rubric_file, "reference_dir": reference_dir,
            "registry": reference_registry(reference_dir, out_dir), "run_id": new_run_id(), "started": now()}


def year_missing_message(year: int) -> str:
    return f"{year}年没有已计分的季度，请先运行 sbsk run {year}Q1 …"


def publish_annual(year: int, defs: Definitions, rubric_file: Path | str | None, reference_dir: Path | None,
                   registry: Registry, out_dir: Path, run_id: str, started, say: Say) -> tuple[str, int, list[str]]:
    """The annual composite from the stored quarters, by the rubric governing the year: (status,
    quarters found, the quarters taken as unpublished drafts); with no quarter scored the failed
    run is recorded (before any rubric is chosen) and nothing published."""
    status, found = "failed", 0
    if scored_quarters(out_dir, year):
        rubric = rubric_for_year(year, rubric_file, reference_dir)
        status, found = publish_year(year, defs, rubric, registry, out_dir, run_id, started, reference_dir)
    if status == "failed":
        message = year_missing_message(year)
        record_failure(out_dir, defs, "annual", None, year, run_id, started, message, None,
                       reference_dir=reference_dir)
        say(f"[{year}] 失败：{message}")
        return status, found, []
    return status, found, annual_drafts(out_dir, year)


def write_annual_reports(year: int, out_dir: Path, status: str) -> list[Path]:
    """The annual bulletin and the year's Parquet copies."""
    if status == "failed":
        return []
    folder = out_dir / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    targets = [folder / f"bulletin-{year}.xlsx", folder / f"tongbao-{year}.docx", folder / f"bulletin-{year}.html"]
    con = open_published(out_dir)
    try:
        for target, write in zip(targets, (write_annual_bulletin, write_year_tongbao, write_year_html)):
            with atomic_path(target) as tmp:
                write(con, year, tmp)
    finally:
        con.close()
    export_year(out_dir, year)
    return targets


YEAR_STEPS = (
    Step("publish", publish_annual, ("status", "found", "drafts")),
    Step("report", write_annual_reports, ("reports",)),
)


def evaluate_year(year: int, out_dir: Path, *, up_to: str = "report", call: Call = call_directly,
                  say: Say = quiet, rubric_file: Path | str | None = None,
                  reference_dir: Path | None = None) -> dict[str, Any]:
    return walk(YEAR_STEPS, year_setting(year, out_dir, say, rubric_file, reference_dir), up_to, call)
