"""The wheel is the product: it holds every module and data file under the one import namespace
`sbsk`, and installed (not editable) into a fresh virtualenv it runs `sbsk demo` in an empty folder,
with nothing from the repository checkout; `explain` and `status` through the command line read that
demo's year (the suite's one demo)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
# source folder → where pyproject.toml's package-dir installs it
INSTALLED_AS = {"sbsk": "sbsk", "flows": "sbsk/flows", "schemas": "sbsk/schemas", "transforms": "sbsk/transforms",
                "reference": "sbsk/reference"}
SHIPPED = (".py", ".toml", ".sql", ".csv")
# pip builds in the source tree; a copy keeps build/ and *.egg-info out of the checkout
_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "data", "build", "dist", "*.egg-info", "__pycache__",
                                     ".pytest_cache", ".data")


def _run(args: list, **kwargs) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, \
        f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the source copy it was built from)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=_NOT_SOURCE)
    # the build tools of the test environment (the lock's setuptools), as `make` installs the package
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp / "dist", src],
         timeout=600)
    (wheel,) = (tmp / "dist").glob("sbsk-*.whl")
    return wheel, src


def test_the_wheel_holds_every_module_and_data_file_under_sbsk(built):
    wheel, src = built
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"{INSTALLED_AS[top]}/{p.relative_to(src / top).as_posix()}"
                for top in INSTALLED_AS for p in (src / top).rglob("*")
                if p.is_file() and p.suffix in SHIPPED and "__pycache__" not in p.parts}
    assert {"sbsk/reference/rubric-2020.1.toml", "sbsk/reference/units.csv", "sbsk/schemas/returns.toml",
            "sbsk/transforms/contract.sql", "sbsk/transforms/intermediate/metrics.toml",
            "sbsk/transforms/marts/indicator_scores.sql", "sbsk/outputs/bulletin/charts.py"} <= expected
    assert sorted(expected - names) == [], "missing from the wheel (pyproject.toml packages / package-data)"
    outside = sorted(n for n in names if not n.startswith(("sbsk/", "sbsk-")))
    assert outside == [], "the wheel installs something outside the sbsk namespace"
    (top_level,) = [n for n in names if n.endswith(".dist-info/top_level.txt")]
    assert zipfile.ZipFile(wheel).read(top_level).decode().split() == ["sbsk"]


@pytest.fixture(scope="module")
def demo(built, tmp_path_factory) -> dict:
    """`sbsk demo` from the installed wheel in an empty folder, as a user's environment runs it; also the
    one demo of the suite whose outputs the command-line tests below read (`explain`, `status`)."""
    wheel, _ = built
    tmp_path = tmp_path_factory.mktemp("installed")
    venv = tmp_path / "venv"
    # A venv of its own that sees the test environment's packages, which test_lock.py proves are the
    # lock's exact versions, through a .pth line after its own site-packages: installing the lock's
    # ~100 wheels again took most of this test's time. A bare path line, unlike a site directory, has
    # its own .pth files left unprocessed, so the checkout's editable finder never reaches this venv;
    # the import check below says where sbsk really came from.
    _run([sys.executable, "-m", "venv", "--without-pip", venv], timeout=300)
    python, sbsk = venv / "bin" / "python", venv / "bin" / "sbsk"
    site_dir = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).strip())
    (site_dir / "test-environment.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    # the wheel itself, not editable, and nothing else (no index, no resolver; --ignore-installed:
    # never uninstall the checkout's editable sbsk from the test environment); then pip check says
    # whether the lock satisfies everything the wheel declares, as `make install` asks of the lock
    _run([python, "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed", "--no-index", wheel],
         timeout=600)
    _run([python, "-m", "pip", "check"], timeout=300)

    work = tmp_path / "empty"
    work.mkdir()
    # a user's environment: nothing pointing at the checkout, the suite's limits or its Prefect settings
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SBSK_", "PREFECT_", "PYTHON", "VIRTUAL_ENV"))}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    imported = Path(_run([python, "-c", "import sbsk; print(sbsk.__file__)"], cwd=work, env=env).strip())
    assert imported.is_relative_to(venv), f"sbsk imported from {imported}, not from the installed wheel"

    done = subprocess.run([str(sbsk), "demo"], cwd=work, env=env, capture_output=True, text=True, timeout=1800,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-4000:]
    return {"sbsk": sbsk, "work": work, "env": env, "done": done}


def _sbsk(demo: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(demo["sbsk"]), *map(str, args)], cwd=demo["work"], env=demo["env"],
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)


@pytest.mark.slow
def test_sbsk_demo_runs_from_the_installed_wheel_in_an_empty_folder(demo):
    work, done = demo["work"], demo["done"]
    said = done.stdout
    # what it says, and the year it writes (SPEC §8), under the default data/raw and data/out
    assert "示例数据：" in done.stderr and "输出：" in said
    out = work / "data" / "out"
    for q in ("2020Q1", "2020Q2", "2020Q3", "2020Q4"):
        assert (out / q / f"bulletin-{q}.xlsx").is_file() and (out / q / f"validation-{q}.xlsx").is_file()
        assert f"data/out/{q}/bulletin-{q}.xlsx" in said
    assert (out / "2020" / "bulletin-2020.xlsx").is_file()

    con = duckdb.connect(str(out / "sbsk.duckdb"), read_only=True)
    try:
        # 9 units (SPEC §1: 5 counties, 4 districts) × 4 quarters; the annual result once per unit
        assert con.execute("select count(*) from quarter_results").fetchone()[0] == 36
        assert con.execute("select count(distinct quarter) from quarter_results").fetchone()[0] == 4
        assert con.execute("select count(*) from annual_results where year = 2020").fetchone()[0] == 9
        # the dispatches of July and August, each with its sample R13 and the forecast of the 18 cities
        assert con.execute("select month, count(*) from dispatch_results group by month order by month").fetchall() \
            == [("2020-07", 9), ("2020-08", 9)]
        assert con.execute("select period, count(*) from forecast_results group by period order by period").fetchall() \
            == [("2020-07", 18), ("2020-08", 18)]
        rank, best, worst, covered = con.execute(
            "select rank, best_rank, worst_rank, covered_points from forecast_results "
            "where period = '2020-08' and unit_code = '410500'").fetchone()
    finally:
        con.close()
    headline = f"预计全省第{rank}名（第{best}至第{worst}名，覆盖{covered:f}".rstrip("0").rstrip(".") + "分）"
    assert f"全省排名预判（2020年8月，sbsk forecast 2020-08）：安阳市{headline}" in said
    for m in ("2020-07", "2020-08"):
        assert (work / "data" / "raw" / m / "zdxmb" / "R13-peer_metrics.xlsx").is_file()
    assert load_workbook(out / "2020-08" / "dispatch-2020-08.xlsx")["全省排名预判"]["A2"].value == headline
    for q in range(1, 5):
        book = load_workbook(out / f"2020Q{q}" / f"bulletin-2020Q{q}.xlsx")
        assert book.sheetnames == ["排名", "指标得分", "数据核查", "名次变化", "图表"]
        # the demo publishes each quarter once: the issued bulletin is version 1 (SPEC §12: 第N版)
        assert book["排名"]["A1"].value == f'2020年第{"一二三四"[q - 1]}季度"四比四看"活动考评结果（第1版）'
    annual = load_workbook(out / "2020" / "bulletin-2020.xlsx")
    assert annual.sheetnames == ["排名", "名次变化", "图表"]
    assert annual["排名"]["A1"].value == '2020年度"四比四看"活动考评结果'


# From tests/test_cli.py, which ran a demo of its own for them: the commands on the demo's year.
@pytest.mark.slow
def test_explain_through_the_command_line(demo):
    out = demo["work"] / "data" / "out"
    done = _sbsk(demo, "explain", "2020Q3", "内黄县", "--out-dir", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2020年第三季度 内黄县（410527，县(市)组）")
    as_json = json.loads(_sbsk(demo, "explain", "2020Q3", "410527", "--out-dir", out, "--json").stdout)
    con = duckdb.connect(str(out / "sbsk.duckdb"), read_only=True)
    try:
        (total,) = con.execute("select total from quarter_results where quarter = '2020Q3' "
                               "and unit_code = '410527'").fetchone()
    finally:
        con.close()
    assert [i["code"] for i in as_json["indicators"]][:3] == ["A1", "A2", "A3"] and as_json["total"] == float(total)
    unknown = _sbsk(demo, "explain", "2020Q3", "北京市", "--out-dir", out)
    assert unknown.returncode == 2 and "无法识别" in unknown.stderr


@pytest.mark.slow
def test_status_through_the_command_line(demo):
    raw, out = demo["work"] / "data" / "raw", demo["work"] / "data" / "out"
    done = _sbsk(demo, "status", "2020", "--raw-dir", raw, "--out-dir", out, "--json")
    assert done.returncode == 0, done.stderr
    states = {q["quarter"]: q["state"] for q in json.loads(done.stdout)["quarters"]}
    assert states == {"2020Q1": "done", "2020Q2": "done", "2020Q3": "done", "2020Q4": "done"}
    text = _sbsk(demo, "status", "2020", "--raw-dir", raw, "--out-dir", out)
    assert text.returncode == 0 and "2020Q3" in text.stdout
