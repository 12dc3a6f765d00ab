"""Drafts, versions and restatements (SPEC §12), with known answers: publish → re-run → diff →
restate → history, the bad inputs that change nothing, and a publication killed half-way.

The quarters are the steerable ones of tests/test_ranking.py (every point comes from A1, the
assessor's score, and C6 in Q4, 5 × paid / 100 with t = 1):
  version 1: A1 林州 3, 安阳 2, 汤阴 1, 滑县 0.5, 内黄 0.25; 文峰 3, 北关 2, 殷都 1, 龙安 0.5
             → 林州 first (+200000), 内黄 last (−200000); 文峰 first, 龙安 last.
  the correction: 安阳 paid 30 of 100 of central budget: C6 = 5 × 0.3 = 1.50, total 2 + 1.5 = 3.50
             → 安阳 first (+200000), 林州 second (0).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import query
from sbsk.cli import main
from test_faults import server  # noqa: F401  (the process's Prefect server, a fixture)
from test_ranking import AY, CODE, HX, LA, LZ, NH, TY, WF, BG, YD, quarter_data, results, run

A1 = {LZ: 3, AY: 2, TY: 1, HX: 0.5, NH: 0.25, WF: 3, BG: 2, YD: 1, LA: 0.5}
TESTS = Path(__file__).parent


def first() -> dict:
    return quarter_data(a1=A1)


def corrected() -> dict:
    return quarter_data(a1=A1, c6_paid={AY: 30})


def publish(out: Path, quarter: str, *args: str) -> int:
    return main(["publish", quarter, "--out-dir", str(out), *args])


def diff(out: Path, quarter: str, *args: str) -> int:
    return main(["diff", quarter, "--out-dir", str(out), *args])


def db_digest(out: Path) -> str:
    return hashlib.sha256((out / "sbsk.duckdb").read_bytes()).hexdigest()


CHANGE_LINES = [
    "  县(市)组 安阳县：总分 2.00 → 3.50（+1.50），排名 2 → 1，奖惩 0 → +200000元，指标 C6 0.00 → 1.50",
    "  县(市)组 林州市：总分 3.00 不变，排名 1 → 2，奖惩 +200000 → 0元",
]


def test_publish_rerun_diff_restate_history(dirs, capsys):
    raw, out = dirs
    run(dirs, "2020Q4", first())
    # never published: the run's draft is what quarter_results shows, and there is no version yet
    assert results(out, "2020Q4")[AY][4:7] == (Decimal("2.00"), 2, 0)
    assert query(out, "select count(*) from quarter_versions") == [(0,)]
    assert query(out, "select count(*) from quarter_results_draft where quarter = '2020Q4'") == [(9,)]

    assert publish(out, "2020Q4", "--by", "张三", "--note", "首次通报") == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("2020Q4已发布为第1版（发布人：张三，")
    assert printed[-3:] == [str(out / "2020Q4" / n) for n in ("bulletin-2020Q4.xlsx", "tongbao-2020Q4.docx",
                                                              "bulletin-2020Q4.html")]
    [(v, by, note, reason, run_id)] = query(out, "select version, published_by, note, reason, run_id from quarter_versions")
    assert (v, by, note, reason) == (1, "张三", "首次通报", None)
    v1_run = query(out, "select run_id from pipeline_runs where kind = 'quarter'")[0][0]
    assert run_id == v1_run

    # a corrected file arrives; the re-run only drafts: the published result stays, the difference is said
    run(dirs, "2020Q4", corrected())
    r = results(out, "2020Q4")
    assert (r[AY][4:7], r[LZ][4:7]) == ((Decimal("2.00"), 2, 0), (Decimal("3.00"), 1, 200000))
    assert query(out, "select total, group_rank, reward_yuan from quarter_results_draft where unit_code = ?",
                 [CODE[AY]]) == [(Decimal("3.50"), 1, 200000)]
    assert diff(out, "2020Q4") == 0   # default: the latest version against the newer draft
    assert capsys.readouterr().out.splitlines() == [
        "2020Q4 第1版 → 草稿：2个单位的总分、排名或奖惩有变化", *CHANGE_LINES]

    # publishing over version 1 is a restatement: without a reason it is refused, nothing changes
    before = db_digest(out)
    assert publish(out, "2020Q4", "--by", "李四") == 2
    err = capsys.readouterr().err
    assert "2020Q4已发布第1版；再次发布是更正（第2版），须用 --reason 说明更正原因" in err and "未做任何更改" in err
    assert db_digest(out) == before

    assert publish(out, "2020Q4", "--by", "李四", "--reason", "市发展改革委更正中央预算内资金") == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("2020Q4已更正为第2版（发布人：李四，")
    assert printed[1:5] == ["更正原因：市发展改革委更正中央预算内资金",
                            "2020Q4 第1版 → 第2版：2个单位的总分、排名或奖惩有变化", *CHANGE_LINES]
    # now shown: version 2
    r = results(out, "2020Q4")
    assert (r[AY][4:7], r[LZ][4:7]) == ((Decimal("3.50"), 1, 200000), (Decimal("3.00"), 2, 0))
    assert query(out, "select points from indicator_scores where unit_code = ? and indicator_code = 'C6'",
                 [CODE[AY]]) == [(Decimal("1.50"),)]

    # both versions kept whole, with who, why and every column
    hist = query(out, "select version, count(*), any_value(published_by), any_value(reason) "
                      "from quarter_results_history group by 1 order by 1")
    assert hist == [(1, 9, "张三", None), (2, 9, "李四", "市发展改革委更正中央预算内资金")]
    assert query(out, "select version, total, group_rank, reward_yuan from quarter_results_history "
                      "where unit_code = ? order by version", [CODE[AY]]) == [
        (1, Decimal("2.00"), 2, 0), (2, Decimal("3.50"), 1, 200000)]
    assert query(out, "select version, points from indicator_scores_history where unit_code = ? "
                      "and indicator_code = 'C6' order by version", [CODE[AY]]) == [
        (1, Decimal("0.00")), (2, Decimal("1.50"))]
    assert query(out, "select count(*) from indicator_scores_history") == [(2 * 9 * 20,)]
    for table, extra in (("quarter_results", {"version", "published_at", "published_by", "note", "reason", "run_id"}),
                         ("indicator_scores", {"version", "published_at", "published_by", "note", "reason", "run_id"})):
        cols = lambda t: {c for (c,) in query(out, "select column_name from duckdb_columns() where table_name = ?", [t])}
        assert cols(f"{table}_history") == cols(table) | extra
        assert cols(f"{table}_draft") == cols(table) | {"run_id"}

    # diffs between versions, and of versions that do not exist
    assert diff(out, "2020Q4", "--from", "1", "--to", "2") == 0
    assert capsys.readouterr().out.splitlines() == [
        "2020Q4 第1版 → 第2版：2个单位的总分、排名或奖惩有变化", *CHANGE_LINES]
    assert diff(out, "2020Q4") == 0                                   # the draft is version 2: 1 → 2
    assert capsys.readouterr().out.splitlines()[0] == "2020Q4 第1版 → 第2版：2个单位的总分、排名或奖惩有变化"
    assert diff(out, "2020Q4", "--to", "draft") == 0
    assert capsys.readouterr().out.splitlines() == ["2020Q4 第2版 → 草稿：没有变化"]
    assert diff(out, "2020Q4", "--to", "3") == 2
    assert "2020Q4没有第3版（已发布：第1版、第2版；草稿：运行" in capsys.readouterr().err
    assert diff(out, "2020Q4", "--from", "1", "--to", "1") == 0
    assert capsys.readouterr().out.splitlines() == ["2020Q4 第1版 → 第1版：没有变化"]

    # the same draft again: nothing new to publish
    before = db_digest(out)
    assert publish(out, "2020Q4", "--by", "李四", "--reason", "再发一次") == 1
    assert "已作为第2版发布，没有新的运行结果可发布" in capsys.readouterr().err
    assert db_digest(out) == before


def test_a_run_of_a_published_quarter_prints_what_would_change(dirs):
    from sbsk import pipeline

    raw, out = dirs
    run(dirs, "2020Q4", first())
    assert publish(out, "2020Q4", "--by", "张三") == 0
    assert pipeline.draft_note(out, "2020Q4") == [
        "2020Q4已发布第1版：本次运行的结果存为草稿，已发布的结果不变",
        "2020Q4 第1版 → 草稿：没有变化",
        "如需更正，确认后发布：sbsk publish 2020Q4 --by 姓名 --reason \"更正原因\""]
    run(dirs, "2020Q4", corrected())
    assert pipeline.draft_note(out, "2020Q4") == [
        "2020Q4已发布第1版：本次运行的结果存为草稿，已发布的结果不变",
        "2020Q4 第1版 → 草稿：2个单位的总分、排名或奖惩有变化", *CHANGE_LINES,
        "如需更正，确认后发布：sbsk publish 2020Q4 --by 姓名 --reason \"更正原因\""]


def test_the_operator_is_told_the_run_only_drafted(dirs):
    from sbsk.flows.run_state import quarter_message

    raw, out = dirs
    run(dirs, "2020Q4", first())
    assert publish(out, "2020Q4", "--by", "张三") == 0
    run(dirs, "2020Q4", corrected())
    from sbsk import pipeline

    outcome = {"quarter": "2020Q4", "status": "done", "missing": [], "draft": pipeline.draft_note(out, "2020Q4")}
    assert quarter_message(outcome, [], raw, out) == (
        "2020Q4已发布第1版：本次运行的结果存为草稿，已发布的结果不变；第1版 → 草稿：2个单位的总分、排名或奖惩有变化；"
        "确认后用 sbsk publish 2020Q4 --by 姓名 --reason 原因 发布更正。")


@pytest.mark.flow
def test_the_commands_end_to_end(tmp_path, server):
    from builders import write_quarter
    from test_flows import _sbsk

    raw, out = tmp_path / "raw", tmp_path / "out"
    dirs_ = ["--raw-dir", str(raw), "--out-dir", str(out)]
    write_quarter(raw, "2020Q4", first())
    assert _sbsk("run", "2020Q4", *dirs_, cwd=tmp_path, env=server).returncode == 0
    done = _sbsk("publish", "2020Q4", "--by", "张三", "--out-dir", str(out), cwd=tmp_path, env=server)
    assert done.returncode == 0 and done.stdout.startswith("2020Q4已发布为第1版"), done.stderr
    write_quarter(raw, "2020Q4", corrected())
    rerun = _sbsk("run", "2020Q4", *dirs_, cwd=tmp_path, env=server)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    printed = rerun.stdout.splitlines()
    start = printed.index("2020Q4已发布第1版：本次运行的结果存为草稿，已发布的结果不变")
    assert printed[start + 1:start + 4] == ["2020Q4 第1版 → 草稿：2个单位的总分、排名或奖惩有变化", *CHANGE_LINES]
    shown = _sbsk("diff", "2020Q4", "--out-dir", str(out), cwd=tmp_path, env=server)
    assert (shown.returncode, shown.stdout.splitlines()[1:]) == (0, CHANGE_LINES)
    refused = _sbsk("publish", "2020Q4", "--by", "李四", "--out-dir", str(out), cwd=tmp_path, env=server)
    assert refused.returncode == 2 and "须用 --reason 说明更正原因" in refused.stderr
    done = _sbsk("publish", "2020Q4", "--by", "李四", "--reason", "更正", "--out-dir", str(out), cwd=tmp_path, env=server)
    assert done.returncode == 0 and done.stdout.startswith("2020Q4已更正为第2版")
    assert query(out, "select version, published_by, reason from quarter_versions order by 1") == [
        (1, "张三", None), (2, "李四", "更正")]


def test_publishing_nothing_changes_nothing(dirs, capsys):
    from sbsk import pipeline
    from sbsk.schemas import load_returns

    raw, out = dirs
    assert publish(out, "2020Q4", "--by", "张三") == 1               # no warehouse at all
    assert "2020Q4尚未运行" in capsys.readouterr().err
    run(dirs, "2020Q4", first())
    before = db_digest(out)
    assert publish(out, "2020Q3", "--by", "张三") == 1               # a quarter never run
    assert "2020Q3尚未运行，没有可发布的结果；请先运行 sbsk run 2020Q3" in capsys.readouterr().err
    assert db_digest(out) == before
    assert publish(out, "2020Q4", "--by", "  ") == 2                 # nobody
    assert "发布人不能为空" in capsys.readouterr().err
    # the quarter's latest run failed (a return went missing): its last draft is not published
    pipeline.record_failure(out, load_returns(), "quarter", "2020Q4", 2020, "r-failed", pipeline.now(),
                            "缺少报表：R06", "2020.1")
    before = db_digest(out)
    assert publish(out, "2020Q4", "--by", "张三") == 1
    err = capsys.readouterr().err
    assert "2020Q4最近一次运行（r-failed，" in err and "失败：缺少报表：R06" in err
    assert db_digest(out) == before
    assert query(out, "select count(*) from quarter_versions") == [(0,)]
    assert diff(out, "2020Q4") == 1                                   # nothing published to compare with
    assert "2020Q4尚未发布，没有可比较的版本" in capsys.readouterr().err
    assert diff(out, "2020Q4", "--from", "1") == 2
    assert "2020Q4没有第1版（尚未发布；草稿：运行" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:                          # not a version number
        diff(out, "2020Q4", "--to", "v2")
    assert usage.value.code == 2


def _publish_in_child(out: Path, crash_at: str) -> subprocess.CompletedProcess:
    code = textwrap.dedent(f"""
        from pathlib import Path
        from sbsk.schemas import load_returns
        from sbsk.store.versions import publish
        publish(Path({str(out)!r}), load_returns(), "2020Q4", "张三", reason="重发")
    """)
    env = {**os.environ, "SBSK_CRASH_AT": crash_at}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("point", ["publish-in-transaction", "before-replace"])
def test_a_publication_killed_half_way_publishes_nothing(dirs, point):
    raw, out = dirs
    run(dirs, "2020Q4", first())
    assert publish(out, "2020Q4", "--by", "张三") == 0
    run(dirs, "2020Q4", corrected())
    shown = query(out, "select unit_code, total, group_rank, reward_yuan from quarter_results order by 1")
    crashed = _publish_in_child(out, point)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert query(out, "select count(*) from quarter_versions") == [(1,)]
    assert query(out, "select unit_code, total, group_rank, reward_yuan from quarter_results order by 1") == shown
    assert publish(out, "2020Q4", "--by", "张三", "--reason", "重发") == 0   # the same command again completes it
    assert query(out, "select max(version) from quarter_versions") == [(2,)]
    assert list(out.glob(".sbsk.duckdb.*")) == []                           # the killed copy was cleaned up


def test_the_annual_uses_published_versions_or_drafts_with_a_note(dirs):
    from sbsk import pipeline
    from test_ranking import annual, publish_year

    raw, out = dirs
    for q in (1, 2, 3, 4):
        run(dirs, f"2020Q{q}", first())
    for q in (1, 2, 4):
        assert publish(out, f"2020Q{q}", "--by", "张三") == 0
    run(dirs, "2020Q4", corrected())            # drafted beside Q4's version 1, not published
    assert publish_year(out, 2020) == ("done", 4)
    a = annual(out, 2020)
    # 安阳 2.00 in every quarter shown (Q4 as published, version 1; not its draft's 3.50): mean 2.00, second;
    # 林州 3.00 first (+500000); Q3 was never published: its draft is used, and said
    assert (a[AY][4:7], a[LZ][4:7]) == ((Decimal("2.00"), 2, 0), (Decimal("3.00"), 1, 500000))
    assert query(out, "select distinct draft_quarters from annual_results where year = 2020") == [("2020Q3",)]
    assert pipeline.annual_drafts(out, 2020) == ["2020Q3"]
    from openpyxl import load_workbook

    path = next(p for p in pipeline.write_annual_reports(2020, out, "done") if p.suffix == ".xlsx")
    notes = [c.value for c in load_workbook(path)["排名"]["A"] if isinstance(c.value, str)]
    assert "注：2020年第三季度考评结果尚未发布，按草稿计入年度结果" in notes

    assert publish(out, "2020Q4", "--by", "李四", "--reason", "更正中央预算内资金") == 0
    assert query(out, "select distinct status from annual_results where year = 2020") == [("stale",)]
    assert publish(out, "2020Q3", "--by", "张三") == 0
    assert publish_year(out, 2020) == ("done", 4)
    a = annual(out, 2020)
    # 安阳 (2 + 2 + 2 + 3.5) / 4 = 2.375 → 2.38 (half up), still second to 林州's 3.00
    assert (a[AY][4:7], a[LZ][4:7]) == ((Decimal("2.38"), 2, 0), (Decimal("3.00"), 1, 500000))
    assert query(out, "select distinct draft_quarters from annual_results where year = 2020") == [(None,)]
    assert pipeline.annual_drafts(out, 2020) == []
    # the annual documents say which quarter was corrected and why
    written = pipeline.write_annual_reports(2020, out, "done")
    book = next(p for p in written if p.suffix == ".xlsx")
    notes = [c.value for c in load_workbook(book)["排名"]["A"] if isinstance(c.value, str) and c.value.startswith("注")]
    said = "2020年第四季度结果已于"
    assert any(n.startswith("注：" + said) and n.endswith("更正为第2版（更正原因：更正中央预算内资金），年度结果按更正后的"
                                                         "季度结果计算") for n in notes), notes
    from sbsk.outputs.tongbao.facts import year_facts
    from sbsk.store.warehouse import read_only
    with read_only(out) as con:
        assert said in year_facts(con, 2020)["status_note"]


def test_bulletins_say_the_version_and_from_version_2_what_changed(dirs):
    from openpyxl import load_workbook

    from builders import write_quarter
    from sbsk import pipeline

    raw, out = dirs
    bulletin = out / "2020Q4" / "bulletin-2020Q4.xlsx"
    write_quarter(raw, "2020Q4", first())
    state = pipeline.evaluate("2020Q4", raw, out, up_to="report")
    assert bulletin in state["reports"]
    assert load_workbook(bulletin)["排名"]["A1"].value == '2020年第四季度"四比四看"活动考评结果（草稿，未发布）'

    assert publish(out, "2020Q4", "--by", "张三") == 0
    tongbao, page = out / "2020Q4" / "tongbao-2020Q4.docx", out / "2020Q4" / "bulletin-2020Q4.html"
    assert "（第1版）" in _docx_text(tongbao) and "更正原因" not in _docx_text(tongbao)
    assert "（第1版）</h1>" in page.read_text(encoding="utf-8") and "更正说明" not in page.read_text(encoding="utf-8")
    wb = load_workbook(bulletin)
    assert wb.sheetnames == ["排名", "指标得分", "数据核查", "名次变化", "图表"]
    assert wb["排名"]["A1"].value == '2020年第四季度"四比四看"活动考评结果（第1版）'

    # a corrected file: the run drafts, the issued bulletin (version 1) is left as it was
    write_quarter(raw, "2020Q4", corrected())
    state = pipeline.evaluate("2020Q4", raw, out, up_to="report")
    assert bulletin not in state["reports"] and state["draft"][1].startswith("2020Q4 第1版 → 草稿：2个单位")
    assert load_workbook(bulletin)["排名"]["A1"].value.endswith("（第1版）")

    assert publish(out, "2020Q4", "--by", "李四", "--reason", "市发展改革委更正中央预算内资金") == 0
    wb = load_workbook(bulletin)
    assert wb.sheetnames == ["排名", "指标得分", "数据核查", "名次变化", "图表", "更正说明"]
    ranking = wb["排名"]
    assert ranking["A1"].value == '2020年第四季度"四比四看"活动考评结果（第2版）'
    assert ranking["A2"].value.startswith("注：本通报为第2版（") and ranking["A2"].value.endswith(
        "更正，替代第1版）。更正原因：市发展改革委更正中央预算内资金。各单位的变化见「更正说明」")
    sheet = wb["更正说明"]
    assert sheet["A1"].value == "2020年第四季度考评结果更正说明（第2版）"
    assert sheet["A2"].value.endswith("发布（发布人：李四），替代第1版。")
    assert sheet["A3"].value == "更正原因：市发展改革委更正中央预算内资金"
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=5, max_row=7)]
    assert rows == [
        ["组别", "县(市、区)", "第1版总分", "第2版总分", "第1版排名", "第2版排名", "第1版奖惩(元)", "第2版奖惩(元)",
         "变化的指标"],
        # in the new order: 安阳 (now first) before 林州
        ["县(市)组", "安阳县", 2, 3.5, 2, 1, 0, 200000, "C6 0.00→1.50"],
        ["县(市)组", "林州市", 3, 3, 1, 2, 200000, 0, None],
    ]
    assert sheet.print_title_rows == "$1:$5"  # title, who and why, and the column header on every page
    # the 通报 and the page say the same: 第2版, the reason, and each unit whose total, rank or reward changed
    changed = "安阳县总分2.00→3.50，名次2→1，奖惩无→奖励20万元；林州市名次1→2，奖惩奖励20万元→无"
    text = _docx_text(tongbao)
    assert "（第2版）" in text
    assert "替代第1版。更正原因：市发展改革委更正中央预算内资金。更正后，" + changed + "。" in text
    html = page.read_text(encoding="utf-8")
    assert "（第2版）</h1>" in html and "<h2>更正说明</h2>" in html
    assert "更正原因：市发展改革委更正中央预算内资金。" in html
    assert "<li>安阳县总分2.00→3.50，名次2→1，奖惩无→奖励20万元</li><li>林州市名次1→2，奖惩奖励20万元→无</li>" in html


def _docx_text(path: Path) -> str:
    import docx
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
