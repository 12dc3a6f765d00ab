"""Shared by the review tests (SPEC §11): write R12 files where a run looks, and run a half year's
review with the flow's steps as plain calls (no Prefect server)."""

from __future__ import annotations

from pathlib import Path

from conftest import query
from sbsk.outputs.return_writer import write_plain
from sbsk.schemas import load_returns

R12 = load_returns().half_year["R12"]
ITEMS = ("planning", "attraction", "construction", "service")


def scores(unit: str, assessor: str, values, group: str = "第一观摩组", assessor_unit: str | None = None) -> dict:
    """One R12 row: `values` are the four items, or one number for all four."""
    values = values if isinstance(values, (list, tuple)) else [values] * 4
    return dict(unit=unit, review_group=group, assessor=assessor, assessor_unit=assessor_unit,
                **dict(zip(ITEMS, values)))


def write_review(raw: Path, period: str, rows: list[dict], name: str = "R12-观摩评分.xlsx") -> Path:
    return write_plain(raw / period / R12.owner / name, R12, rows, title=f"{period} 观摩评分")


def run_review(dirs: tuple[Path, Path], period: str, rubric=None, registry=None) -> list:
    """discover → ingest → one row per assessor and unit → publish, as flows/review.py does (by the
    shipped rubric and registry unless given others)."""
    from sbsk import pipeline
    from sbsk.config.periods import HalfYear
    from sbsk.config.registry import load_registry
    from sbsk.config.rubric import load_rubric
    from sbsk.intake.discover import discover
    from sbsk.intake.ingest import ingest
    from sbsk.intake.review_rules import reject_second_scores
    from sbsk.intake.validate import context_for
    from sbsk.store.review import publish_review

    raw, out = dirs
    half = HalfYear.parse(period)
    defs, registry = load_returns(), registry or load_registry()
    rubric = rubric or load_rubric()
    ctx = context_for(half.year, rubric, registry)
    results = reject_second_scores([ingest(s, defs, ctx) for s in discover(raw, period, defs)], R12)
    publish_review(half, results, defs, rubric, registry, out, pipeline.new_run_id(), pipeline.now())
    return results


def results_of(out: Path, period: str) -> dict[str, dict]:
    """review_results by unit name."""
    cols = ["unit_name", "unit_group", *ITEMS, "total", "group_rank", "assessors", "trimmed", "untrimmed_total",
            "flags"]
    rows = query(out, f"select {', '.join(cols)} from review_results where period = ?", [period])
    return {r[0]: dict(zip(cols, r)) for r in rows}


def assessors_of(out: Path, period: str) -> dict[str, tuple]:
    """review_assessors by assessor: (units_scored, mean_deviation, outlier)."""
    rows = query(out, "select assessor, units_scored, mean_deviation, outlier from review_assessors where period = ?",
                 [period])
    return {r[0]: r[1:] for r in rows}
