"""Which rubric scores a period (SPEC §5, rubric versions): the one file of the reference set whose
`years` hold the period's year; --rubric / SBSK_RUBRIC override; none or two is an error naming the
year and the files."""

from __future__ import annotations

import shutil

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
