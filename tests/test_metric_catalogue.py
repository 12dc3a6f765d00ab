"""The metric catalogue (transforms/intermediate/metrics.toml) documents exactly what the
int_*_metrics models produce, model by model, in both directions; its kinds agree with the models'
denominators, and its wording takes the rubric's values."""

from __future__ import annotations

import re
import tomllib

import duckdb
import pytest

from sbsk.config.metrics import METRICS_FILE, CatalogueError, load_catalogue, parse_catalogue
from sbsk.config.periods import Quarter
from sbsk.config.registry import load_registry
from sbsk.config.rubric import RUBRIC_FILE, load_rubric
from sbsk.schemas import load_returns
from sbsk.store.models import prepare_quarter
from sbsk.store.warehouse import build_schema, ensure_schema, run_models


def _produced(rubric) -> dict[str, dict[str, set]]:
    """Run the intermediate models on a warehouse with no staged rows: every metric model still emits
    each of its metrics for every active unit. Model → metric → the set of its denominators."""
    con = duckdb.connect()
    try:
        ensure_schema(con, load_returns())
        with build_schema(con):
            prepare_quarter(con, Quarter.parse("2020Q3"), rubric, load_registry(), set())
            out: dict[str, dict[str, set]] = {}
            for model in run_models(con, "intermediate"):
                if model.endswith("_metrics"):
                    out[model] = {}
                    for metric, den in con.execute(f"select distinct metric, den from build.{model}").fetchall():
                        out[model].setdefault(metric, set()).add(den)
            return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def produced() -> dict[str, dict[str, set]]:
    return _produced(load_rubric())


def _mismatches(produced: dict[str, dict[str, set]], catalogue) -> list[str]:
    problems = []
    documented = {m.model for m in catalogue.metrics}
    for model in sorted(set(produced) - documented):
        problems.append(f"model {model} is not in metrics.toml (it produces {sorted(produced[model])})")
    for metric in catalogue.metrics:
        if metric.model not in produced:
            problems.append(f"[{metric.model}] in metrics.toml is no int_*_metrics model in transforms/intermediate")
        elif not any(metric.pattern().fullmatch(name) for name in produced[metric.model]):
            problems.append(f"{metric.model}.{metric.name} is documented but the model does not produce it")
    for model, metrics in sorted(produced.items()):
        for name in sorted(metrics):
            found = catalogue.entry(name)
            if found is None or found[0].model != model:
                problems.append(f"{model} produces {name}, which metrics.toml does not document under [{model}]")
    return problems


def test_the_catalogue_documents_exactly_what_the_models_produce(produced):
    problems = _mismatches(produced, load_catalogue())
    assert not problems, "metrics.toml and transforms/intermediate disagree:\n  " + "\n  ".join(problems)


def test_a_metric_that_is_no_fraction_has_den_1_and_a_fraction_does_not(produced):
    # with nothing staged, a share or ratio divides by an empty sum or count (0); the others by 1
    catalogue = load_catalogue()
    wrong = []
    for model, metrics in produced.items():
        for name, dens in metrics.items():
            found = catalogue.entry(name)
            if found is None:
                continue  # reported by the test above
            metric = found[0]
            if metric.is_fraction == (dens == {1}):
                wrong.append(f"{name} ({metric.kind}): den {sorted(dens)}")
    assert not wrong, wrong


def test_the_rubric_decides_which_assessor_metrics_there_are(tmp_path):
    # a rubric that has the assessor score C1 too: the model emits assessor_C1, the pattern documents it
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    c1 = ('parts = [\n  { share = 3, method = "threshold", source = "R03", metric = "event_count", min_count = 1 },\n'
          '  { share = 2, method = "relative", source = "R03", metric = "event_investment" },\n]')
    assert c1 in text
    path = tmp_path / "rubric.toml"
    path.write_text(text.replace(c1, 'parts = [{ share = 5, method = "assessor", source = "R10", metric = "assessor_C1" }]'),
                    encoding="utf-8")
    produced = _produced(load_rubric(path))
    assert set(produced["int_assessor_scores_metrics"]) == {"assessor_A1", "assessor_C1"}
    assert _mismatches(produced, load_catalogue()) == []


def test_the_check_fails_on_an_undocumented_and_on_a_stale_metric(produced):
    doc = tomllib.loads(METRICS_FILE.read_text(encoding="utf-8"))
    del doc["int_major_projects_metrics"]["completed_count"]
    doc["int_major_projects_metrics"]["completed_investment"] = {"meaning": "竣工项目总投资", "kind": "amount"}
    assert _mismatches(produced, parse_catalogue(doc)) == [
        "int_major_projects_metrics.completed_investment is documented but the model does not produce it",
        "int_major_projects_metrics produces completed_count, which metrics.toml does not document "
        "under [int_major_projects_metrics]",
    ]


def _rubric_with(tmp_path, **values):
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    for name, value in values.items():
        text, n = re.subn(rf"^{name} = [^#\n]+", f"{name} = {value}", text, count=1, flags=re.M)
        assert n == 1, name
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")
    return load_rubric(path)


def test_the_wording_takes_the_rubric_values(tmp_path):
    catalogue = load_catalogue()
    default = load_rubric()
    assert catalogue.describe("approvals_within_workdays", default).meaning == "受理后50个工作日内办结的事项数"
    assert catalogue.describe("provincial_major_quality_share", default).meaning == \
        "其中总投资≥100000万元或属先进制造业、新基建的项目总投资"
    assert catalogue.describe("reform_document_grades", default).meaning == \
        "本年印发放管服改革文件的等级分合计（优1.0、良0.6、一般0.3）"
    other = _rubric_with(tmp_path, approval_workday_limit="40", major_quality_sectors='["新基建"]',
                         major_quality_min_investment="50000")
    assert catalogue.describe("approvals_within_workdays", other).meaning == "受理后40个工作日内办结的事项数"
    assert catalogue.describe("provincial_major_quality_share", other).meaning == \
        "其中总投资≥50000万元或属新基建的项目总投资"
    assessor = catalogue.describe("assessor_A1", default)
    assert (assessor.name, assessor.kind, assessor.unit) == ("assessor_A1", "score", "分")
    assert catalogue.describe("no_such_metric", default) is None


def test_every_entry_fills_from_the_rubric():
    rubric, catalogue = load_rubric(), load_catalogue()
    for metric in catalogue.metrics:
        name = metric.name.replace("{indicator}", "A1")
        described = catalogue.describe(name, rubric)
        assert "{" not in described.meaning + described.short + described.den, name


@pytest.mark.parametrize("entry, message", [
    ({"meaning": "x", "kind": "percent"}, "kind 'percent' is not one of"),
    ({"meaning": "x", "kind": "share"}, "a share needs den"),
    ({"meaning": "x", "kind": "count", "den": "y"}, "a count takes no den"),
    ({"kind": "count"}, "meaning is missing"),
    ({"meaning": "x", "kind": "count", "label": "y"}, "unknown key(s) ['label']"),
])
def test_a_broken_entry_is_refused(entry, message):
    with pytest.raises(CatalogueError, match=re.escape(message)):
        parse_catalogue({"int_x_metrics": {"m": entry}})


def test_a_metric_documented_twice_is_refused():
    with pytest.raises(CatalogueError, match="documented twice"):
        parse_catalogue({"int_a_metrics": {"m": {"meaning": "x", "kind": "count"}},
                         "int_b_metrics": {"m": {"meaning": "x", "kind": "count"}}})
