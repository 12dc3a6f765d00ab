"""Which rubric governs a period (SPEC §5, rubric versions): each `rubric-*.toml` of the reference
set names the years it governs, and a run scores a period by the one file whose `years` hold the
period's year, whenever the run happens. `--rubric FILE` (or SBSK_RUBRIC) overrides the choice, and
the choice is kept on the rubric (`chosen_by`) so the run can record it."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from sbsk import REFERENCE_DIR
from sbsk.config.rubric import Rubric, RubricError, load_rubric, parse_years, read_rubric_toml

PATTERN = "rubric-*.toml"


class NoRubricForYear(RubricError):
    """No rubric file of the reference set governs the year."""


def claimed_years(reference_dir: Path) -> dict[Path, tuple[int, ...]]:
    """Every rubric file of the reference set and the years it claims (read, not yet validated whole)."""
    claims = {}
    for path in sorted(Path(reference_dir).glob(PATTERN)):
        doc = read_rubric_toml(path)
        try:
            claims[path] = parse_years(doc.get("years"))
        except RubricError as exc:
            raise RubricError(f"{path}: {exc}") from None
    return claims


def rubric_for_year(year: int, override: Path | str | None = None, reference_dir: Path | None = None) -> Rubric:
    """The rubric that scores `year`: `override` (--rubric FILE), else SBSK_RUBRIC, else the one
    rubric file of the reference set whose `years` include the year. None or two is an error naming
    the year and the files."""
    if override:
        return replace(load_rubric(Path(override)), chosen_by="--rubric")
    if os.environ.get("SBSK_RUBRIC"):
        return replace(load_rubric(Path(os.environ["SBSK_RUBRIC"])), chosen_by="SBSK_RUBRIC")
    folder = Path(reference_dir or REFERENCE_DIR)
    claims = claimed_years(folder)
    governing = [path for path, years in claims.items() if year in years]
    if not governing:
        listed = "、".join(f"{p.name}（years = {list(y)}）" for p, y in claims.items()) or f"没有 {PATTERN} 文件"
        raise NoRubricForYear(f"没有适用于{year}年的评分细则：{folder} 中 {listed}，均不含{year}年；"
                          f"请在细则文件的 years 中加入{year}，或用 --rubric 指定细则文件")
    if len(governing) > 1:
        raise RubricError(f"{year}年有{len(governing)}个评分细则文件：{'、'.join(p.name for p in governing)}"
                          f"（{folder}）的 years 都包含{year}；每年只能由一个细则文件管辖，请从其余文件的 years 中删去{year}")
    return replace(load_rubric(governing[0]), chosen_by="year")


def newest_rubric(reference_dir: Path | None = None) -> Rubric:
    """The rubric of the latest year any file claims: for checking a loose file whose year nobody
    gave (`sbsk check` says when it falls back to it)."""
    claims = claimed_years(Path(reference_dir or REFERENCE_DIR))
    if not claims:
        raise NoRubricForYear(f"{reference_dir or REFERENCE_DIR} 中没有 {PATTERN} 评分细则文件")
    latest = max(claims, key=lambda p: max(claims[p]))
    return replace(load_rubric(latest), chosen_by="year")


def rubric_in_force(year: int, reference_dir: Path | None = None) -> Rubric:
    """The rubric a command that scores nothing (status, remind, a review's form and explanation) reads
    for `year`'s due days, indicators and review items. Given a reference set (--reference DIR): the
    one governing the year there, else that set's newest, so the due dates of a year no rubric names
    yet can still be said. Without one: the shipped rubric file (or SBSK_RUBRIC), as before sets existed."""
    if reference_dir is None:
        return load_rubric()
    try:
        return rubric_for_year(year, None, reference_dir)
    except NoRubricForYear:
        return newest_rubric(reference_dir)
