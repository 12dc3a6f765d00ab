"""A fingerprint of everything that decides how a file is read and validated, for cache keys:
a cached verdict is reused only while the code, the return definitions and the reference data
that produced it are unchanged."""

from __future__ import annotations

import hashlib
from functools import cache

from sbsk import PROJECT_ROOT

_INPUTS = (
    "schemas/returns.toml", "schemas/definitions.py", "schemas/pandera_schemas.py",
    "sbsk/reader.py", "sbsk/parse.py", "sbsk/validate.py", "sbsk/ingest.py", "sbsk/text.py",
    "sbsk/registry.py", "sbsk/safety.py", "sbsk/sandbox.py", "sbsk/hidden.py", "reference/units.csv", "reference/unit_groups.csv",
)


@cache
def code_fingerprint() -> str:
    digest = hashlib.sha256()
    for rel in _INPUTS:
        path = PROJECT_ROOT / rel
        digest.update(rel.encode())
        if path.exists():
            digest.update(path.read_bytes())
    for rubric in sorted((PROJECT_ROOT / "reference").glob("rubric-*.toml")):
        digest.update(rubric.read_bytes())
    return digest.hexdigest()[:16]
