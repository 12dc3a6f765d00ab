"""Find a quarter's files under raw/<quarter>/<department>/ and say who sent each."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sbsk.schemas.definitions import Definitions
from sbsk.intake.guard.paths import refusal, unread_digest
from sbsk.intake.guard.refusals import LOOKALIKES
from sbsk.text import squash

EXTENSIONS = {".xlsx", ".xlsm", ".xls"}


@dataclass(frozen=True)
class SourceFile:
    path: Path              # absolute
    rel: str                # relative to the raw folder, as reported
    department: str | None  # folder code, None when the folder is not a department
    folder: str
    sha256: str
    refused: str | None = None  # why it must not even be opened (sbsk.intake.guard.paths.refusal); reported, never read


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def department_of(folder: str, defs: Definitions) -> str | None:
    key = squash(folder).lower()
    for dept in defs.departments.values():
        if key in {dept.code, squash(dept.name), *(squash(a) for a in dept.aliases)}:
            return dept.code
    return None


def discover(raw_dir: Path, quarter: str, defs: Definitions) -> list[SourceFile]:
    """Every spreadsheet of the quarter, in a stable order. Office lock files (~$…) are ignored."""
    root = raw_dir / quarter
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if not is_candidate(path):
            continue
        parts = path.relative_to(root).parts
        folder = parts[0] if len(parts) > 1 else ""
        found.append(source_file(path, raw_dir, path.relative_to(raw_dir).as_posix(), folder, defs))
    return found


def is_candidate(path: Path) -> bool:
    """A file someone sent: a spreadsheet or a lookalike to report. Office lock files (~$…) and
    hidden files are not."""
    return path.is_file() and path.suffix.lower() in EXTENSIONS | LOOKALIKES.keys() \
        and not path.name.startswith(("~$", "."))


def source_file(path: Path, root: Path, rel: str, folder: str, defs: Definitions) -> SourceFile:
    """Hash the file, unless it must not even be opened (a link out of `root`, an odd name …)."""
    why = refusal(path, root)
    return SourceFile(
        path=path,
        rel=rel,
        department=department_of(folder, defs) if folder else None,
        folder=folder,
        sha256=sha256_of(path) if why is None else unread_digest(path, why),
        refused=why,
    )
