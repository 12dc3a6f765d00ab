"""A dispatch stays inside its own year (SPEC §9), worked out by hand: an assessor's score is carried
only from a quarter of the month's year, and the scheduled dispatch on the 5th takes the month just
ended, December across New Year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dispatch_answers import AY, LZ, TY, inert, run_dispatch, run_quarter, scores
from sbsk.config.periods import Month


def _assessed(scores_by_unit: dict[str, float]) -> dict:
    data = inert()
    data["R10"] = [dict(unit=u, indicator="A1", score=s) for u, s in scores_by_unit.items()]
    return data


def test_an_assessment_is_never_carried_from_another_year(dirs, monkeypatch):
    from sbsk.config.rubric import RUBRIC_FILE

    monkeypatch.setenv("SBSK_RUBRIC", str(RUBRIC_FILE))   # the shipped rubric governs 2020 only
    run_quarter(dirs, "2020Q1", _assessed({LZ: 2.5, AY: 1}))
    # April 2021, no R10: 2020Q1 ends on or before 04-30 by month, but it is last year's. Nothing of
    # 2021 is stored: every A1 is 0, missing_assessment (carrying 2020Q1 would give 林州 2.50)
    run_dispatch(dirs, "2021-04", inert(), drop=("R10",))
    got = scores(dirs[1], "2021-04", "A1")
    assert [got[u] for u in (LZ, AY, TY)] == [(Decimal("0.00"), {"missing_assessment"})] * 3
    # once 2021Q1 is stored, April carries it
    run_quarter(dirs, "2021Q1", _assessed({AY: 2}))
    run_dispatch(dirs, "2021-04", inert(), drop=("R10",))
    got = scores(dirs[1], "2021-04", "A1")
    assert got[AY] == (Decimal("2.00"), {"carried_assessment"})
    assert got[LZ] == (Decimal("0.00"), {"missing_assessment"})   # 2021Q1 did not assess 林州


def test_the_scheduled_dispatch_takes_the_month_just_ended():
    from sbsk.flows.month_end import last_ended_month

    assert last_ended_month(date(2020, 8, 5)) == Month(2020, 7)
    assert last_ended_month(date(2021, 1, 5)) == Month(2020, 12)
    assert last_ended_month(date(2020, 3, 1)) == Month(2020, 2)
