"""One definition of labels (sbsk/config/labels.py): every flag the SQL models and the pipeline can
emit has a label and nothing else does, the wording takes its values from the rubric the quarter was
scored with, and no output keeps a label table of its own."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from sbsk.config import labels
from sbsk.config.periods import Quarter
from sbsk.config.rubric import METHODS, RUBRIC_FILE, load_rubric
from sbsk.outputs.bulletin.flags import write_flags_sheet

ROOT = Path(__file__).resolve().parents[1]

_AS_FLAG = re.compile(r"'([a-z_]+)'\s+as\s+flag\b", re.I)
_CASE_AS_FLAG = re.compile(r"\bcase\b((?:(?!\bcase\b).)*?)\bend\s+as\s+flag\b", re.I | re.S)
_THEN = re.compile(r"\bthen\s+'([a-z_]+)'", re.I)
_DICT_FLAG = re.compile(r"""["']flag["']\s*:\s*["']([a-z_]+)["']""")
_INSERT = re.compile(r"insert\s+into\s+(?:main\.)?data_flags\s*\(([^)]*)\)\s*(values\s*\(|select\s)", re.I)


def _top_level(text: str) -> list[str]:
    """The items of a SQL list (from just inside `values (` or after `select`), split at the commas
    outside parentheses and quotes, up to the closing parenthesis or a top-level `from`."""
    parts, depth, quoted, start, end = [], 0, False, 0, len(text)
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            if depth == 0:
                end = i
                break
            depth -= 1
        elif depth == 0 and ch == ",":
            parts.append(text[start:i].strip())
            start = i + 1
        elif depth == 0 and re.match(r"\sfrom\b", text[i:i + 6], re.I):
            end = i
            break
    return parts + [text[start:end].strip()]


def flags_in_sql(sql: str) -> set[str]:
    """Flag codes a SQL text writes: `'x' as flag`, each `then 'x'` of a `case … end as flag`, and the
    literal in the flag position of an `insert into data_flags (…) values/select …`."""
    found = set(_AS_FLAG.findall(sql))
    for block in _CASE_AS_FLAG.findall(sql):
        found |= set(_THEN.findall(block))
    for found_insert in _INSERT.finditer(sql):
        names = [c.strip().lower() for c in found_insert.group(1).split(",")]
        if "flag" in names:
            exprs = _top_level(sql[found_insert.end():])
            literal = re.fullmatch(r"'([a-z_]+)'", exprs[names.index("flag")])
            if literal:
                found.add(literal.group(1))
    return found


def flags_in_python(source: str) -> set[str]:
    """Flag codes a Python module writes: a {"flag": "x"} row, or SQL it runs (as flags_in_sql)."""
    return set(_DICT_FLAG.findall(source)) | flags_in_sql(source)


def emitted_flags() -> dict[str, list[str]]:
    """Every flag code the SQL models and the Python code can write → the files that write it."""
    found: dict[str, list[str]] = {}
    sources = [(p, flags_in_sql) for p in sorted((ROOT / "transforms").rglob("*.sql"))]
    sources += [(p, flags_in_python) for top in ("sbsk", "flows") for p in sorted((ROOT / top).rglob("*.py"))]
    for path, scan in sources:
        for flag in scan(path.read_text(encoding="utf-8")):
            found.setdefault(flag, []).append(path.relative_to(ROOT).as_posix())
    return found


def test_the_scan_reads_each_way_a_flag_is_written():
    assert flags_in_sql("select unit_code, 'over_plan' as flag, detail from rows") == {"over_plan"}
    assert flags_in_sql("""case when s then {'n': 0} end as frac,
                           case when a then 'missing_return' when b then 'no_base' end as flag""") == \
        {"missing_return", "no_base"}
    assert flags_in_sql("insert into main.data_flags (quarter, return_code, flag, detail) "
                        "values (?, format('{}', ?), 'missing_return', ?)") == {"missing_return"}
    assert flags_in_sql("insert into main.data_flags (quarter, unit_code, flag, detail) "
                        "select quarter, unit_code, 'tie', format('{}, {}', a, b) from t where tie") == {"tie"}
    assert flags_in_sql("insert into main.data_flags (q, flag) select q, f.flag from t") == set()
    assert flags_in_python('rows.append({"unit_code": None, "flag": "total_mismatch"})') == {"total_mismatch"}


def test_the_scan_finds_the_flags_read_in_the_code():
    # read by hand: int_flags_*.sql (4), indicator_scores.sql (missing_return, missing_assessment,
    # no_base), pipeline.py (missing_return, tie), ingest (total_mismatch), safety (formula_value)
    assert set(emitted_flags()) >= {"suspect_start", "cumulative_decrease", "duplicate_project", "over_plan",
                                    "missing_return", "missing_assessment", "no_base", "tie", "total_mismatch",
                                    "formula_value"}


def test_every_flag_that_can_be_emitted_has_a_label_and_only_those():
    found = emitted_flags()
    unlabelled = {f: found[f] for f in sorted(set(found) - set(labels.FLAGS))}
    assert not unlabelled, f"flags without a label in sbsk/config/labels.py FLAGS: {unlabelled}"
    unused = sorted(set(labels.FLAGS) - set(found))
    assert not unused, f"labels of flags nothing emits (remove them from FLAGS): {unused}"


def test_every_method_has_a_label():
    assert set(labels.METHODS) == METHODS


def _rubric_with(tmp_path: Path, version: str, ratio: str) -> Path:
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    text = re.sub(r'^version = ".*"$', f'version = "{version}"', text, count=1, flags=re.M)
    text = re.sub(r"^over_plan_ratio = [0-9.]+", f"over_plan_ratio = {ratio}", text, count=1, flags=re.M)
    path = tmp_path / f"rubric-{version}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_over_plan_label_takes_the_ratio_from_the_rubric(tmp_path):
    assert labels.flag_labels(load_rubric())["over_plan"] == "完成投资超计划1.5倍"
    assert labels.flag_labels(load_rubric(_rubric_with(tmp_path, "t.2", "2")))["over_plan"] == "完成投资超计划2倍"
    assert labels.flag_labels(load_rubric(_rubric_with(tmp_path, "t.3", "1.25")))["over_plan"] == \
        "完成投资超计划1.25倍"


def _flags_sheet_label(con: duckdb.DuckDBPyConnection) -> str:
    ws = Workbook().active
    write_flags_sheet(ws, con, Quarter.parse("2020Q3"))
    return ws.cell(3, 3).value


@pytest.fixture
def flag_db():
    con = duckdb.connect()
    con.execute((ROOT / "transforms" / "contract.sql").read_text(encoding="utf-8"))
    con.execute("insert into data_flags values ('2020Q3', '410581', 'R04', 'over_plan', '超过', 'a.xlsx', 'S', 7)")
    yield con
    con.close()


def _scored_with(con: duckdb.DuckDBPyConnection, version: str) -> None:
    con.execute("insert into quarter_results (quarter, unit_code, unit_name, unit_group, score_a, score_b, score_c, score_d, total, group_rank, reward_yuan, tie, status, rubric_version) values ('2020Q3', '410581', '林州市', 'county', 1, 1, 1, 1, 4, 1, 0, "
                "false, 'final', ?)", [version])


def test_the_flags_sheet_labels_with_the_rubric_the_quarter_was_scored_with(flag_db, tmp_path, monkeypatch):
    # the rubric in force says 2; the quarter was scored with 2020.1 (1.5), whose file is in reference/
    monkeypatch.setenv("SBSK_RUBRIC", str(_rubric_with(tmp_path, "t.2", "2")))
    _scored_with(flag_db, "2020.1")
    assert _flags_sheet_label(flag_db) == "完成投资超计划1.5倍"


def test_the_flags_sheet_of_a_quarter_not_scored_labels_with_the_rubric_in_force(flag_db, tmp_path, monkeypatch):
    monkeypatch.setenv("SBSK_RUBRIC", str(_rubric_with(tmp_path, "t.2", "2")))
    assert _flags_sheet_label(flag_db) == "完成投资超计划2倍"
    _scored_with(flag_db, "t.2")  # a version with no file in reference/: the rubric in force, which is it
    assert _flags_sheet_label(flag_db) == "完成投资超计划2倍"


def test_no_output_keeps_a_label_table_of_its_own():
    # a flag code or a method as a dict key with Chinese text ("over_plan": "完成…") belongs in labels.py only
    codes = set(labels.FLAGS) | set(labels.METHODS)
    key = re.compile(r"""["'](%s)["']\s*:\s*["'][^"']*[^\x00-\x7f]""" % "|".join(sorted(codes)))
    owners = sorted(p.relative_to(ROOT).as_posix() for top in ("sbsk", "flows") for p in (ROOT / top).rglob("*.py")
                    if p.name != "labels.py" and key.search(p.read_text(encoding="utf-8")))
    assert owners == [], f"label tables outside sbsk/config/labels.py: {owners}"
