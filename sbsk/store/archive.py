"""The raw archive: every file a run ingests is kept, content-addressed, under <out>/archive/.

Nothing a department sent is ever lost, even when its file in data/raw is later replaced, and a
quarter can be re-run exactly as it was from the files a past run recorded in run_inputs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sbsk.intake.discover import SourceFile

ARCHIVE = "archive"


def archive_path(out_dir: Path, sha256: str, suffix: str) -> Path:
    return out_dir / ARCHIVE / sha256[:2] / f"{sha256}{suffix.lower()}"


def archive_file(out_dir: Path, source: SourceFile) -> str | None:
    """Copy the file into the archive once (same content, same name); returns its path relative to out_dir.
    A file refused unread (sbsk.intake.guard.paths.refusal, e.g. a link out of the raw folder) is never copied: None."""
    if source.refused:
        return None
    target = archive_path(out_dir, source.sha256, source.path.suffix)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(source.path, tmp)
        os.replace(tmp, target)
    return target.relative_to(out_dir).as_posix()


def restore(out_dir: Path, inputs: list[tuple[str, str]], raw_dir: Path) -> None:
    """Lay out archived files (path relative to the raw folder, archive path) as a raw folder."""
    for rel, archived in inputs:
        dest = raw_dir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out_dir / archived, dest)
