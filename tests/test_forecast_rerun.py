"""The stored forecast of a quarter (forecast_results, forecast_scores; SPEC §10) follows the province
data present: a quarter's run that stores R13 全省对标数据 makes it, a run without R13 deletes it, so
the table never shows a forecast from R13 rows no longer stored. A run that only drafts beside a
published version changes neither (what analysts see is the published version, SPEC §12); `sbsk
publish` of that draft does. Expected values worked out by hand from builders.baseline as in
tests/test_forecast_intake.py: B2-1 relative 2.5, home Σ 9 signed projects against 郑州市's 20 → 1.13;
C6-1 progress 5 at t = 0.75, home 450/900 → 3.33; the home city 4.46, 郑州市 2.5 + 5 = 7.5, the others
0.125 → 0.13 + 5 = 5.13."""

from __future__ import annotations

from builders import baseline, write_quarter
from conftest import evaluate, query
from test_forecast_intake import CITIES

from sbsk.cli import main

HOME = "410500"
SQL = "select count(*), sum(total) filter (where unit_code = ?)::double, any_value(rank) filter (where unit_code = ?) " \
      "from forecast_results where period = '2020Q3'"


def _r13() -> list[dict]:
    rows = []
    for name in CITIES:
        rows.append(dict(unit=name, indicator="B2", part=1, value=20 if name == "郑州市" else 1, source="省通报"))
        rows.append(dict(unit=name, indicator="C6", part=1, value="81%"))
    return rows


def _forecast(out):
    scores = query(out, "select count(*) from forecast_scores where period = '2020Q3'")[0][0]
    return (*query(out, SQL, [HOME, HOME])[0], scores)


def _publish(out, *reason) -> None:
    assert main(["publish", "2020Q3", "--by", "张三", *reason, "--out-dir", str(out)]) == 0


def test_a_quarter_run_makes_or_removes_the_forecast_with_its_r13(dirs):
    raw, out = dirs
    write_quarter(raw, "2020Q3", {**baseline(), "R13": _r13()})
    assert evaluate(raw, out, "2020Q3")["status"] == "done"
    # 18 cities; 2 parts forecast for each city → 36 scores
    assert _forecast(out) == (18, 4.46, 18, 36)
    assert query(out, "select total::double from forecast_results where period = '2020Q3' and unit_code = '410100'"
                 ) == [(7.5,)]

    (raw / "2020Q3" / "zdxmb" / "R13-peer_metrics.xlsx").unlink()
    assert evaluate(raw, out, "2020Q3")["status"] == "done"
    assert _forecast(out) == (0, None, None, 0)


def test_a_draft_beside_a_published_version_leaves_the_forecast_until_it_is_published(dirs, capsys):
    raw, out = dirs
    write_quarter(raw, "2020Q3", {**baseline(), "R13": _r13()})
    assert evaluate(raw, out, "2020Q3")["status"] == "done"
    _publish(out)
    assert _forecast(out) == (18, 4.46, 18, 36)

    (raw / "2020Q3" / "zdxmb" / "R13-peer_metrics.xlsx").unlink()
    assert evaluate(raw, out, "2020Q3")["status"] == "done"     # a draft: version 1 is still what is shown
    assert _forecast(out) == (18, 4.46, 18, 36)
    _publish(out, "--reason", "撤回全省对标数据")                  # version 2, without R13: no forecast
    assert _forecast(out) == (0, None, None, 0)
