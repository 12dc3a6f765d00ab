"""What discovery must not even open: a link out of the raw folder, an odd name, a lookalike, a
file over the size limit. Such a file is reported, never hashed, archived or parsed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sbsk.intake.guard.limits import LIMITS, Limits
from sbsk.intake.guard.refusals import LOOKALIKES, ODD_NAME, OUTSIDE_LINK, too_big
from sbsk.text import odd_name


def refusal(path: Path, raw_dir: Path, limits: Limits = LIMITS) -> str | None:
    """Why a file found under the raw folder must not be read at all, or None."""
    if odd_name(path.name):
        return ODD_NAME
    try:
        real = path.resolve(strict=True)
        inside = real.is_relative_to(raw_dir.resolve(strict=True))
    except (OSError, RuntimeError):
        return OUTSIDE_LINK
    if not inside:
        return OUTSIDE_LINK
    if path.suffix.lower() in LOOKALIKES:
        return LOOKALIKES[path.suffix.lower()]
    try:
        size = path.stat().st_size
    except OSError:
        return "无法读取文件信息"
    if size > limits.max_file_bytes:
        return too_big(size, limits.max_file_bytes)
    return None


def unread_digest(path: Path, why: str) -> str:
    """A stand-in for the content hash of a file that is refused unread (its link, size and time)."""
    try:
        info = path.lstat()
        link = os.readlink(path) if path.is_symlink() else ""
        facts = f"{why}\0{path}\0{link}\0{info.st_size}\0{info.st_mtime_ns}"
    except OSError:
        facts = f"{why}\0{path}"
    return hashlib.sha256(facts.encode("utf-8", "surrogateescape")).hexdigest()
