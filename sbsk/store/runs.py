"""One line of pipeline_runs per run, with what the run was made with (SPEC §12): the rubric file
and version and how that rubric was chosen, the reference set, and the code version."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from sbsk import REFERENCE_DIR
from sbsk.config.rubric import Rubric, load_rubric, rubric_for
from sbsk.fingerprint import code_version

COLUMNS = ("run_id", "kind", "quarter", "year", "status", "started_at", "finished_at", "rubric_version", "message",
           "rubric_file", "rubric_chosen_by", "reference_set", "code_version")


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, kind: str, quarter: str | None, year: int, status: str,
               started: datetime, finished: datetime, rubric: Rubric | str | None, message: str | None,
               reference_dir: Path | None = None) -> None:
    """`rubric` is the rubric the run used, or only its version (a run that failed before choosing one)."""
    version = rubric.version if isinstance(rubric, Rubric) else rubric
    path = str(rubric.path) if isinstance(rubric, Rubric) and rubric.path else None
    chosen = rubric.chosen_by if isinstance(rubric, Rubric) else None
    values = [run_id, kind, quarter, year, status, started, finished, version, message, path, chosen,
              # absolute: the documents written later from this warehouse (sbsk publish, from any folder)
              # read the level's words from it (warehouse_level)
              str(Path(reference_dir).resolve() if reference_dir else REFERENCE_DIR), code_version()]
    con.execute(f"insert into main.pipeline_runs ({', '.join(COLUMNS)}) values ({', '.join('?' * len(COLUMNS))})",
                values)


def scoring_rubric(con: duckdb.DuckDBPyConnection, quarters: list[str], version: str | None) -> Rubric | None:
    """The rubric the results were scored with: the file the latest run of these quarters recorded
    (pipeline_runs.rubric_file, so an override such as --rubric counts), else rubric-<version>.toml."""
    if not version:
        return None
    marks = ", ".join("?" * len(quarters))
    found = con.execute(f"select rubric_file from pipeline_runs where quarter in ({marks}) and rubric_version = ? "
                        "and rubric_file is not null order by started_at desc limit 1", [*quarters, version]).fetchone()
    if found and Path(found[0]).is_file():
        rubric = load_rubric(Path(found[0]))
        if rubric.version == version:
            return rubric
    return rubric_for(version)[0]


def warehouse_level(con: duckdb.DuckDBPyConnection):
    """The level (sbsk.config.level.Level) of the documents written from this warehouse. One
    warehouse holds one level (sbsk.pipeline.same_level), so the reference set the latest run
    recorded names it; a warehouse with no run (or a scratch database) is the city level."""
    from sbsk.config.level import load_level  # here: config.level is not needed by the rest of runs
    try:
        found = con.execute("select reference_set from main.pipeline_runs where reference_set is not null "
                            "order by started_at desc limit 1").fetchone()
    except duckdb.Error:  # a scratch database without the runs table
        found = None
    return load_level(Path(found[0]) if found else None)


def unit_word(con: duckdb.DuckDBPyConnection) -> str:
    """What this warehouse's units are called (level.toml unit_name: 县(市、区), 省辖市)."""
    return warehouse_level(con).unit_name


def full_width(text: str) -> str:
    """县(市、区) as the 通报 prints it: 县（市、区）."""
    return text.replace("(", "（").replace(")", "）")
