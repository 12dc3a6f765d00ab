"""The demo's sample R13 (sbsk.samples.peers): it passes its own validation whole, and the forecast
made from it leaves out exactly the one part a city did not send (C7-1, 济源示范区)."""

from __future__ import annotations

from builders import baseline, write_quarter
from openpyxl import load_workbook

from sbsk import pipeline
from sbsk.config.periods import Month, Quarter
from sbsk.dispatch import evaluate_dispatch
from sbsk.outputs.forecast import make_forecast


def test_the_sample_r13_loads_whole_and_is_forecast(dirs):
    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline())
    write_quarter(raw, "2020-07", baseline())
    pipeline.evaluate("2020Q3", raw, out, up_to="publish")
    from sbsk.samples.peers import write_peer_sample

    write_peer_sample(raw, out, Month(2020, 7), Quarter(2020, 3))
    state = evaluate_dispatch("2020-07", raw, out)
    r13 = next(r for r in state["results"] if r.return_code == "R13")
    assert r13.status == "loaded" and r13.rows_rejected == 0 and r13.rows_loaded > 17 * 20
    result = make_forecast(out, Month(2020, 7))
    assert result.parts_left_out == {("C7", 1): ["济源示范区"]}
    # every part but A1 (assessor, 3) and C7 (5): 100 − 8
    assert result.covered_points == 92
    sheet = load_workbook(out / "2020-07" / "dispatch-2020-07.xlsx")["全省排名预判"]  # the dispatch hook filled it
    assert sheet["A2"].value == result.headline and result.headline.startswith("预计全省第")


def test_a_dispatch_re_run_without_its_r13_forgets_the_month_s_forecast(dirs):
    """The month's run replaces the month: R13 taken away, the workbook has no 全省排名预判 sheet and
    forecast_results / forecast_scores no row of the month (the 18 cities' rows were there before)."""
    from conftest import query

    from sbsk.samples.peers import write_peer_sample

    raw, out = dirs
    write_quarter(raw, "2020Q3", baseline())
    write_quarter(raw, "2020-07", baseline())
    pipeline.evaluate("2020Q3", raw, out, up_to="publish")
    r13 = write_peer_sample(raw, out, Month(2020, 7), Quarter(2020, 3))
    evaluate_dispatch("2020-07", raw, out)
    assert query(out, "select count(*) from forecast_results where period = '2020-07'") == [(18,)]
    r13.unlink()
    evaluate_dispatch("2020-07", raw, out)
    assert query(out, "select (select count(*) from forecast_results where period = '2020-07'), "
                      "(select count(*) from forecast_scores where period = '2020-07')") == [(0, 0)]
    assert "全省排名预判" not in load_workbook(out / "2020-07" / "dispatch-2020-07.xlsx").sheetnames
