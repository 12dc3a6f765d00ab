"""Which rubric scores a period (SPEC §5, rubric versions): the one file of the reference set whose
`years` hold the period's year; --rubric / SBSK_RUBRIC override; none or two is an error naming the
year and the files."""

from __future__ import annotations

import shutil
from decimal import Decimal
from importlib.metadata import version

import pytest

from sbsk.config.rubric import RUBRIC_FILE, RubricError
from sbsk.config.rubric_years import NoRubricForYear, rubric_for_year


def write_rubric(folder, name: str, version: str, years: str, extra: tuple[str, str] | None = None):
    """A copy of the shipped rubric with another version and years (and one text replacement)."""
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    text = text.replace('version = "2020.1"', f'version = "{version}"', 1).replace("years = [2020]", years, 1)
    if extra:
        assert extra[0] in text
        text = text.replace(*extra)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def reference(tmp_path, monkeypatch):
    monkeypatch.delenv("SBSK_RUBRIC", raising=False)
    folder = tmp_path / "reference"
    folder.mkdir()
    shutil.copy(RUBRIC_FILE, folder / RUBRIC_FILE.name)
    write_rubric(folder, "rubric-2021.1.toml", "2021.1", "years = [2021, 2022]")
    return folder


def test_the_rubric_governing_the_year_is_chosen(reference):
    r2020 = rubric_for_year(2020, reference_dir=reference)
    assert (r2020.version, r2020.years, r2020.path, r2020.chosen_by) == (
        "2020.1", (2020,), reference / "rubric-2020.1.toml", "year")
    for year in (2021, 2022):
        r = rubric_for_year(year, reference_dir=reference)
        assert (r.version, r.years, r.path.name) == ("2021.1", (2021, 2022), "rubric-2021.1.toml")


def test_the_shipped_rubric_governs_2020():
    rubric = rubric_for_year(2020)
    assert (rubric.version, rubric.years, rubric.path.name) == ("2020.1", (2020,), "rubric-2020.1.toml")


def test_no_rubric_for_the_year_names_the_year_and_the_files(reference):
    with pytest.raises(NoRubricForYear) as err:
        rubric_for_year(2023, reference_dir=reference)
    message = str(err.value)
    assert message.startswith("没有适用于2023年的评分细则")
    assert "rubric-2020.1.toml（years = [2020]）" in message and "rubric-2021.1.toml（years = [2021, 2022]）" in message


def test_two_rubrics_claiming_a_year_is_an_error_naming_both(reference):
    write_rubric(reference, "rubric-2021.2.toml", "2021.2", "years = [2021]")
    with pytest.raises(RubricError) as err:
        rubric_for_year(2021, reference_dir=reference)
    assert not isinstance(err.value, NoRubricForYear)
    assert str(err.value).startswith("2021年有2个评分细则文件：rubric-2021.1.toml、rubric-2021.2.toml")
    # the other years are still governed by one file each
    assert rubric_for_year(2022, reference_dir=reference).version == "2021.1"
    assert rubric_for_year(2020, reference_dir=reference).version == "2020.1"


def test_a_rubric_file_without_years_is_an_error_naming_it(reference):
    (reference / "rubric-2019.toml").write_text(
        RUBRIC_FILE.read_text(encoding="utf-8").replace("years = [2020]\n", ""), encoding="utf-8")
    with pytest.raises(RubricError, match=r"rubric-2019\.toml: years: needs a list of the whole years"):
        rubric_for_year(2020, reference_dir=reference)


def test_override_wins_and_says_so(reference, tmp_path, monkeypatch):
    other = write_rubric(tmp_path, "mine.toml", "2020.9", "years = [2020]")
    r = rubric_for_year(2023, override=other, reference_dir=reference)   # no file governs 2023: the override does
    assert (r.version, r.path, r.chosen_by) == ("2020.9", other, "--rubric")
    monkeypatch.setenv("SBSK_RUBRIC", str(other))
    r = rubric_for_year(2021, reference_dir=reference)
    assert (r.version, r.chosen_by) == ("2020.9", "SBSK_RUBRIC")
    r = rubric_for_year(2021, override=reference / "rubric-2021.1.toml", reference_dir=reference)
    assert (r.version, r.chosen_by) == ("2021.1", "--rubric")             # --rubric beats the environment


# ---- runs: the rubric of the period's year, recorded ----

@pytest.fixture
def reference_set(tmp_path, monkeypatch):
    """The shipped reference set, plus a 2021 rubric whose C6 runs against its own time progress
    (t(Q3) = 0.6 instead of 0.75)."""
    from sbsk import REFERENCE_DIR

    monkeypatch.delenv("SBSK_RUBRIC", raising=False)
    folder = tmp_path / "reference"
    folder.mkdir()
    for name in ("rubric-2020.1.toml", "units.csv", "unit_groups.csv"):
        shutil.copy(REFERENCE_DIR / name, folder / name)
    write_rubric(folder, "rubric-2021.1.toml", "2021.1", "years = [2021]",
                 ('metric = "central_budget_progress" }',
                  'metric = "central_budget_progress", time_progress = [0.25, 0.5, 0.6, 1] }'))
    return folder


def _run(raw, out, quarter, reference, rubric_file=None):
    from sbsk import pipeline

    state = pipeline.evaluate(quarter, raw, out, up_to="publish", reference_dir=reference, rubric_file=rubric_file)
    assert state["status"] == "done"
    return state["run_id"]


def test_a_run_scores_by_the_rubric_of_its_year_and_records_it(dirs, reference_set, tmp_path):
    from builders import baseline, write_quarter
    from conftest import query
    from sbsk.fingerprint import code_version

    raw, out = dirs
    for q in ("2020Q3", "2021Q3"):
        write_quarter(raw, q, baseline())    # every unit paid 50 of 100 of central budget
    first = _run(raw, out, "2020Q3", reference_set)
    _run(raw, out, "2021Q3", reference_set)
    again = _run(raw, out, "2020Q3", reference_set)   # re-run later, with the 2021 rubric in the set
    c6 = dict(query(out, "select quarter, any_value(points) from indicator_scores where indicator_code = 'C6' "
                         "group by 1"))
    # 2020Q3 by 2020.1: 5 × 0.5 / 0.75 = 3.333… → 3.33; 2021Q3 by 2021.1: 5 × 0.5 / 0.6 = 4.1666… → 4.17
    assert c6 == {"2020Q3": Decimal("3.33"), "2021Q3": Decimal("4.17")}
    assert query(out, "select distinct quarter, rubric_version from quarter_results order by 1") == [
        ("2020Q3", "2020.1"), ("2021Q3", "2021.1")]
    runs = query(out, "select run_id, quarter, rubric_version, rubric_file, rubric_chosen_by, reference_set, "
                      "code_version from pipeline_runs order by started_at")
    assert [r[1:5] for r in runs] == [
        ("2020Q3", "2020.1", str(reference_set / "rubric-2020.1.toml"), "year"),
        ("2021Q3", "2021.1", str(reference_set / "rubric-2021.1.toml"), "year"),
        ("2020Q3", "2020.1", str(reference_set / "rubric-2020.1.toml"), "year")]
    assert [r[0] for r in runs][::2] == [first, again]
    assert {r[5] for r in runs} == {str(reference_set)}
    assert {r[6] for r in runs} == {code_version()}
    release, fingerprint = code_version().split("+")
    assert release == version("sbsk") and len(fingerprint) == 16


def test_an_override_is_recorded_with_the_run(dirs, reference_set, tmp_path):
    from builders import baseline, write_quarter
    from conftest import query

    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline())
    mine = write_rubric(tmp_path, "mine.toml", "2020.9", "years = [2020]",
                        ('metric = "central_budget_progress" }',
                         'metric = "central_budget_progress", time_progress = [0.25, 0.5, 0.6, 1] }'))
    _run(raw, out, "2020Q3", reference_set, rubric_file=mine)
    assert query(out, "select rubric_version, rubric_file, rubric_chosen_by from pipeline_runs") == [
        ("2020.9", str(mine), "--rubric")]
    assert query(out, "select distinct points from indicator_scores where indicator_code = 'C6'") == [
        (Decimal("4.17"),)]   # 5 × 0.5 / 0.6 by the override


def test_a_year_claimed_twice_stops_the_command_and_changes_nothing(dirs, reference_set, monkeypatch, capsys):
    from builders import baseline, write_quarter
    from sbsk.cli import main

    raw, out = dirs
    write_quarter(raw, "2021Q3", baseline())
    write_rubric(reference_set, "rubric-2021.2.toml", "2021.2", "years = [2021]")
    with pytest.raises(RubricError, match="2021年有2个评分细则文件：rubric-2021.1.toml、rubric-2021.2.toml"):
        _run(raw, out, "2021Q3", reference_set)
    assert not (out / "sbsk.duckdb").exists()
    monkeypatch.setattr("sbsk.config.rubric_years.REFERENCE_DIR", reference_set)
    assert main(["check", str(raw / "2021Q3")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sbsk: 配置错误（reference data）：2021年有2个评分细则文件：") and "Traceback" not in err


def test_a_year_claimed_twice_leaves_a_warehouse_as_it_was(dirs, reference_set, monkeypatch):
    """With results stored, neither a quarter nor a month of the year claimed twice changes a byte."""
    import hashlib

    from builders import baseline, write_quarter
    from sbsk.dispatch import evaluate_dispatch

    raw, out = dirs
    for period in ("2020Q3", "2021Q3", "2021-07"):
        write_quarter(raw, period, baseline())
    _run(raw, out, "2020Q3", reference_set)
    write_rubric(reference_set, "rubric-2021.2.toml", "2021.2", "years = [2021]")
    monkeypatch.setattr("sbsk.config.rubric_years.REFERENCE_DIR", reference_set)
    digest = lambda: {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*") if p.is_file()}
    before = digest()
    with pytest.raises(RubricError, match="2021年有2个评分细则文件：rubric-2021.1.toml、rubric-2021.2.toml"):
        _run(raw, out, "2021Q3", reference_set)
    with pytest.raises(RubricError, match="2021年有2个评分细则文件"):
        evaluate_dispatch("2021-07", raw, out)
    assert digest() == before


def test_the_recorded_code_version_changes_with_a_scoring_model(tmp_path, monkeypatch):
    """pipeline_runs.code_version names the code that decided the result: an edit to one SQL model
    (which the cache fingerprint leaves out) gives another version, an unchanged tree the same one."""
    from sbsk import fingerprint

    fingerprint.code_fingerprint()                     # the Python side, computed from the real tree
    models = tmp_path / "transforms"
    shutil.copytree(fingerprint._folder("sbsk.transforms"), models)
    real = fingerprint._folder
    monkeypatch.setattr(fingerprint, "_folder", lambda p: models if p == "sbsk.transforms" else real(p))
    try:
        fingerprint.code_version.cache_clear()
        before = fingerprint.code_version()
        fingerprint.code_version.cache_clear()
        assert fingerprint.code_version() == before
        sql = models / "marts" / "indicator_scores.sql"
        sql.write_text(sql.read_text(encoding="utf-8") + "\n-- an edit\n", encoding="utf-8")
        fingerprint.code_version.cache_clear()
        after = fingerprint.code_version()
        assert after != before and after.split("+")[0] == before.split("+")[0]
    finally:
        fingerprint.code_version.cache_clear()         # the other tests see the real tree's version
