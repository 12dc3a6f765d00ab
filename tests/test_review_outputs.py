"""What the office reads of a review (SPEC §11): review-<YYYYHn>.xlsx, `sbsk explain YYYYHn UNIT`,
`sbsk status` for half years, and the `sbsk review` command itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from review_builders import run_review, scores, write_review
from test_faults import server  # noqa: F401  (the process's Prefect server, a fixture)
from test_review import H1, county_rows

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    root = tmp_path_factory.mktemp("review-outputs")
    raw, out = root / "raw", root / "out"
    rows = county_rows() + [scores("文峰区", "甲", 15), scores("文峰区", "乙", 11), scores("北关区", "丙", 12)]
    write_review(raw, H1, rows)
    run_review((raw, out), H1)
    from sbsk import pipeline
    from sbsk.outputs.review_workbook import write_review_workbook

    con = pipeline.open_published(out)
    try:
        book = write_review_workbook(con, H1, out / H1 / f"review-{H1}.xlsx")
    finally:
        con.close()
    return raw, out, book


def _values(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_workbook_rankings_by_group_with_item_means_and_counts(reviewed):
    _, _, book = reviewed
    wb = load_workbook(book)
    assert wb.sheetnames == ["排名", "评分明细", "评分一致性", "偏差图表", "退回与核查"]
    rows = _values(wb["排名"])
    assert rows[0][0] == '2020年上半年"四比四看"观摩评价结果'
    header = ["排名", "县(市、区)", "项目谋划(25)", "招商引资(25)", "项目建设(25)", "服务保障(25)", "观摩总分", "评分人数",
              "每项去掉评分数"]
    assert rows[1] == ["县(市)组", *([None] * 8)] and rows[2] == header
    # county group in rank order (see tests/test_review.py for the hand computations), 内黄县 unscored last
    assert [r[:9] for r in rows[3:8]] == [
        [1, "汤阴县", 20, 20, 20, 20, 80.01, 3, 0],
        [2, "安阳县", 19, 20, 20, 20, 79, 4, 0],
        [3, "滑县", 21, 15, 17, 20.02, 73.02, 3, 0],            # tied: by unit code, 410526 before 410581
        [3, "林州市", 21, 15, 17, 20.02, 73.02, 5, 2],
        ["—", "内黄县", None, None, None, None, "未评分", 0, 0],
    ]
    district = next(i for i, r in enumerate(rows) if r[0] == "区组")
    assert [r[:2] + r[6:8] for r in rows[district + 2:district + 6]] == [
        [1, "文峰区", 52, 2], [2, "北关区", 48, 1], ["—", "殷都区", "未评分", 0], ["—", "龙安区", "未评分", 0]]


def test_workbook_marks_the_dropped_scores(reviewed):
    _, _, book = reviewed
    ws = load_workbook(book)["评分明细"]
    rows = _values(ws)
    lz = [i for i, r in enumerate(rows, start=1) if r[0] == "林州市"]
    assert len(lz) == 5                                         # the 回避 row is not there
    struck = {(rows[i - 1][2], rows[1][j - 1]) for i in lz for j in range(5, 9)
              if ws.cell(i, j).font.strike}
    # 项目谋划: 林甲's 25 (the first of the tied 25s) and 林戊's 10; 招商引资 all 15: 林甲 and 林乙;
    # 项目建设: 林戊's 24 and 林甲's 12 (the first of the tied 12s); 服务保障: 林丁's 25 and 林戊's 0
    assert struck == {("林甲", "项目谋划(25)"), ("林戊", "项目谋划(25)"), ("林甲", "招商引资(25)"),
                      ("林乙", "招商引资(25)"), ("林戊", "项目建设(25)"), ("林甲", "项目建设(25)"),
                      ("林丁", "服务保障(25)"), ("林戊", "服务保障(25)")}
    others = [i for i, r in enumerate(rows, start=1) if r[0] == "安阳县"]
    assert not any(ws.cell(i, j).font.strike for i in others for j in range(5, 9))   # 4 assessors: none dropped


def test_workbook_consistency_table_chart_and_problems(reviewed):
    _, _, book = reviewed
    wb = load_workbook(book)
    rows = _values(wb["评分一致性"])
    assert rows[1] == ["评分人", "观摩组", "评分人单位", "评分单位数", "平均偏差(分)", "倾向", "是否超过阈值"]
    by_name = {r[0]: r for r in rows[2:] if r[3] is not None}
    # 文峰区 60 and 44 → ±8 exactly; 林戊 49 − 69.012 = −20.012; 安甲 70 − 79 = −9; 林丁 78 − 69.012 = 8.988
    assert by_name["甲"][4:] == [8, "偏宽", "否"] and by_name["乙"][4:] == [-8, "偏严", "否"]
    assert by_name["林戊"][2:] == ["市发展改革委", 1, -20.01, "偏严", "是（超过±8分）"]
    assert by_name["林丁"][4:] == [8.99, "偏宽", "是（超过±8分）"]
    assert by_name["安甲"][4:] == [-9, "偏严", "是（超过±8分）"]
    devs = [r[4] for r in rows[2:] if isinstance(r[4], (int, float))]
    assert devs == sorted(devs, reverse=True)                  # most lenient first
    (chart,) = wb["偏差图表"]._charts
    assert chart.type == "bar"
    problems = _values(wb["退回与核查"])
    recusal = next(r for r in problems if r[0] == "退回")
    assert recusal[2:6] == ["2020H1/zdxmb/R12-观摩评分.xlsx", "Sheet1", 8, "评分人单位"]
    assert recusal[7].startswith("评分人单位「林州市人民政府」就是被评单位")   # the problem only, not file and row again
    assert {r[1] for r in problems if r[0] == "未观摩评分"} == {"内黄县", "殷都区", "龙安区"}
    for ws in wb.worksheets:
        assert (str(ws.page_setup.paperSize), ws.page_setup.orientation) == (ws.PAPERSIZE_A4, "landscape"), ws.title


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not on PATH")
def test_workbook_prints_on_a4(reviewed, tmp_path):
    _, _, book = reviewed
    cmd = [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
           "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)]
    assert subprocess.run(cmd, capture_output=True, timeout=300).returncode == 0
    pdf = tmp_path / f"{book.stem}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, timeout=60).stdout
        for name in ("县(市)组", "区组", "汤阴县", "林州市", "滑县", "内黄县", "文峰区", "龙安区", "73.02", "80.01"):
            assert name in text, name
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
        size = next(line for line in info.splitlines() if line.startswith("Page size:"))
        width, height = (float(x) for x in size.split()[2:5:2])
        assert "(A4)" in size and width > height                                    # A4 landscape
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        assert 5 <= pages <= 7                                                      # one page per sheet, about


def test_explain_a_half_year(reviewed):
    _, out, _ = reviewed
    from sbsk.config.periods import HalfYear
    from sbsk.outputs.review_explain import build_review_explanation, render_review_text
    from sbsk import pipeline

    con = pipeline.open_published(out)
    try:
        text = render_review_text(build_review_explanation(con, HalfYear(2020, 1), "410581"))
        ty = render_review_text(build_review_explanation(con, HalfYear(2020, 1), "410523"))
        nh = render_review_text(build_review_explanation(con, HalfYear(2020, 1), "410527"))
    finally:
        con.close()
    assert "观摩总分 73.02，组内第3名（组内4个单位有观摩评分）" in text
    assert "评分人5名，达到5名，每项去掉一个最高分和一个最低分后取平均" in text
    assert "去掉最高分 25（林甲）和最低分 10（林戊）" in text and "计算：(25 + 20 + 18) ÷ 3 = 21" in text
    assert "计算：(12 + 19 + 20) ÷ 3 = 17" in text
    assert "21 + 15 + 17 + 20.02 = 73.02，四舍五入保留两位小数为 73.02" in text
    assert "林甲（第一观摩组）合计 72.01：2020H1/zdxmb/R12-观摩评分.xlsx 第3行" in text
    assert "评分人3名，不足5名，每项取全部评分的平均" in ty and "计算：(20 + 20 + 20.01) ÷ 3 = 20.0033…" in ty
    assert "= 80.0133…，四舍五入保留两位小数为 80.01" in ty
    assert "没有该单位的观摩评分" in nh


def test_explain_exit_codes_of_a_half_year(reviewed, tmp_path, capsys):
    _, out, _ = reviewed
    from sbsk.outputs.review_explain import review_explain_command

    assert review_explain_command(H1, "北京市", out, False) == 2
    assert "无法识别的县(市、区)「北京市」" in capsys.readouterr().err
    assert review_explain_command("2020H2", "汤阴县", out, False) == 1           # H2 was never reviewed
    assert "2020H2：数据库中没有该单位的观摩评价结果，请先运行 sbsk review 2020H2" in capsys.readouterr().err
    assert review_explain_command(H1, "汤阴县", tmp_path, False) == 1           # no database at all
    assert "请先运行 sbsk review 2020H1" in capsys.readouterr().err
    assert review_explain_command(H1, "410523", out, True) == 0
    assert '"unit_code": "410523"' in capsys.readouterr().out


def test_status_knows_half_years(reviewed, tmp_path):
    raw, out, _ = reviewed
    from sbsk.outputs.status import half_year_status, year_status

    status = year_status(raw, out, 2020)
    h1, h2 = status["half_years"]
    assert (h1["half_year"], h1["state"], h1["files"]) == ("2020H1", "done", ["2020H1/zdxmb/R12-观摩评分.xlsx"])
    assert (h2["half_year"], h2["state"], h2["detail"]) == ("2020H2", "missing", "未运行，尚无报表文件")
    copy = tmp_path / "raw"
    shutil.copytree(raw, copy)
    write_review(copy, H1, [scores("林州市", "甲", 20)])          # a corrected file since the run
    assert half_year_status(copy, out, H1)["state"] == "stale"


@pytest.mark.flow
def test_the_review_command(tmp_path, server):
    """On the suite's Prefect server (tests/test_faults.py): the review commands start none of their own."""
    from test_flows import _sbsk

    def sbsk(*args: str) -> subprocess.CompletedProcess:
        return _sbsk(*args, cwd=tmp_path, env=server)

    raw, out = tmp_path / "raw", tmp_path / "out"
    write_review(raw, H1, county_rows())
    done = sbsk("review", H1, "--raw-dir", str(raw), "--out-dir", str(out))
    assert done.returncode == 0, done.stderr
    assert str(out / H1 / f"review-{H1}.xlsx") in done.stdout
    assert (out / H1 / "annotated" / "zdxmb" / "R12-观摩评分-问题标注.xlsx").exists()   # the 回避 row marked
    missing = sbsk("review", "2020H2", "--raw-dir", str(raw), "--out-dir", str(out))
    assert missing.returncode == 1 and "R12「观摩评分」缺报" in missing.stderr
    assert sbsk("review", "2020Q2").returncode == 2
    status = sbsk("status", "2020H2", "--raw-dir", str(raw), "--out-dir", str(out))
    assert status.returncode == 0 and "2020H2  failed" in status.stdout
    explain = sbsk("explain", H1, "汤阴县", "--out-dir", str(out))
    assert explain.returncode == 0 and "观摩总分 80.01，组内第1名" in explain.stdout
    # a file rejected whole: the rest is still published, and the command exits 1 so that it is noticed
    (raw / H1 / "zdxmb" / "坏文件.xlsx").write_text("not a workbook", encoding="utf-8")
    again = sbsk("review", H1, "--raw-dir", str(raw), "--out-dir", str(out))
    assert again.returncode == 1 and "1 个文件被整表退回" in again.stderr
    assert str(out / H1 / f"review-{H1}.xlsx") in again.stdout


def test_analyst_views_know_half_years(reviewed):
    _, out, _ = reviewed
    from conftest import query

    # a half year expects R12 from 重点项目办 only (not the eleven quarterly returns); one row was rejected (回避)
    assert query(out, "select department, return_code, state, rows_loaded, rows_rejected from department_submissions "
                      "where quarter = ?", [H1]) == [("zdxmb", "R12", "部分退回", 18, 1)]
    labels = query(out, "select distinct flag, flag_label from unit_flags where quarter = ? order by 1", [H1])
    assert labels == [("not_reviewed", "未观摩评分"), ("outlier_assessor", "评分偏差较大")]


_FLOW_DRIVER = """
import json, sys
from pathlib import Path
raw, out = sys.argv[1], sys.argv[2]
from sbsk.runtime import configure_prefect
configure_prefect(Path(out))
from prefect.client.orchestration import get_client
from sbsk.flows.review import review_half_year

def seen(state):
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    return {"type": run.state.type.value, "message": run.state.message, "name": run.name, "tags": sorted(run.tags)}

print(json.dumps({h: seen(review_half_year(h, raw, out, return_state=True)) for h in ("2020H1", "2020H2")},
                 ensure_ascii=False))
"""


@pytest.mark.flow
def test_the_review_flow_names_its_runs_and_fails_in_chinese(tmp_path, server):
    """As the Prefect UI shows them: run name and tag from the half year; a missing R12 fails the run with
    a state message that says where the files go and what to run (on the suite's Prefect server, each
    run read back by its id)."""
    import json

    raw, out = tmp_path / "raw", tmp_path / "out"
    write_review(raw, H1, county_rows())
    done = subprocess.run([sys.executable, "-c", _FLOW_DRIVER, str(raw), str(out)], env=server, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(done.stdout.strip().splitlines()[-1])
    assert runs["2020H1"] == {"type": "COMPLETED", "message": "2020H1观摩评价已发布。", "name": "review-2020H1",
                              "tags": ["2020H1"]}
    h2 = runs["2020H2"]
    assert (h2["type"], h2["name"], h2["tags"]) == ("FAILED", "review-2020H2", ["2020H2"])
    assert h2["message"] == (f"2020H2观摩评价未计算：没有可用的观摩评分：R12「观摩评分」缺报（{raw / '2020H2' / 'zdxmb'} 下没有文件）。"
                             f"请把各观摩组的观摩评分表放入 {raw / '2020H2' / 'zdxmb'}，再运行 sbsk review 2020H2。")
