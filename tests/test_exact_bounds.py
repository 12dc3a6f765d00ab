"""Exactness at the edges (issue 14): a progress target is used exactly as written in the rubric
(SPEC §5), and every amount the validation accepts, up to ±1e9 万元, is scored without overflow
(SPEC §3); beyond the bound a row is rejected (数值过大)."""

from __future__ import annotations

from decimal import Decimal

from builders import UNITS, baseline, write_quarter
from conftest import evaluate, query
from sbsk.config.rubric import RUBRIC_FILE

CODE = {name: code for code, name in UNITS.items()}


def _rubric_with(tmp_path, old: str, new: str):
    text = RUBRIC_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "rubric-test.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_progress_target_is_used_exactly_as_written(tmp_path, monkeypatch, dirs):
    monkeypatch.setenv("SBSK_RUBRIC", str(_rubric_with(
        tmp_path, 'metric = "central_budget_progress" }', 'metric = "central_budget_progress", target = 0.333333 }')))
    raw, out = dirs
    data = baseline()
    data["R06"] = [dict(r, allocated=100000, paid=19965.32) if r["unit"] == "林州市" else r for r in data["R06"]]
    write_quarter(raw, "2020Q3", data)
    assert evaluate(raw, out, "2020Q3")["status"] == "done"
    c6 = dict(query(out, "select unit_code, points from indicator_scores where quarter = '2020Q3' "
                         "and indicator_code = 'C6'"))
    # 林州: r = 19965.32 / 100000 = 0.1996532; 5 × r / 0.333333 = 0.998266 / 0.333333 = 2.99480… → 2.99
    # (with the target cut to 0.3333: 0.998266 / 0.3333 = 2.99509… → 3.00, the defect)
    assert c6[CODE["林州市"]] == Decimal("2.99")
    # everyone else paid 50 of 100: 0.5 / 0.333333 ≥ 1 → the full 5
    assert {p for u, p in c6.items() if u != CODE["林州市"]} == {Decimal("5.00")}
    basis = query(out, "select distinct basis_1 from indicator_scores where quarter = '2020Q3' and indicator_code = 'C6'")
    assert basis == [(0.333333,)]


# ---- amounts at the bound ----

BOUND = 1_000_000_000          # 万元 (SPEC §3: an amount lies in [−1e9, 1e9])
COUNTY = ["林州市", "安阳县", "汤阴县", "滑县", "内黄县"]


def at_the_bound() -> dict[str, list[dict]]:
    """Every amount of every return at or just below 1e9 万元, three rows a unit where a return has
    projects, so the sums reach 3e9 and the fractions do not reduce."""
    data = baseline()
    for i, name in enumerate(UNITS.values()):
        b = BOUND - i * 0.0001 if i else BOUND    # 林州 exactly 1e9, then 999999999.9999, …9998 …
        for code in ("R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08"):
            row = next(r for r in data[code] if r["unit"] == name)
            extra = [dict(row, project_name=f"{row.get('project_name', '')}-{k}") for k in (2, 3)] \
                if code != "R03" else []
            for r in [row] + extra:
                r.update({"R01": dict(total_investment=b),
                          "R02": dict(contract_amount=b, paid_in=b - 1),
                          "R03": dict(total_investment=b),
                          "R04": dict(total_investment=b, annual_plan=b, ytd_completed=b - 3),
                          "R05": dict(annual_plan=b, ytd_completed=b / 4),
                          "R06": dict(allocated=b, paid=b * 0.75),
                          "R07": dict(bond_amount=b, spent=b),
                          "R08": dict(annual_plan=b, ytd_completed=b)}[code])
            for k, r in enumerate(extra, start=2):
                if "project_code" in r:
                    r["project_code"] = r["project_code"][:-1] + str(k)
            data[code] += extra
    # the rounding at the bound, worked by hand (t(Q3) = 0.75, C6 = 5 × min(r / 0.75, 1)):
    # 汤阴 paid 3 × 749250000 of 3 × 1e9: r = 0.74925, r / 0.75 = 0.999, 5 × 0.999 = 4.995 → 5.00 (half up)
    # 滑县 one row 0.0001 less: 5 × (2247749999.9999 / 3e9) / 0.75 = 4.99499999999977… → 4.99
    for name, paid in (("汤阴县", [749250000] * 3), ("滑县", [749250000, 749250000, 749249999.9999])):
        rows = [r for r in data["R06"] if r["unit"] == name]
        for r, p in zip(rows, paid):
            r.update(allocated=BOUND, paid=p)
    # one R04 row far over its plan: 1e9 > 1.5 × 6e8 = 9e8 → over_plan (the product that overflowed)
    next(r for r in data["R04"] if r["unit"] == "内黄县").update(annual_plan=600_000_000, ytd_completed=BOUND)
    data["R03"][0]["project_count"] = BOUND                      # a count at the bound too
    return data


def test_a_quarter_at_the_bound_runs_through_every_model_exactly(tmp_path, monkeypatch, dirs):
    # an over_plan_ratio of 1000 makes the over-plan product 1e12 万元: no overflow either
    monkeypatch.setenv("SBSK_RUBRIC", str(_rubric_with(tmp_path, "over_plan_ratio = 1.5 ", "over_plan_ratio = 1000 ")))
    raw, out = dirs
    write_quarter(raw, "2020Q3", at_the_bound())
    res = evaluate(raw, out, "2020Q3")
    assert res["status"] == "done"
    assert [r["message"] for f in res["results"] for r in f.rejections] == []
    # staged exactly: 林州's three R04 rows hold 3 × 1e9 of plan
    assert query(out, "select sum(annual_plan) from stg_major_projects where unit_code = '410581'") == [
        (Decimal("3000000000.0000"),)]
    assert query(out, "select total_investment from stg_major_projects where unit_code = '410522' limit 1") == [
        (Decimal("999999999.9999"),)]
    c6 = dict(query(out, "select unit_code, points from indicator_scores where indicator_code = 'C6'"))
    assert (c6[CODE["汤阴县"]], c6[CODE["滑县"]]) == (Decimal("5.00"), Decimal("4.99"))
    # every unit has all 20 indicators and a result; totals add up
    assert query(out, "select count(*) from indicator_scores") == [(20 * 9,)]
    assert query(out, "select count(*) from quarter_results r where total = (select sum(points) from "
                      "indicator_scores s where s.unit_code = r.unit_code)") == [(9,)]
    # B1 (3 × paid_in / the group's largest): 林州 3 × (1e9 − 1) is the county's largest → 3.00
    b1 = dict(query(out, "select unit_code, points from indicator_scores where indicator_code = 'B1'"))
    assert b1[CODE["林州市"]] == Decimal("3.00")


def test_the_over_plan_flag_at_the_bound(dirs):
    raw, out = dirs
    write_quarter(raw, "2020Q3", at_the_bound())
    assert evaluate(raw, out, "2020Q3")["status"] == "done"
    flags = query(out, "select unit_code, detail from data_flags where flag = 'over_plan'")
    assert [u for u, _ in flags] == [CODE["内黄县"]]
    assert "本年累计完成投资1000000000.0万元，超过本年计划投资600000000.0万元的1.5倍" in flags[0][1]


def test_beyond_the_bound_a_row_is_rejected(dirs):
    raw, out = dirs
    data = baseline()
    data["R06"][0].update(allocated="1000000000.0001")          # 林州: just beyond (as text: a float cell reads back longer)
    data["R06"][1].update(allocated=BOUND, paid=BOUND)          # 安阳: at the bound, loaded
    data["R06"][2].update(allocated=6.67e9, paid=1)            # 汤阴: what used to be accepted
    data["R03"][0].update(project_count=BOUND + 1)              # a count beyond
    write_quarter(raw, "2020Q3", data)
    res = evaluate(raw, out, "2020Q3")
    messages = sorted(r["message"].split("：", 1)[1] for f in res["results"] for r in f.rejections)
    assert messages == sorted([
        "下达中央预算内资金(1000000000.0001)数值过大，超出±1000000000万元，请核对金额单位（万元）",
        "下达中央预算内资金(6670000000)数值过大，超出±1000000000万元，请核对金额单位（万元）",
        "开工项目个数(1000000001)数值过大，超出±1000000000，请核对",
    ])
    assert query(out, "select unit_code, allocated from stg_central_budget order by unit_code") == sorted(
        [(CODE[u], Decimal("100.0000")) for u in UNITS.values() if u not in ("林州市", "安阳县", "汤阴县")]
        + [(CODE["安阳县"], Decimal("1000000000.0000"))])


def test_a_dispatch_at_the_bound_scores_and_warns_exactly(dirs):
    """The month's models (SPEC §9: warnings in exact arithmetic, the gap in 万元) at the bound too.
    September: t = 9/12 = 3/4, as Q3, so C6 is 5.00 for 汤阴 and 4.99 for 滑县 (worked above).
    Warnings on C6: 汤阴 r/t = 0.74925/0.75 = 0.999, 滑县 a hair less: both amber (≥ 0.9, < 1).
    The gap t × Σ allocated − Σ paid: 汤阴 2250000000 − 2247750000 = 2250000.00; 滑县
    2250000000 − 2247749999.9999 = 2250000.0001, rounded up to the cent: 2250000.01."""
    from sbsk.dispatch import evaluate_dispatch

    raw, out = dirs
    write_quarter(raw, "2020-09", at_the_bound())
    state = evaluate_dispatch("2020-09", raw, out, up_to="publish")
    assert state["status"] == "provisional" and state["missing"] == []
    assert [r["message"] for f in state["results"] for r in f.rejections] == []
    c6 = dict(query(out, "select unit_code, points from dispatch_scores where indicator_code = 'C6'"))
    assert (c6[CODE["汤阴县"]], c6[CODE["滑县"]]) == (Decimal("5.00"), Decimal("4.99"))
    warned = {u: (level, gap) for u, level, gap in query(
        out, "select unit_code, level, gap from dispatch_warnings where indicator_code = 'C6'")}
    assert warned[CODE["汤阴县"]] == ("amber", Decimal("2250000.00"))
    assert warned[CODE["滑县"]] == ("amber", Decimal("2250000.01"))
    assert query(out, "select count(*) from dispatch_results r where total = (select sum(points) from "
                      "dispatch_scores s where s.unit_code = r.unit_code)") == [(9,)]
