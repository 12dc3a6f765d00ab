"""The analyst views (transforms/views/, one view per file, file name = view name).

They are views, not tables, so they always show what the tables hold and need no step of their own
in a run; they are re-created with the schema on every write. They are stored in the database and
bound again by whichever client opens it, so their SQL must be what DuckDB 1.x parses too
(tests/test_old_clients.py runs the examples of docs/analysts.md over them in the 1.x clients).

Two inputs come from their single definitions rather than being repeated in SQL: the returns'
owners and the departments' names (schemas/returns.toml), and the flags' printed labels
(config/labels.py, which the bulletin prints too), worded with the rubric in force when the
database is written.
"""

from __future__ import annotations

import duckdb

from sbsk import TRANSFORMS_DIR
from sbsk.config.labels import flag_labels
from sbsk.config.rubric import load_rubric
from sbsk.schemas.definitions import Definitions

VIEWS_DIR = TRANSFORMS_DIR / "views"
# the order of the data dictionary; a new file in transforms/views/ comes after these
ORDER = ("unit_quarter_ranks", "indicator_points", "department_submissions", "unit_flags")


def view_names() -> list[str]:
    found = {p.stem for p in VIEWS_DIR.glob("*.sql")}
    return [v for v in ORDER if v in found] + sorted(found - set(ORDER))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _values(rows: list[tuple[str, ...]]) -> str:
    return ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)


def render(name: str, defs: Definitions) -> str:
    sql = (VIEWS_DIR / f"{name}.sql").read_text(encoding="utf-8")
    inputs = {
        "{owned_returns}": _values([(r.code, r.title, r.owner, r.period) for r in defs.all_returns.values()]),
        "{departments}": _values([(d.code, d.name) for d in defs.departments.values()]),
        "{flag_labels}": _values(sorted(flag_labels(load_rubric()).items())),
    }
    for key, value in inputs.items():
        sql = sql.replace(key, value)
    return sql


def create_views(con: duckdb.DuckDBPyConnection, defs: Definitions) -> None:
    for name in view_names():
        con.execute(render(name, defs))
