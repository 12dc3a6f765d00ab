"""Real returns do not look like our templates (SPEC §3, §4): the reader must get the same numbers
out of a messy spreadsheet as a person would, and as it gets out of the plain file of the same rows.

Fixtures come from tests/messy.py (write_messy); the plain twin of each file comes from
sbsk.outputs.return_writer.write_plain (tests/builders.py). A file is compared with its plain twin on what
it loads (typed rows, amounts at the warehouse's 4 decimals) and on what `sbsk check` says about it
(return recognised, rows loaded / rejected / skipped, flags).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from builders import baseline, write_quarter
from conftest import evaluate, query
from sbsk.samples.layouts import TRAITS, MessyFile, write_messy
from sbsk.schemas import load_returns
from sbsk.intake.check import check_paths
from sbsk.intake.discover import SourceFile, department_of, sha256_of
from sbsk.intake.ingest import ingest
from sbsk.intake.validate import context_for
from sbsk.config.registry import load_registry
from sbsk.outputs.return_writer import write_plain
from sbsk.config.rubric import load_rubric

YEAR = 2020
QUARTER = "2020Q3"
DEFS = load_returns()
D = date
LINEAGE = ("source_file", "sha256", "sheet", "row_number")


# ---- the quarter: builders.baseline(), varied a little per unit ------------------------------------------

def varied() -> dict[str, list[dict]]:
    """Every return, one or two rows per unit, with decimals, zeros, empty optional cells, several
    rows of one unit (for 小计), Simplified names; all dates in 2020 up to the end of Q3."""
    q = baseline()
    for i, r in enumerate(q["R01"], 1):
        r.update(total_investment=1000 * i + 37.5 * (i % 3), listed_on=D(2020, 1 + i % 8, 3 + i))
        if i != 4:
            r["project_code"] = f"2020-4105{i:02d}-47-01-{i:06d}"   # optional: unit 4 leaves it out
        if i in (2, 5):
            r.update(implemented="是", started_on=D(2020, 7, 15 + i))
        if i == 3:
            r.update(total_investment=123456.7, sector="新基建")
    q["R01"] += [dict(unit="林州市", project_name="储备林州-2", project_code="2020-410581-47-01-000099",
                      reserve_level="省重点", total_investment=2500.25, sector="生态环保", listed_on=D(2020, 3, 9),
                      implemented="否"),
                 dict(unit="北关区", project_name="储备北关-2", reserve_level="省重点", total_investment=880,
                      sector="社会民生", listed_on=D(2020, 6, 30), implemented="否")]
    for i, r in enumerate(q["R02"], 1):
        r.update(contract_amount=1234.5 * i, paid_in=0 if i in (3, 7) else 10 * i + 0.25,
                 funding_origin=("省外", "境外", "省内")[i % 3], signed_on=D(2020, 1 + i % 9, 10),
                 top_investor="是" if i == 2 else "否", landed="是" if i in (1, 6) else "否")
    q["R02"].append(dict(unit="林州市", project_name="签约林州-2", signed_on=D(2020, 9, 28), contract_amount=250000,
                         funding_origin="境外", paid_in=12000, top_investor="是", landed="是"))
    for i, r in enumerate(q["R03"], 1):
        r.update(event_on=D(2020, 7, i + 1), project_count=2 + i % 3, projects_over_100m=i % 2,
                 total_investment=500 * i + 0.5)
    for i, r in enumerate(q["R04"], 1):
        r.update(total_investment=20000 + 1500 * i, annual_plan=1000 + 100 * i, ytd_completed=round(500 + 33.3 * i, 1))
        if i == 2:   # 新开工 this year with nothing done yet (suspect_start), ytd 0 written as "—" when text
            r.update(nature="新开工", started_on=D(2020, 7, 6), ytd_completed=0)
        if i == 5:
            r["completed_on"] = D(2020, 8, 20)
    q["R04"].append(dict(unit="林州市", project_name="亿元林州-2", project_code="2020-410581-47-03-000099",
                         total_investment=150000, nature="新开工", started_on=D(2020, 4, 1), annual_plan=30000,
                         ytd_completed=12345.6))
    for i, r in enumerate(q["R05"], 1):
        r.update(level="省重点" if i % 2 else "市重点", annual_plan=100 * i, ytd_completed=50 * i + 5)
    q["R05"].append(dict(unit="林州市", project_name="重点林州-2", level="市重点", annual_plan=800, ytd_completed=0))
    for i, r in enumerate(q["R06"], 1):
        r.update(allocated=100 * i, paid=0 if i == 9 else 50 * i)
        if i % 2:
            r["allocation_doc"] = f"豫发改投资〔2020〕{100 + i}号"
    for i, r in enumerate(q["R07"], 1):
        r.update(bond_amount=100 * i + 0.25, spent=50 * i)
    for i, r in enumerate(q["R08"], 1):
        r.update(area=("水利", "交通", "能源", "市政")[i % 4], annual_plan=100 * i, ytd_completed=40 * i)
    q["R08"].append(dict(unit="殷都区", project_name="982-殷都-2", area="教育", annual_plan=300, ytd_completed=120.5))
    for i, r in enumerate(q["R09"], 1):
        r.update(due_on=D(2020, 8, i), accepted_on=D(2020, 7, i + 1), completed_on=D(2020, 7, 20 + i))
        if i == 3:
            r.update(accepted_on=None, completed_on=None)
        if i == 4:
            r["completed_on"] = None
    q["R09"].append(dict(unit="林州市", project_name="审批林州-2", item_name="用地规划许可", due_on=D(2020, 9, 15),
                         accepted_on=D(2020, 8, 3), completed_on=D(2020, 9, 1)))
    for i, r in enumerate(q["R10"], 1):
        r.update(score=(2, 2.5, 1.5, 3)[i % 4])
        if i % 2 == 0:
            r["note"] = "谋划工作扎实"
    q["R10"][4]["indicator"] = "项目谋划工作开展情况"   # one unit names the indicator instead of its code
    for i, r in enumerate(q["R11"], 1):
        r.update(category=("放管服改革", "推进项目")[i % 2], grade=("优", "良", "一般")[i % 3],
                 issued_on=D(2020, i % 9 + 1, 15))
    return q


QUARTER_ROWS = varied()


# ---- helpers -------------------------------------------------------------------------------------------

@cache
def _context():
    return context_for(YEAR, load_rubric(), load_registry())


def _ingest(path: Path):
    """What a run makes of one file (sbsk.intake.ingest.ingest); the folder names the sending department."""
    source = SourceFile(path, str(path), department_of(path.parent.name, DEFS), path.parent.name, sha256_of(path))
    return ingest(source, DEFS, _context())


def _norm(value):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, float):
        return float(round(value, 4))   # the warehouse keeps amounts to 4 decimals of 万元 (1 元)
    return value


def typed_rows(path: Path) -> list[tuple]:
    """The rows a file loads, typed, without lineage, in a stable order."""
    result = _ingest(path)
    assert result.status == "loaded", result.file_message
    frame = result.loaded.drop(columns="_row")
    rows = [tuple((c, _norm(v)) for c, v in zip(frame.columns, values)) for values in frame.itertuples(index=False)]
    return sorted(rows, key=repr)


def plain_twin(tmp_path: Path, code: str, rows: list[dict]) -> Path:
    ret = DEFS.returns[code]
    return write_plain(tmp_path / "plain" / ret.owner / f"{code}.xlsx", ret, rows, title=ret.title)


_PLAIN_ROWS: dict[tuple[str, str], list[tuple]] = {}


def plain_rows(tmp_path: Path, code: str, rows: list[dict]) -> list[tuple]:
    """typed_rows of the plain twin, read once per return and rows: the 20 trait tests of a return
    compare with the same plain file (writing and reading it each time was a third of this file's time)."""
    key = (code, repr(rows))
    if key not in _PLAIN_ROWS:
        _PLAIN_ROWS[key] = typed_rows(plain_twin(tmp_path, code, rows))
    return _PLAIN_ROWS[key]


def messy_path(tmp_path: Path, code: str) -> Path:
    """Where a messy file goes: under its owner's folder, as a department sends it."""
    return tmp_path / "messy" / DEFS.returns[code].owner / f"{code}.xlsx"


def verdict_of(path: Path) -> dict:
    [v] = check_paths([path], YEAR)
    return v


def _errors(v: dict, n: int = 3) -> str:
    return " | ".join(e["message"] for e in v["errors"][:n])


def assert_reads_like_plain(tmp_path: Path, messy: MessyFile, rows: list[dict], flags: int = 0) -> dict:
    """check_paths recognises the right return, loads every row, rejects none, skips exactly the 合计/小计,
    notes and blank rows the fixture wrote, and the typed rows equal those of the plain twin."""
    v = verdict_of(messy.path)
    assert v["status"] == "loaded", _errors(v)
    assert v["return_code"] == messy.code, v["recognised_by"]
    assert v["recognised_by"], v
    assert v["rows_rejected"] == 0, f"{v['rows_rejected']} rejected: {_errors(v)}"
    assert v["rows_loaded"] == len(rows), v
    skipped = {k: n for k, n in v["skipped"].items() if n}
    assert skipped == {k: n for k, n in messy.skipped.items() if n}, v
    assert v["rows_read"] == len(rows) + sum(messy.skipped.values()), v
    assert len(v["flags"]) == flags, v["flags"]
    assert typed_rows(messy.path) == plain_rows(tmp_path, messy.code, rows)
    return v


# What the reader gets wrong today, shared by several tests below.
# ---- one test per trait --------------------------------------------------------------------------------

# The return each trait is shown on: one where the trait bites (amounts for 亿元, optional dates for
# "—", several rows per unit for 小计 …).
TRAIT_RETURN = {
    "title_rows": "R04", "filler_rows": "R01", "merged_header": "R04", "header_noise": "R04",
    "yi_yuan_header": "R04", "yi_yuan_line": "R07", "totals": "R05", "subtotals": "R08",
    "notes_below": "R02", "numbers_as_text": "R02", "dates_as_text": "R09", "dates_as_serials": "R01",
    "notes_sheet": "R11", "hidden_column": "R06", "unit_variants": "R10", "xls": "R03",
    "shuffled_columns": "R04", "extra_columns": "R05", "traditional_text": "R01",
}
XFAIL_TRAITS: dict[str, str] = {}


def test_every_trait_has_a_test():
    assert set(TRAIT_RETURN) == TRAITS


@pytest.mark.parametrize("trait", [
    pytest.param(t, marks=pytest.mark.xfail(reason=XFAIL_TRAITS[t], strict=True)) if t in XFAIL_TRAITS else t
    for t in sorted(TRAIT_RETURN)])
def test_single_trait(tmp_path, trait):
    code = TRAIT_RETURN[trait]
    rows = QUARTER_ROWS[code]
    messy = write_messy(messy_path(tmp_path, code), code, rows, {trait})
    assert_reads_like_plain(tmp_path, messy, rows)


def test_the_fixture_means_what_it_says(tmp_path):
    """The fixture itself: 亿元 amounts are value/10000, serials are the real Excel serials, "—" only
    for 0 in a money column that allows 0 or an empty optional cell, hidden columns are hidden."""
    from openpyxl import load_workbook

    rows = QUARTER_ROWS["R04"]
    m = write_messy(tmp_path / "R04.xlsx", "R04", rows, {"yi_yuan_header", "dates_as_serials", "numbers_as_text",
                                                         "hidden_column"})
    ws = load_workbook(m.path).active
    header = [ws.cell(m.header_rows[-1], j + 1).value for j in range(len(m.columns))]
    first = {h: ws.cell(m.row_numbers[0], j + 1).value for j, h in enumerate(header)}
    assert first["总投资(亿元)"] == "2.15"                     # 21500 万元
    assert first["开工日期"] == 43586                          # 2019-05-01
    second = {h: ws.cell(m.row_numbers[1], j + 1).value for j, h in enumerate(header)}
    assert second["本年累计完成投资(亿元)"] == "—"               # 0, in a column that allows 0
    assert second["竣工投产日期"] == "—"                       # empty optional date
    assert second["本年计划投资(亿元)"] == " 0.12 "              # 1200 万元, typed with spaces
    assert [ws.column_dimensions[chr(65 + j)].hidden for j in m.hidden] == [True]
    assert (date(2019, 5, 1) - date(1899, 12, 30)).days == 43586


def test_the_fixture_merges_headers_and_writes_legacy_files(tmp_path):
    from openpyxl import load_workbook

    m = write_messy(tmp_path / "R04.xlsx", "R04", QUARTER_ROWS["R04"],
                    {"merged_header", "notes_sheet", "title_rows", "yi_yuan_line"}, header_rows=3)
    wb = load_workbook(m.path)
    assert wb.sheetnames == ["说明", m.sheet]
    ws = wb[m.sheet]
    top, mid, leaf = m.header_rows
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"A{top}:A{leaf}" in merged                            # 县(市、区): no parent, merged over 3 rows
    assert ws.cell(top, 2).value == "填报内容"                     # the top heading over every other field
    assert ws.cell(mid, 8).value == "投资情况" and f"H{mid}:I{mid}" in merged
    assert [ws.cell(leaf, j).value for j in (8, 9)] == ["本年计划投资", "本年累计完成投资"]
    assert any(c.value == "单位：亿元" for row in ws.iter_rows(max_row=top - 1) for c in row)

    x = write_messy(tmp_path / "R04.xlsx", "R04", QUARTER_ROWS["R04"], {"xls", "merged_header"})
    assert x.path.suffix == ".xls"
    assert x.path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")   # an OLE2 (BIFF) workbook


# ---- every trait on every return -----------------------------------------------------------------------

MATRIX = [(code, trait, {}) for code in DEFS.returns for trait in sorted(TRAITS)] + \
         [(code, "merged_header", {"header_rows": 3}) for code in DEFS.returns]
XFAIL_MATRIX: dict[tuple[str, str], str] = {}


def _matrix_id(code: str, trait: str, opts: dict) -> str:
    return f"{code}-{trait}" + ("-3rows" if opts else "")


@pytest.mark.parametrize("code,trait,opts", [
    pytest.param(c, t, o, id=_matrix_id(c, t, o),
                 marks=[pytest.mark.xfail(reason=XFAIL_MATRIX[(c, t)], strict=True)] if (c, t) in XFAIL_MATRIX else [])
    for c, t, o in MATRIX])
def test_trait_on_every_return(tmp_path, code, trait, opts):
    """Each trait is handled in general, not only on the return its own test uses."""
    rows = QUARTER_ROWS[code]
    messy = write_messy(messy_path(tmp_path, code), code, rows, {trait}, **opts)
    assert_reads_like_plain(tmp_path, messy, rows)


# ---- variants of a trait, each a way real returns do it ------------------------------------------------

XFAIL_VARIANTS: dict[str, str] = {}

VARIANTS = {
    # name: (code, traits, opts)
    "merged_header_3_rows": ("R04", {"merged_header"}, {"header_rows": 3}),
    "merged_header_R11_two_groups": ("R11", {"merged_header"}, {}),
    "merged_header_yi_yuan": ("R06", {"merged_header", "yi_yuan_header"}, {}),
    "totals_on_top": ("R05", {"totals"}, {"totals_position": "top"}),
    "subtotals_by_level": ("R05", {"subtotals"}, {"subtotal_by": "level"}),
    "subtotal_named_in_unit_column": ("R08", {"subtotals"}, {"subtotal_style": "unit"}),
    "hidden_serial_number": ("R06", {"hidden_column"}, {"hidden_as": "序号"}),
    "hidden_stale_copy_of_amount": ("R06", {"hidden_column"}, {"hidden_as": "paid"}),
    "merged_header_unit_on_parent": ("R04", {"merged_header", "yi_yuan_header"}, {"unit_in_parent": True}),
    "merged_header_3_rows_unit_on_parent": ("R07", {"merged_header", "header_noise", "yi_yuan_header"},
                                            {"header_rows": 3, "unit_in_parent": True}),
    "total_label_after_numbers": ("R03", {"shuffled_columns", "totals"}, {}),
    "subtotal_label_after_numbers": ("R08", {"shuffled_columns", "subtotals"}, {}),
    "subtotal_label_in_serial_column": ("R08", {"extra_columns", "subtotals"}, {}),
    "traditional_enums_and_headers": ("R04", {"traditional_text", "merged_header"}, {"header_rows": 3}),
    "unit_variants_R01": ("R01", {"unit_variants"}, {}),
    "xls_with_real_dates": ("R09", {"xls"}, {}),
    "extra_columns_R10": ("R10", {"extra_columns"}, {}),
    "dates_text_and_serials": ("R01", {"dates_as_text", "dates_as_serials"}, {}),
}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=XFAIL_VARIANTS[n], strict=True)) if n in XFAIL_VARIANTS else n
    for n in VARIANTS])
def test_trait_variant(tmp_path, name):
    code, traits, opts = VARIANTS[name]
    rows = QUARTER_ROWS[code]
    messy = write_messy(messy_path(tmp_path, code), code, rows, traits, **opts)
    assert_reads_like_plain(tmp_path, messy, rows)


# ---- combinations --------------------------------------------------------------------------------------

XFAIL_COMBOS: dict[str, str] = {}

COMBOS = {
    "R04_headed_report": ("R04", {"title_rows", "filler_rows", "merged_header", "header_noise", "yi_yuan_header",
                                  "totals"}, {}),
    "R01_with_notes_sheet": ("R01", {"notes_sheet", "dates_as_text", "unit_variants", "extra_columns",
                                     "notes_below"}, {}),
    "R02_legacy_typed_as_text": ("R02", {"xls", "numbers_as_text", "dates_as_serials", "shuffled_columns",
                                         "totals"}, {}),
    "R09_hidden_and_signed": ("R09", {"hidden_column", "dates_as_text", "filler_rows", "notes_below", "title_rows",
                                      "traditional_text"}, {}),
    "R05_subtotalled_in_yi": ("R05", {"subtotals", "totals", "yi_yuan_line", "merged_header", "extra_columns",
                                      "numbers_as_text"}, {}),
    "R11_legacy_merged": ("R11", {"xls", "merged_header", "notes_sheet", "unit_variants", "header_noise",
                                  "hidden_column"}, {}),
    "R06_shuffled_hidden_yi": ("R06", {"shuffled_columns", "hidden_column", "numbers_as_text", "yi_yuan_line",
                                       "filler_rows"}, {}),
    "R08_three_row_header": ("R08", {"merged_header", "subtotals", "extra_columns", "unit_variants", "title_rows"},
                             {"header_rows": 3}),
}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=XFAIL_COMBOS[n], strict=True)) if n in XFAIL_COMBOS else n
    for n in COMBOS])
def test_combined_traits(tmp_path, name):
    code, traits, opts = COMBOS[name]
    assert 4 <= len(traits) <= 6
    rows = QUARTER_ROWS[code]
    messy = write_messy(messy_path(tmp_path, code), code, rows, traits, **opts)
    assert_reads_like_plain(tmp_path, messy, rows)


# ---- the same quarter, plain and messy: the same staged rows and the same scores ------------------------

MESSY_QUARTER = {
    "R01": ({"filler_rows", "dates_as_serials", "unit_variants", "extra_columns", "notes_sheet", "subtotals"}, {}),
    "R02": ({"xls", "numbers_as_text", "dates_as_text", "shuffled_columns", "totals", "title_rows"}, {}),
    "R03": ({"merged_header", "header_noise", "yi_yuan_header", "notes_below", "traditional_text"}, {}),
    "R04": ({"title_rows", "filler_rows", "merged_header", "header_noise", "yi_yuan_header", "totals"}, {}),
    "R05": ({"subtotals", "totals", "yi_yuan_line", "extra_columns"}, {"totals_position": "top"}),
    "R06": ({"hidden_column", "numbers_as_text", "shuffled_columns", "filler_rows"}, {}),
    "R07": ({"yi_yuan_line", "title_rows", "notes_below", "xls"}, {}),
    "R08": ({"merged_header", "subtotals", "extra_columns", "unit_variants"}, {"header_rows": 3}),
    "R09": ({"dates_as_text", "hidden_column", "notes_sheet", "notes_below"}, {}),
    "R10": ({"unit_variants", "numbers_as_text", "header_noise", "title_rows"}, {}),
    "R11": ({"xls", "notes_sheet", "shuffled_columns", "dates_as_serials", "extra_columns"}, {}),
}
def _table_rows(out_dir: Path, table: str, exclude: tuple[str, ...] = ()) -> list[tuple]:
    cols = [r[0] for r in query(out_dir, f"select column_name from information_schema.columns "
                                         f"where table_schema = 'main' and table_name = '{table}' order by ordinal_position")]
    keep = ", ".join(c for c in cols if c not in exclude)
    return query(out_dir, f"select {keep} from main.{table} order by all")


@pytest.fixture(scope="module")
def two_quarters(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The same quarter evaluated twice: written plainly, and written messy (MESSY_QUARTER)."""
    assert set(MESSY_QUARTER) == set(DEFS.returns)
    assert set().union(*(t for t, _o in MESSY_QUARTER.values())) == TRAITS
    root = tmp_path_factory.mktemp("metamorphic")
    plain_raw, messy_raw = root / "plain" / "raw", root / "messy" / "raw"
    plain_out, messy_out = root / "plain" / "out", root / "messy" / "out"
    for d in (plain_raw, messy_raw, plain_out, messy_out):
        d.mkdir(parents=True)
    write_quarter(plain_raw, QUARTER, QUARTER_ROWS)
    for code, (traits, opts) in MESSY_QUARTER.items():
        ret = DEFS.returns[code]
        write_messy(messy_raw / QUARTER / ret.owner / f"{code}-{ret.table}.xlsx", code, QUARTER_ROWS[code], traits,
                    **opts)
    plain = evaluate(plain_raw, plain_out, QUARTER)
    assert plain["status"] == "done", plain
    messy = evaluate(messy_raw, messy_out, QUARTER)
    return plain_out, messy_out, messy


def test_messy_quarter_stages_and_scores_like_the_plain_one(two_quarters):
    plain_out, messy_out, messy = two_quarters
    problems = [f"{r.return_code or r.source.rel}: {r.file_message or _errors({'errors': r.rejections}, 2)}"
                for r in messy["results"] if r.status != "loaded" or r.rejections]
    assert not problems, "\n".join(problems)
    assert messy["status"] == "done", messy["missing"]
    for ret in DEFS.returns.values():
        table = f"stg_{ret.table}"
        assert _table_rows(messy_out, table, LINEAGE) == _table_rows(plain_out, table, LINEAGE), table
    assert _table_rows(messy_out, "indicator_scores") == _table_rows(plain_out, "indicator_scores")
    assert _table_rows(messy_out, "quarter_results") == _table_rows(plain_out, "quarter_results")
    counts = query(messy_out, "select sum(rows_loaded), sum(rows_rejected), sum(skipped_total), sum(skipped_notes) "
                              "from main.source_files")
    # what MESSY_QUARTER writes: one 合计 row in each of R02, R04, R05 ("totals"); one 小计 row per unit
    # group in each of R01, R05, R08 ("subtotals", grouped by unit); two note lines (注：…, 填报人：…)
    # below each of R03, R07, R09 ("notes_below"). The notes sheets are sheets, not rows.
    subtotals = sum(len({row["unit"] for row in QUARTER_ROWS[code]}) for code in ("R01", "R05", "R08"))
    assert counts == [(sum(len(r) for r in QUARTER_ROWS.values()), 0, 3 + subtotals, 2 * 3)]


def test_messy_quarter_raises_the_same_data_flags(two_quarters):
    """Its 合计/小计 rows are all right, so the messy quarter raises exactly the plain quarter's flags."""
    plain_out, messy_out, _ = two_quarters
    flags = "select unit_code, return_code, flag from main.data_flags order by all"
    assert [f for f in query(messy_out, flags) if f[2] == "total_mismatch"] == []
    assert query(messy_out, flags) == query(plain_out, flags)


# ---- 合计 / 小计 checked against the detail rows --------------------------------------------------------

def _mismatches(v: dict) -> list[dict]:
    return [f for f in v["flags"] if f["flag"] == "total_mismatch"]


XFAIL_TOTALS: dict[str, str] = {}

TOTAL_CASES = {
    # name: (code, traits, opts, expected total_mismatch flags)
    "correct_total": ("R04", {"totals"}, {}, 0),
    "correct_total_in_yi_yuan": ("R04", {"totals", "yi_yuan_header", "numbers_as_text"}, {}, 0),
    "correct_total_on_top_with_subtotals": ("R05", {"totals", "subtotals"}, {"totals_position": "top"}, 0),
    "total_off_by_1_percent": ("R04", {"totals"}, {"total_error": {"ytd_completed": 0.01}}, 1),
    "total_off_by_1_percent_in_yi_yuan_line": ("R07", {"totals", "yi_yuan_line"}, {"total_error": {"spent": -0.01}}, 1),
    "total_off_by_0_4_percent_is_tolerated": ("R06", {"totals"}, {"total_error": {"allocated": 0.004}}, 0),
    "subtotal_off_by_1_percent": ("R08", {"subtotals"}, {"subtotal_error": {"annual_plan": 0.01}}, 1),
}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(reason=XFAIL_TOTALS[n], strict=True)) if n in XFAIL_TOTALS else n
    for n in TOTAL_CASES])
def test_totals_checked_against_details(tmp_path, name):
    code, traits, opts, expected = TOTAL_CASES[name]
    rows = QUARTER_ROWS[code]
    messy = write_messy(messy_path(tmp_path, code), code, rows, traits, **opts)
    v = verdict_of(messy.path)
    assert v["status"] == "loaded" and v["rows_rejected"] == 0, _errors(v)
    assert v["rows_loaded"] == len(rows)
    assert v["skipped"].get("total", 0) == messy.skipped["total"]
    found = _mismatches(v)
    assert len(found) == expected, found
    for flag in found:
        assert flag["return_code"] == code and flag["row_number"] in range(1, 10_000), flag


def test_total_mismatch_reaches_data_flags(tmp_path):
    """After a run, an off-by-1% 合计 is one data flag of the quarter, naming file, sheet and row."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    out.mkdir(parents=True)
    write_quarter(raw, QUARTER, {c: rows for c, rows in QUARTER_ROWS.items() if c != "R07"})
    ret = DEFS.returns["R07"]
    m = write_messy(raw / QUARTER / ret.owner / f"R07-{ret.table}.xlsx", "R07", QUARTER_ROWS["R07"], {"totals"},
                    total_error={"bond_amount": 0.01})
    assert evaluate(raw, out, QUARTER)["status"] == "done"
    flags = query(out, "select return_code, flag, sheet, row_number from main.data_flags where flag = 'total_mismatch'")
    assert flags == [("R07", "total_mismatch", m.sheet, m.row_numbers[-1] + 1)]


# ---- recognition ---------------------------------------------------------------------------------------

def test_verdict_says_how_a_file_was_recognised(tmp_path):
    m = write_messy(tmp_path / "R04.xlsx", "R04", QUARTER_ROWS["R04"], {"title_rows", "header_noise"})
    v = verdict_of(m.path)
    assert v["return_code"] == "R04"
    assert "表头" in v["recognised_by"] and "本年累计完成投资" in v["recognised_by"], v["recognised_by"]


def test_template_is_recognised_by_its_code(tmp_path):
    from sbsk.outputs.templates import write_templates

    paths = write_templates(QUARTER, tmp_path / "templates")
    path = next(p for p in paths if p.name.startswith("R05") or "R05" in p.name)
    v = verdict_of(path)
    assert v["return_code"] == "R05", v
    assert "R05" in v["recognised_by"] and "代码" in v["recognised_by"], v["recognised_by"]


def test_headers_of_no_return_are_rejected_naming_the_closest(tmp_path):
    """R07 with 已支出 renamed beyond recognition: rejected whole; the message names R07 as closest and
    the column it lacks."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["地方政府专项债券项目"])
    ws.append(["县(市、区)", "项目名称", "债券资金(万元)", "资金使用进度"])
    for r in QUARTER_ROWS["R07"]:
        ws.append([r["unit"], r["project_name"], r["bond_amount"], "50%"])
    path = tmp_path / "unknown.xlsx"
    wb.save(path)
    v = verdict_of(path)
    assert v["status"] == "rejected" and v["rows_loaded"] == 0, v
    message = _errors(v, 1)
    assert "最接近" in message and "R07" in message and "已支出(万元)" in message, message


def test_unrelated_spreadsheet_is_rejected_whole(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["姓名", "年龄", "电话"])
    wb.active.append(["张三", 30, "0372-1234567"])
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    v = verdict_of(path)
    assert v["status"] == "rejected" and v["return_code"] is None, v
    assert len(v["errors"]) == 1 and "表头" in v["errors"][0]["message"], v["errors"]


def test_messy_file_is_not_mistaken_for_another_return(tmp_path):
    """Each return, with the traits that add the most foreign text (extra columns, notes sheet, merged
    parent headings, filler rows), is still recognised as itself."""
    wrong = {}
    for code in DEFS.returns:
        m = write_messy(tmp_path / f"{code}.xlsx", code, QUARTER_ROWS[code],
                        {"extra_columns", "notes_sheet", "filler_rows", "title_rows", "header_noise"})
        v = verdict_of(m.path)
        if v["return_code"] != code or v["status"] != "loaded":
            wrong[code] = (v["return_code"], _errors(v, 1))
    assert not wrong, wrong
