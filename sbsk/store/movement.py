"""Rank movement and streaks (SPEC §6, §13) written onto the stored results.

They depend on other quarters (years) than the one being run, so after every publish they are
recomputed for all stored periods by transforms/marts/quarter_movement.sql and annual_movement.sql;
a re-run of 2020Q2 thereby also corrects 2020Q3's movement. Call inside build_schema().
"""

from __future__ import annotations

import duckdb

from sbsk.store.warehouse import run_models


# the quarter_results columns this module writes: never copied from a draft (sbsk.store.versions)
QUARTER_MOVEMENT_COLUMNS = ("rank_change", "streak_first", "streak_last")


def update_quarter_movement(con: duckdb.DuckDBPyConnection) -> None:
    run_models(con, "marts", ["quarter_movement"])
    con.execute("""
        update main.quarter_results r
        set rank_change = m.rank_change, streak_first = m.streak_first, streak_last = m.streak_last
        from build.quarter_movement m
        where m.quarter = r.quarter and m.unit_code = r.unit_code
    """)


def update_annual_movement(con: duckdb.DuckDBPyConnection) -> None:
    run_models(con, "marts", ["annual_movement"])
    con.execute("""
        update main.annual_results r set rank_change = m.rank_change
        from build.annual_movement m
        where m.year = r.year and m.unit_code = r.unit_code
    """)
