"""Receipt times (SPEC §12): the first time sbsk saw a content in the raw folder, or the file's
modification time if earlier; stored, it never moves for that content. Beijing time."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from builders import baseline, write_quarter
from sbsk.intake.discover import discover
from sbsk.intake.receipts import STORE_NAME, observe, read_receipts
from sbsk.schemas import load_returns

CST = timezone(timedelta(hours=8))
Q = "2020Q3"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


def touch(path: Path, moment: datetime) -> None:
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def look(raw: Path, out: Path, now: datetime, period: str = Q) -> dict[str, datetime]:
    """path → receipt time, as a command looking at the raw folder at `now` records them."""
    sources = discover(raw, period, load_returns())
    got = observe(out, period, sources, "test", now=now)
    return {s.rel.split("/", 1)[1]: got[s.sha256].received_at for s in sources}


@pytest.fixture
def folder(dirs):
    raw, out = dirs
    rows = baseline()
    write_quarter(raw, Q, {"R06": rows["R06"], "R07": rows["R07"]})
    r06, r07 = raw / Q / "fgw" / "R06-central_budget.xlsx", raw / Q / "czj" / "R07-special_bonds.xlsx"
    touch(r06, at(2020, 10, 13, 10, 0))
    touch(r07, at(2020, 10, 20, 8, 0))        # modified after sbsk first saw it (a clock off, a re-save)
    return raw, out, r06, r07


def test_modification_time_wins_when_earlier_first_sight_otherwise(folder):
    raw, out, r06, r07 = folder
    got = look(raw, out, now=at(2020, 10, 14, 9, 0))
    assert got == {"fgw/R06-central_budget.xlsx": at(2020, 10, 13, 10, 0),   # there before sbsk looked
                   "czj/R07-special_bonds.xlsx": at(2020, 10, 14, 9, 0)}     # seen before its mtime


def test_the_same_content_keeps_its_time(folder):
    raw, out, r06, r07 = folder
    look(raw, out, now=at(2020, 10, 14, 9, 0))
    moved = r06.with_name("中央预算内投资.xlsx")
    r06.rename(moved)                                  # renamed ...
    touch(moved, at(2020, 10, 1, 0, 0))                # ... and its mtime set earlier: the stored time holds
    touch(r07, at(2020, 11, 30, 0, 0))
    got = look(raw, out, now=at(2020, 11, 2, 9, 0))
    assert got == {"fgw/中央预算内投资.xlsx": at(2020, 10, 13, 10, 0), "czj/R07-special_bonds.xlsx": at(2020, 10, 14, 9, 0)}


def test_changed_content_is_a_new_receipt_and_the_old_content_keeps_its_own(folder):
    raw, out, r06, r07 = folder
    look(raw, out, now=at(2020, 10, 14, 9, 0))
    original = r06.read_bytes()
    rows = baseline()["R06"]
    rows[0]["paid"] = 60                               # a correction
    write_quarter(raw, Q, {"R06": rows})
    touch(r06, at(2020, 10, 16, 11, 0))
    assert look(raw, out, now=at(2020, 10, 17, 9, 0))["fgw/R06-central_budget.xlsx"] == at(2020, 10, 16, 11, 0)
    r06.write_bytes(original)                          # the first version put back
    touch(r06, at(2020, 10, 18, 0, 0))
    assert look(raw, out, now=at(2020, 10, 19, 9, 0))["fgw/R06-central_budget.xlsx"] == at(2020, 10, 13, 10, 0)


def test_a_receipt_belongs_to_its_period(folder):
    raw, out, r06, r07 = folder
    look(raw, out, now=at(2020, 10, 14, 9, 0))
    (raw / "2020Q4" / "fgw").mkdir(parents=True)
    shutil.copy(r06, raw / "2020Q4" / "fgw" / r06.name)    # sent again for the next quarter
    later = raw / "2020Q4" / "fgw" / r06.name
    touch(later, at(2021, 1, 5, 10, 0))
    assert look(raw, out, now=at(2021, 1, 6, 9, 0), period="2020Q4") == {
        "fgw/R06-central_budget.xlsx": at(2021, 1, 5, 10, 0)}


def test_the_earliest_copy_in_one_look_says_when_it_came(folder):
    raw, out, r06, r07 = folder
    for name in ("R06-备份.xlsx", "R06-复制.xlsx"):      # found in this order, after R06-central_budget
        shutil.copy(r06, raw / Q / "fgw" / name)
    touch(r06, at(2020, 10, 15, 8, 0))
    touch(raw / Q / "fgw" / "R06-备份.xlsx", at(2020, 10, 12, 17, 0))   # the earliest, in the middle
    touch(raw / Q / "fgw" / "R06-复制.xlsx", at(2020, 10, 14, 8, 0))
    got = look(raw, out, now=at(2020, 10, 16, 9, 0))
    copies = {k: v for k, v in got.items() if k.startswith("fgw/")}
    assert set(copies.values()) == {at(2020, 10, 12, 17, 0)} and len(copies) == 3


def test_a_later_line_for_a_stored_content_never_moves_it(folder):
    raw, out, r06, r07 = folder
    look(raw, out, now=at(2020, 10, 14, 9, 0))
    store = out / STORE_NAME
    line = next(x for x in store.read_text(encoding="utf-8").splitlines() if "R06" in x)
    store.write_text(store.read_text(encoding="utf-8") +
                     line.replace("2020-10-13T10:00:00+08:00", "2020-10-30T10:00:00+08:00") + "\n", encoding="utf-8")
    assert look(raw, out, now=at(2020, 11, 1, 9, 0))["fgw/R06-central_budget.xlsx"] == at(2020, 10, 13, 10, 0)


def test_beijing_time(folder):
    raw, out, r06, r07 = folder
    touch(r06, datetime(2020, 10, 14, 16, 10, tzinfo=timezone.utc))   # 00:10 on the 15th in Beijing
    got = look(raw, out, now=datetime(2020, 10, 15, 2, 0, tzinfo=timezone.utc))
    assert got["fgw/R06-central_budget.xlsx"].isoformat() == "2020-10-15T00:10:00+08:00"
    assert got["czj/R07-special_bonds.xlsx"].isoformat() == "2020-10-15T10:00:00+08:00"


def test_the_store_is_append_only_and_survives_a_cut_line(folder):
    raw, out, r06, r07 = folder
    look(raw, out, now=at(2020, 10, 14, 9, 0))
    store = out / STORE_NAME
    first = store.read_bytes()
    assert first.count(b"\n") == 2
    look(raw, out, now=at(2020, 10, 15, 9, 0))
    assert store.read_bytes() == first                  # nothing new: nothing written
    with open(store, "ab") as fh:
        fh.write(b'{"period": "2020Q3", "sha256": "abc", "rece')   # a write cut short by a crash
    rows = baseline()["R07"]
    rows[0]["spent"] = 40
    write_quarter(raw, Q, {"R07": rows})
    touch(r07, at(2020, 10, 16, 15, 0))
    got = look(raw, out, now=at(2020, 10, 17, 9, 0))
    assert got["czj/R07-special_bonds.xlsx"] == at(2020, 10, 16, 15, 0)
    assert store.read_bytes().startswith(first)         # earlier lines are never rewritten
    assert len(read_receipts(out)) == 3                 # the cut line counts for nothing; the next one parses
    assert look(raw, out, now=at(2020, 10, 18, 9, 0))["fgw/R06-central_budget.xlsx"] == at(2020, 10, 13, 10, 0)


def test_an_unwritable_out_folder_warns_and_still_answers(folder, capsys):
    raw, out, r06, r07 = folder
    blocked = out / "not-a-folder"
    blocked.write_text("")                              # the store cannot be made here
    got = look(raw, blocked, now=at(2020, 10, 14, 9, 0))
    assert got["fgw/R06-central_budget.xlsx"] == at(2020, 10, 13, 10, 0)
    assert "无法记录收到时间" in capsys.readouterr().err
