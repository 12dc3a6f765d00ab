"""A fingerprint of everything that decides how a file is read and validated, for cache keys:
a cached verdict is reused only while the code, the return definitions and the reference data
that produced it are unchanged."""

from __future__ import annotations

import hashlib
import os
import threading
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import sbsk
from sbsk import REFERENCE_DIR

# Whole folders by glob, never a hand-kept list: a new module in a covered stage is covered the day
# it is written. Over-covering only costs a re-read; under-covering reuses stale verdicts. The
# outputs, the samples and the SQL models cannot change a file's verdict, so they are left out.
_LEFT_OUT = ("outputs", "samples")


def _folder(package: str) -> Path:
    # located, not imported: the fingerprint reads the files and runs none of their code (sbsk.flows
    # comes after this module in the stage order; tests/test_architecture.py)
    return Path(find_spec(package).submodule_search_locations[0])


def _covered() -> list[tuple[str, Path]]:
    roots = {"sbsk": Path(sbsk.__file__).parent, "schemas": _folder("sbsk.schemas"),  # mapped folders (pyproject.toml)
             "flows": _folder("sbsk.flows"), "reference": REFERENCE_DIR}
    found = []
    for name, root in roots.items():
        for folder, subfolders, files in os.walk(root):
            here = Path(folder)
            # pruned, not filtered afterwards: __pycache__ holds as many files as the code itself
            subfolders[:] = [d for d in subfolders if d != "__pycache__"
                             and not (name == "sbsk" and here == root and d in _LEFT_OUT)]
            for file in files:
                path = here / file
                if path.suffix in (".py", ".toml", ".csv"):
                    found.append((f"{name}/{path.relative_to(root).as_posix()}", path))
    return sorted(found)


# The ingest threads all ask for the fingerprint at once (their cache key, flows/quarter.py); @cache
# alone lets each of them compute it, which on two cores cost every thread half a second.
_FINGERPRINT_LOCK = threading.Lock()


def code_fingerprint() -> str:
    with _FINGERPRINT_LOCK:
        return _code_fingerprint()


@cache
def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for rel, path in _covered():
        digest.update(rel.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def code_version() -> str:
    """The code a run was made with, as recorded in pipeline_runs: the package version and a
    fingerprint of everything that decides a result (the files above and the SQL models)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("sbsk")
    except PackageNotFoundError:  # a source tree that was never installed
        release = "0+unknown"
    digest = hashlib.sha256(code_fingerprint().encode())
    models = _folder("sbsk.transforms")
    for path in sorted(models.rglob("*.sql")):
        digest.update(path.relative_to(models).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{release}+{digest.hexdigest()[:16]}"
