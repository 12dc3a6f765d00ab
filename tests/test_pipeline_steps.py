"""The quarter's and the year's steps are named once (sbsk.pipeline) and walked by the flows, the
tests' `evaluate` and the bench alike."""

from __future__ import annotations

import inspect

import pytest

from builders import baseline, write_quarter
from conftest import query
from sbsk import pipeline


def test_the_flows_run_each_step_as_a_task_of_the_same_function():
    from sbsk.flows import annual, quarter

    for steps, tasks in ((pipeline.QUARTER_STEPS, quarter.TASKS), (pipeline.YEAR_STEPS, annual.TASKS)):
        assert list(tasks) == [s.name for s in steps]
        for step in steps:
            runs = getattr(tasks[step.name], "fn", tasks[step.name])  # a Prefect task wraps its function
            if step.name == "ingest":  # the flow's own: per-file cached tasks, several at once
                assert runs is quarter.ingest_concurrently
                assert inspect.signature(runs).parameters.keys() == inspect.signature(step.run).parameters.keys()
            else:
                assert runs is step.run, step.name


def test_step_names_in_order():
    assert [s.name for s in pipeline.QUARTER_STEPS] == [
        "discover", "archive", "ingest", "combine", "publish", "report", "export"]
    assert [s.name for s in pipeline.YEAR_STEPS] == ["publish", "report"]


def test_the_walk_stops_after_up_to(dirs):
    raw, out = dirs
    write_quarter(raw, "2020Q1", baseline())
    state = pipeline.evaluate("2020Q1", raw, out, up_to="combine")
    assert len(state["sources"]) == 11 and state["missing"] == []
    assert all(r.status == "loaded" and r.archive_path for r in state["results"])
    assert "status" not in state and not (out / "sbsk.duckdb").exists()   # nothing published
    with pytest.raises(ValueError, match="up_to must be one of discover, archive"):
        pipeline.evaluate("2020Q1", raw, out, up_to="score")


def test_a_whole_walk_publishes_reports_and_exports(dirs):
    raw, out = dirs
    write_quarter(raw, "2020Q1", baseline())
    lines = []
    state = pipeline.evaluate("2020Q1", raw, out, say=lines.append)
    assert state["status"] == "done"
    assert state["reports"] == [out / "2020Q1" / name for name in (
        "validation-2020Q1.xlsx", "bulletin-2020Q1.xlsx", "tongbao-2020Q1.docx", "bulletin-2020Q1.html")]
    assert all(p.is_file() for p in state["reports"] + state["exports"])
    assert (out / "parquet" / "category_scores" / "quarter=2020Q1" / "data.parquet") in state["exports"]
    assert lines[0] == f"[2020Q1] 发现 11 个文件（{raw / '2020Q1'}）"
    assert lines[-1] == "[2020Q1] 计分（存为草稿，sbsk publish 发布）…"
    assert sum("[####################] 11/11" in line for line in lines) == 1
    outcome = pipeline.quarter_outcome(state)
    assert (outcome.status, outcome.exit_code, outcome.message) == ("done", 0, "")


def test_a_missing_return_fails_the_walk_and_records_the_run(dirs):
    raw, out = dirs
    rows = baseline()
    del rows["R07"]
    write_quarter(raw, "2020Q1", rows)
    state = pipeline.evaluate("2020Q1", raw, out)
    assert (state["status"], state["missing"], state["exports"]) == ("failed", ["R07"], [])
    assert state["reports"] == [out / "2020Q1" / "validation-2020Q1.xlsx"]        # no bulletin
    assert query(out, "select kind, quarter, status from pipeline_runs") == [("quarter", "2020Q1", "failed")]
    assert query(out, "select count(*) from quarter_results") == [(0,)]
    outcome = pipeline.quarter_outcome(state)
    assert (outcome.exit_code, outcome.message) == (1, "缺少报表：R07（可用 --continue-on-missing 按暂定结果计分）")
