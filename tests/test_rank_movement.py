"""Rank movement and streaks (SPEC §6, §13) on hand-made stored results, with known answers.

county (three units), group_rank per quarter; 2021Q1 is not stored:

          2019Q4 2020Q1 2020Q2 2020Q3 2020Q4 2021Q2
    X       1      2      2      1      2      2
    Y       2      1      1      2      1      1
    Z       3      3      2      3      3      3

2020Q2 has X and Z tied for last (both 2, the worst rank). Y is first in Q1 and Q2, not in Q3, first
again in Q4 (streak broken and resumed). Z is last five quarters running (the tie included). 2021Q2
follows a quarter that is not stored: no movement, streaks start again at 1.
district: 2019Q4 P 1, Q 2; 2020Q1 P and Q tied (the whole group is first and last).
solo (a group of one): S first every quarter, never last.
"""

from __future__ import annotations

import duckdb
import pytest

from sbsk.schemas import load_returns
from sbsk.store.movement import update_annual_movement, update_quarter_movement
from sbsk.store.warehouse import build_schema, ensure_schema

RANKS = {
    "X": ("county", [1, 2, 2, 1, 2, 2]),
    "Y": ("county", [2, 1, 1, 2, 1, 1]),
    "Z": ("county", [3, 3, 2, 3, 3, 3]),
    "P": ("district", [1, 1, None, None, None, None]),
    "Q": ("district", [2, 1, None, None, None, None]),
    "S": ("solo", [1, 1, 1, None, None, None]),
}
QUARTERS = ["2019Q4", "2020Q1", "2020Q2", "2020Q3", "2020Q4", "2021Q2"]


@pytest.fixture()
def con():
    con = duckdb.connect()
    ensure_schema(con, load_returns())
    for unit, (group, ranks) in RANKS.items():
        for quarter, rank in zip(QUARTERS, ranks):
            if rank is not None:
                con.execute("insert into quarter_results (quarter, unit_code, unit_name, unit_group, score_a, score_b, "
                            "score_c, score_d, total, group_rank, reward_yuan, tie, status, rubric_version) "
                            "values (?, ?, ?, ?, 0, 0, 0, 0, 0, ?, 0, false, 'final', 'test')",
                            [quarter, unit, unit, group, rank])
    yield con
    con.close()


def movement(con):
    with build_schema(con):
        update_quarter_movement(con)
    rows = con.execute("select quarter, unit_code, rank_change, streak_first, streak_last from quarter_results").fetchall()
    return {(q, u): (c, f, l) for q, u, c, f, l in rows}


def test_quarter_movement_and_streaks(con):
    got = movement(con)
    # (rank_change, streak_first, streak_last)
    expected = {
        ("2019Q4", "X"): (None, 1, 0), ("2019Q4", "Y"): (None, 0, 0), ("2019Q4", "Z"): (None, 0, 1),
        # Q1 against the previous year's Q4
        ("2020Q1", "X"): (-1, 0, 0), ("2020Q1", "Y"): (1, 1, 0), ("2020Q1", "Z"): (0, 0, 2),
        # X and Z tied for last: both last
        ("2020Q2", "X"): (0, 0, 1), ("2020Q2", "Y"): (0, 2, 0), ("2020Q2", "Z"): (1, 0, 3),
        ("2020Q3", "X"): (1, 1, 0), ("2020Q3", "Y"): (-1, 0, 0), ("2020Q3", "Z"): (-1, 0, 4),
        # Y's first streak broken in Q3 and resumed
        ("2020Q4", "X"): (-1, 0, 0), ("2020Q4", "Y"): (1, 1, 0), ("2020Q4", "Z"): (0, 0, 5),
        # 2021Q1 not stored: nothing to compare with, streaks restart
        ("2021Q2", "X"): (None, 0, 0), ("2021Q2", "Y"): (None, 1, 0), ("2021Q2", "Z"): (None, 0, 1),
        ("2019Q4", "P"): (None, 1, 0), ("2019Q4", "Q"): (None, 0, 1),
        # the whole group tied: both first and last
        ("2020Q1", "P"): (0, 2, 1), ("2020Q1", "Q"): (1, 1, 2),
        # a group of one has a first but no last
        ("2019Q4", "S"): (None, 1, 0), ("2020Q1", "S"): (0, 2, 0), ("2020Q2", "S"): (0, 3, 0),
    }
    assert got == expected


def test_a_rerun_quarter_corrects_the_next(con):
    movement(con)
    # 2020Q3 re-run: Y now first, X second → 2020Q4 sees no change for Y and X, and Y's streak runs on
    con.execute("update quarter_results set group_rank = 3 - group_rank where quarter = '2020Q3' and unit_code in ('X', 'Y')")
    got = movement(con)
    assert got[("2020Q3", "Y")] == (0, 3, 0)
    assert got[("2020Q4", "Y")] == (0, 4, 0)
    assert got[("2020Q4", "X")] == (0, 0, 0)


def test_annual_movement_against_the_previous_year():
    con = duckdb.connect()
    ensure_schema(con, load_returns())
    for year, ranks in ((2019, {"X": 1, "Y": 2, "Z": 3}), (2020, {"Y": 1, "Z": 2, "X": 3}), (2022, {"X": 1, "Y": 2, "Z": 3})):
        for unit, rank in ranks.items():
            con.execute("insert into annual_results (year, unit_code, unit_name, unit_group, score_a, score_b, score_c, "
                        "score_d, total, group_rank, reward_yuan, tie, quarters_used, status) "
                        "values (?, ?, ?, 'county', 0, 0, 0, 0, 0, ?, 0, false, '', 'final')", [year, unit, unit, rank])
    with build_schema(con):
        update_annual_movement(con)
    got = dict(((y, u), c) for y, u, c in con.execute("select year, unit_code, rank_change from annual_results").fetchall())
    assert got == {(2019, "X"): None, (2019, "Y"): None, (2019, "Z"): None,
                   (2020, "X"): -2, (2020, "Y"): 1, (2020, "Z"): 1,
                   # 2021 not stored
                   (2022, "X"): None, (2022, "Y"): None, (2022, "Z"): None}


def test_a_warehouse_without_the_movement_columns_gets_them():
    con = duckdb.connect()
    ensure_schema(con, load_returns())
    for table, column in (("quarter_results", "rank_change"), ("quarter_results", "streak_first"),
                          ("quarter_results", "streak_last"), ("annual_results", "rank_change")):
        con.execute(f"alter table {table} drop column {column}")
    ensure_schema(con, load_returns())  # an older sbsk's warehouse opened by this one
    got = con.execute("select table_name, column_name, comment from duckdb_columns() "
                      "where column_name in ('rank_change', 'streak_first', 'streak_last') "
                      "and table_name in ('quarter_results', 'annual_results') "
                      "order by 1, 2").fetchall()
    assert [(t, c) for t, c, _ in got] == [("annual_results", "rank_change"), ("quarter_results", "rank_change"),
                                           ("quarter_results", "streak_first"), ("quarter_results", "streak_last")]
    assert all(comment for _, _, comment in got)
