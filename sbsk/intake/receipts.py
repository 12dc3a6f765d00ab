"""Receipt times (SPEC §12): when each file content of a period's raw folder was received.

A content's receipt time is the first time sbsk saw it in the raw folder (any command that looks
there: run, check, status, remind), or the file's modification time when that is earlier (the file
was there before sbsk looked). Once stored it never moves for that content: the same bytes seen
again, renamed or copied back later, keep their time; changed bytes are a new content with a new time.
Times are Beijing time.

The store is `<out>/receipts.jsonl`, one JSON line per (period, sha256), appended and never
rewritten, rather than a warehouse table, because:
- `check` and `status` must record what they see without the warehouse's writer lock (a run holds
  it for minutes) and without copying the whole database to publish one line;
- a sighting must survive runs that fail or never happen (a department sends on the 3rd, the
  quarter is first run on the 10th);
- append-only is the guarantee itself: a time once written is never edited.
Writers hold a short flock on the file while they read it and append; readers need no lock: a line
cut short (a crash mid-write, an append under way) does not parse and counts for nothing.
The `submissions` and `submission_files` tables copy the times when a period runs.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable

from sbsk.config.periods import parse_period
from sbsk.intake.discover import SourceFile

# China has kept UTC+8 all year since 1991: a fixed offset needs no tz database
BEIJING = timezone(timedelta(hours=8))
STORE_NAME = "receipts.jsonl"


@dataclass(frozen=True)
class Receipt:
    period: str
    sha256: str
    received_at: datetime        # Beijing time: min(first_seen, mtime)
    first_seen: datetime
    mtime: datetime | None
    path: str                    # where it was first seen, relative to the raw folder
    seen_by: str                 # the command that first saw it

    def line(self) -> str:
        data = asdict(self)
        for key in ("received_at", "first_seen", "mtime"):
            data[key] = data[key].isoformat() if data[key] else None
        return json.dumps(data, ensure_ascii=False) + "\n"

    @classmethod
    def parse(cls, text: str) -> "Receipt":
        data = json.loads(text)
        for key in ("received_at", "first_seen", "mtime"):
            data[key] = datetime.fromisoformat(data[key]).astimezone(BEIJING) if data[key] else None
        return cls(**data)


def beijing_now() -> datetime:
    return datetime.now(BEIJING).replace(microsecond=0)


def store_path(out_dir: Path) -> Path:
    return Path(out_dir) / STORE_NAME


def _parse(text: str) -> dict[tuple[str, str], Receipt]:
    found: dict[tuple[str, str], Receipt] = {}
    for line in text.splitlines():
        try:
            r = Receipt.parse(line)
        except (ValueError, TypeError, KeyError):
            continue  # a line cut short by a crash (or still being appended) says nothing; the others hold
        found.setdefault((r.period, r.sha256), r)  # the first line for a content is its time, for ever
    return found


def read_receipts(out_dir: Path) -> dict[tuple[str, str], Receipt]:
    """Every stored receipt by (period, sha256)."""
    try:
        return _parse(store_path(out_dir).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def _mtime(source: SourceFile) -> datetime | None:
    try:
        stamp = source.path.lstat().st_mtime  # lstat: a refused link is never followed
    except OSError:
        return None
    return datetime.fromtimestamp(int(stamp), BEIJING)


def observe(out_dir: Path, period: str, sources: Iterable[SourceFile], seen_by: str,
            now: datetime | None = None) -> dict[str, Receipt]:
    """The receipt of each source's content (sha256 → Receipt), storing those seen for the first time."""
    now = (now or beijing_now()).astimezone(BEIJING)
    sources = list(sources)
    if not sources:
        return {}
    path = store_path(out_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                fh.seek(0)
                text = fh.read()
                known = _parse(text)
                fresh = _new(known, period, sources, seen_by, now)
                if fresh:
                    # a line cut short by a crash stays on its own line, so the next one parses
                    lead = "\n" if text and not text.endswith("\n") else ""
                    fh.write(lead + "".join(r.line() for r in fresh.values()))
                    fh.flush()
                    os.fsync(fh.fileno())
                known.update(fresh)
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError as exc:
        sys.stderr.write(f"sbsk: 无法记录收到时间（{path}：{exc.strerror}），本次按首次看到计\n")
        try:
            known = read_receipts(out_dir)
        except OSError:
            known = {}
        known.update(_new(known, period, sources, seen_by, now))
    return {s.sha256: known[(period, s.sha256)] for s in sources}


def _new(known: dict, period: str, sources: list[SourceFile], seen_by: str,
         now: datetime) -> dict[tuple[str, str], Receipt]:
    fresh: dict[tuple[str, str], Receipt] = {}
    for s in sources:
        key = (period, s.sha256)
        if key in known:
            continue
        mtime = _mtime(s)
        earlier = fresh.get(key)
        if earlier and (earlier.mtime is not None and (mtime is None or earlier.mtime <= mtime)):
            continue  # the same content twice in one look: its earliest copy says when it came
        received = min(now, mtime) if mtime else now
        fresh[key] = Receipt(period, s.sha256, received.replace(microsecond=0), now.replace(microsecond=0),
                             mtime, s.rel, seen_by)
    return fresh


def period_under(path: Path, raw_dir: Path) -> str | None:
    """The period folder (raw/<period>/<dept>/…) a file lies in, or None when it is not in the raw folder."""
    try:
        parts = Path(os.path.abspath(path)).relative_to(os.path.abspath(raw_dir)).parts
    except ValueError:
        return None
    if len(parts) < 2:
        return None
    try:
        return str(parse_period(parts[0]))
    except ValueError:
        return None
