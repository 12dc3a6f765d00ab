"""`sbsk check`: the verdicts a run would give, without loading anything."""

from __future__ import annotations

import os
import re
from dataclasses import replace
import sys
from datetime import date
from pathlib import Path

from sbsk.intake.discover import is_candidate, source_file
from sbsk.intake.ingest import FileResult, check_owner, read_file, validate_file
from sbsk.intake.receipts import observe, period_under
from sbsk.intake.review_rules import reject_second_scores
from sbsk.intake.validate import context_for
from sbsk.config.level import load_level
from sbsk.config.registry import load_registry
from sbsk.config.rubric import Rubric
from sbsk.config.rubric_years import NoRubricForYear, newest_rubric, rubric_for_year

_PERIOD_IN_PATH = re.compile(r"^(\d{4})(Q[1-4]|H[12]|-(0[1-9]|1[0-2]))$")  # a quarter, half year or month


def _files(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(file, the folder it was found under): links out of that folder are refused, as in a run."""
    found = []
    for path in paths:
        if path.is_dir():
            found += [(p, path) for p in sorted(path.rglob("*")) if is_candidate(p)]
        else:
            found.append((path, path.parent))
    return found


def _year_of(path: Path, default: int) -> int:
    for part in path.resolve().parts:
        m = _PERIOD_IN_PATH.match(part)
        if m:
            return int(m.group(1))
    return default


def _rubric(year: int, given: bool, reference_dir: Path | None = None) -> Rubric:
    """The rubric governing the year; for a year nobody gave (no --year, no quarter folder) and no
    rubric governs, the newest rubric, said on stderr."""
    try:
        return rubric_for_year(year, None, reference_dir)
    except NoRubricForYear:
        if given:
            raise
        rubric = newest_rubric(reference_dir)
        sys.stderr.write(f"注意：没有适用于{year}年的评分细则，按 {rubric.path.name}（{rubric.years[-1]}年）检查；"
                         f"可用 --year 指定年份\n")
        return rubric


def check_paths(paths: list[Path], year: int | None = None, raw_dir: Path | None = None,
                out_dir: Path | None = None, reference_dir: Path | None = None) -> list[dict]:
    """Verdicts; files lying in raw_dir's period folders get their receipt times recorded under out_dir.
    `reference_dir` is the reference set (--reference): its units, rubrics and unit column."""
    level = load_level(reference_dir)
    defs = level.returns()
    registry = (load_registry(Path(reference_dir) / "units.csv", Path(reference_dir) / "unit_groups.csv")
                if reference_dir else load_registry())
    sightings: dict[str, list] = {}
    contexts = {}
    found: list[tuple[Path, FileResult | None]] = []
    for path, root in _files(paths):
        y = year or _year_of(path, 0)
        given = bool(y)
        y = y or date.today().year
        if y not in contexts:  # each year is validated against the rubric that governs it
            contexts[y] = context_for(y, _rubric(y, given, reference_dir), registry, level=level)
        ctx = contexts[y]
        if not path.is_file():
            found.append((path, None))
            continue
        source = source_file(path, root, str(path), path.parent.name, defs)
        period = period_under(path, raw_dir) if raw_dir is not None else None
        if period:
            rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(raw_dir)).as_posix()
            sightings.setdefault(period, []).append(replace(source, rel=rel))
        result, table = read_file(source, defs)
        if source.department:  # only a department folder says who sent the file
            result = check_owner(result, defs)
        found.append((path, validate_file(result, table, defs, ctx)))
    # R12: one row per assessor and unit over the files checked together, as over a half year's files
    for ret in defs.half_year.values():
        reject_second_scores([r for _, r in found if r is not None], ret)
    for period, sources in sightings.items() if out_dir is not None else ():
        observe(out_dir, period, sources, "check")
    if not contexts:  # no file: the rubric is still checked, so a broken one stops the command
        _rubric(year or date.today().year, year is not None, reference_dir)
    return [_verdict(path, result) for path, result in found]


def _verdict(path: Path, result: FileResult | None) -> dict:
    if result is None:
        return {"path": str(path), "return_code": None, "status": "rejected", "rows_read": 0,
                "rows_loaded": 0, "rows_rejected": 0, "rows_skipped": 0,
                "errors": [{"message": f"{path}：文件不存在"}]}
    return {
        "path": str(path), "return_code": result.return_code, "status": result.status,
        "recognised_by": result.recognised_by, "sheet": result.sheet,
        "rows_read": result.rows_read, "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected, "rows_skipped": result.rows_skipped,
        "skipped": dict(result.skipped),
        "errors": result.rejections,
        "flags": result.flags,
    }
