"""The rubric, the registry and the return definitions are data, validated when loaded: a broken
entry stops everything with a message that names it."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from builders import indicator_doc, rubric_doc
from sbsk.schemas import load_returns
from sbsk.schemas.definitions import DefinitionError, parse_definitions
from sbsk.config.registry import RegistryError, load_registry
from sbsk.config.rubric import RUBRIC_FILE, RubricError, parse_rubric

CODES = set(load_returns().returns)
_rubric, _indicator = rubric_doc, indicator_doc


def test_default_rubric_loads():
    rubric = parse_rubric(_rubric(), CODES)
    assert rubric.version == "2020.1"
    assert [i.code for i in rubric.indicators] == [
        "A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8",
        "D1", "D2", "D3"]
    assert sum(i.max_points for i in rubric.indicators) == 100


@pytest.mark.parametrize("breakage, message", [
    (lambda d: _indicator(d, "A2").update(max_points=11),
     "indicator A2: part shares add up to 10, not its max_points 11"),
    (lambda d: _indicator(d, "C5")["parts"][0].update(share=4.1),
     "indicator C5: part shares add up to 6.9, not its max_points 7"),
    (lambda d: _indicator(d, "B3")["parts"][0].update(method="ratio"),
     "indicator B3 part 1: unknown method 'ratio'"),
    (lambda d: _indicator(d, "C1")["parts"][1].update(source="R99"),
     "indicator C1 part 2: source 'R99' is not a return code"),
    (lambda d: d["indicators"].append(copy.deepcopy(_indicator(d, "D3"))),
     "indicator D3: indicator code is listed twice"),
    (lambda d: d["categories"][0].update(max_points=31),
     "rubric: category maxima add up to 101, not total_points 100"),
    (lambda d: _indicator(d, "D2").update(category="E"),
     "indicator D2: category 'E' is not defined"),
    (lambda d: d.update(time_progress=[0.25, 0.5, 0.75]),
     "time_progress: needs four values"),
    (lambda d: d["rewards"].update(tie_break=["C", "A", "B"]),
     "rewards.tie_break: must list each category once"),
    (lambda d: d.pop("years"), "years: needs a list of the whole years the rubric governs, e.g. years = [2020]"),
    (lambda d: d.update(years=[2020, 2021, 2020]), "years: a year is listed twice in [2020, 2021, 2020]"),
    (lambda d: d.update(years=["2020"]), "years: needs a list of the whole years"),
    # the scoring keeps a target to 6 places and a share to 4 exactly: more would be cut silently
    (lambda d: _indicator(d, "C6")["parts"][0].update(target=0.3333333),
     "indicator C6 part 1.target: 0.3333333 has more than 6 decimal places"),
    (lambda d: _indicator(d, "C5")["parts"][0].update(share=4.20001),
     "indicator C5 part 1.share: 4.20001 has more than 4 decimal places"),
])
def test_broken_rubric_names_the_bad_entry(breakage, message):
    doc = _rubric()
    breakage(doc)
    with pytest.raises(RubricError) as err:
        parse_rubric(doc, CODES)
    assert message in str(err.value)


def test_moving_points_between_indicators_of_a_category_is_caught():
    doc = _rubric()
    _indicator(doc, "A2").update(max_points=9)
    _indicator(doc, "A2")["parts"][0].update(share=4)
    with pytest.raises(RubricError, match="category A: indicator maxima add up to 29, not its max_points 30"):
        parse_rubric(doc, CODES)


def test_a_metric_no_model_produces_stops_the_run(dirs):
    """Caught when the SQL has run: the metric names must be ones the intermediate models produce."""
    import duckdb

    from sbsk.config.periods import Quarter
    from sbsk.store.models import prepare_quarter, score_quarter
    from sbsk.store.warehouse import build_schema, ensure_schema

    doc = _rubric()
    _indicator(doc, "B1")["parts"][0].update(metric="external_paid")
    rubric = parse_rubric(doc, CODES)
    con = duckdb.connect()
    ensure_schema(con, load_returns())
    with build_schema(con), pytest.raises(RubricError, match="indicator B1 part 1: metric 'external_paid'"):
        prepare_quarter(con, Quarter(2020, 3), rubric, load_registry(), set())
        score_quarter(con, rubric)


UNITS_HEADER = "unit_code,unit_name,unit_group,valid_from,valid_to,aliases\n"


@pytest.mark.parametrize("rows, message", [
    ("410581,林州市,county,2020,,林州\n410581,林州,county,2020,,\n", "unit_code 410581 is listed twice"),
    ("410581,林州市,province,2020,,\n", "line 2 (410581 林州市): unit_group 'province' is not one of"),
    ("41058,林州市,county,2020,,\n", "line 2 (41058 林州市): unit_code must be a six-digit division code"),
    ("410581,林州市,county,2020,,林州\n410522,安阳县,county,2020,,林州\n",
     "name or alias '林州' belongs to both 410581 and 410522"),
    ("410581,林州市,county,2021,2020,\n", "valid_to is before valid_from"),
])
def test_broken_registry_names_the_bad_entry(tmp_path, rows, message):
    units = tmp_path / "units.csv"
    units.write_text(UNITS_HEADER + rows, encoding="utf-8")
    groups = tmp_path / "groups.csv"
    groups.write_text("unit_group,label,sort_order\ncounty,县(市)组,1\ndistrict,区组,2\n", encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        load_registry(units, groups)
    assert message in str(err.value)


def test_registry_validity_years_add_a_functional_zone_without_code(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text(UNITS_HEADER + "410581,林州市,county,2020,,\n410571,安阳高新区,district,2021,,高新区\n",
                     encoding="utf-8")
    groups = tmp_path / "groups.csv"
    groups.write_text("unit_group,label,sort_order\ncounty,县(市)组,1\ndistrict,区组,2\n", encoding="utf-8")
    registry = load_registry(units, groups)
    assert [u.code for u in registry.for_year(2020)] == ["410581"]
    assert [u.code for u in registry.for_year(2021)] == ["410581", "410571"]
    assert registry.resolve("高新区", 2021) == "410571"
    assert registry.resolve("高新区", 2020) is None


def test_unit_names_as_clerks_write_them():
    registry = load_registry()
    for text, code in [("林州", "410581"), (" 汤阴县 ", "410523"), ("湯陰縣", "410523"), ("龍安區", "410506"),
                       ("內黃縣", "410527"), ("林州市人民政府", "410581"), ("殷都區", "410505")]:
        assert registry.resolve(text, 2020) == code, text
    assert registry.resolve("安阳市", 2020) is None


def test_broken_return_definition_names_the_entry():
    with open(Path(load_returns.__wrapped__.__defaults__[0]), "rb") as fh:
        doc = tomllib.load(fh)
    doc["returns"][5]["columns"][3]["max_field"] = "allocation"
    with pytest.raises(DefinitionError, match="R06.paid: refers to unknown field 'allocation'"):
        parse_definitions(doc)


def test_a_broken_rubric_stops_the_command(tmp_path):
    import os
    import subprocess
    import sys

    text = RUBRIC_FILE.read_text(encoding="utf-8").replace('share = 3, method = "relative", source = "R02"',
                                                           'share = 3, method = "relative", source = "R2"')
    broken = tmp_path / "rubric.toml"
    broken.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sbsk.cli", "check", str(tmp_path)], capture_output=True, text=True,
                          env={**os.environ, "SBSK_RUBRIC": str(broken)}, timeout=60)
    assert done.returncode == 1
    assert "indicator B1 part 1: source 'R2' is not a return code" in done.stderr
    assert "Traceback" not in done.stderr


def test_time_progress_configurable_per_indicator(tmp_path, monkeypatch, dirs):
    from builders import baseline, write_quarter
    from conftest import evaluate, query

    text = RUBRIC_FILE.read_text(encoding="utf-8").replace(
        'metric = "central_budget_progress" }', 'metric = "central_budget_progress", time_progress = [0.3, 0.5, 0.7, 1] }')
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SBSK_RUBRIC", str(rubric))
    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline())  # every unit has paid 50 of 100 allocated
    evaluate(raw, out, "2020Q3")
    points = query(out, "select indicator_code, min(points), max(points) from indicator_scores "
                        "where indicator_code in ('C6', 'C7') group by 1 order by 1")
    # C6: 5 × min(0.5 / 0.7, 1) = 3.5714… → 3.57; C7 keeps t(3) = 0.75: 5 × 0.5 / 0.75 = 3.333… → 3.33
    assert [(c, float(lo), float(hi)) for c, lo, hi in points] == [("C6", 3.57, 3.57), ("C7", 3.33, 3.33)]
