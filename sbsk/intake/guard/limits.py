"""The file limits: one frozen value, built once from the defaults and the operator's overrides.

The defaults are sized for a province's returns. An operator may tighten any of them with an
environment variable SBSK_<NAME>=<integer> (e.g. SBSK_MAX_CELLS=1000000); the tests run the hostile
fixtures at small limits that way (tests/conftest.py, SECURITY.md). The value is handed to every
check that needs it and, in each request, to the sandboxed child: nothing rewrites it at run time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Mapping

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 512 * MB       # a province's return of a million rows is 40–120 MB; far above any real one
    max_entries: int = 2_000             # parts in one .xlsx: 255 sheets with their rels, drawings and comments fit
    max_part_bytes: int = 1024 * MB      # one decompressed part: a full-height sheet of a dozen columns is ~600 MB of XML
    max_total_bytes: int = 2048 * MB     # all parts decompressed: two full-height sheets; inflated in bounded steps
    max_ratio: int = 500                 # real parts compress 5–50:1; deflate tops out at 1032:1, where bombs sit
    ratio_from_bytes: int = 1 * MB       # below this a part may compress as well as it likes: it cannot hurt
    max_sheets: int = 255                # a return has a handful of sheets; 255 is Excel's own default ceiling
    max_cells: int = 16_000_000          # per sheet, rows × columns from A1: Excel's 1,048,576 rows × 15 columns
    max_book_cells: int = 32_000_000     # all sheets together: two at the sheet limit; bounds what any reader holds
    max_shared_strings: int = 16_000_000  # more distinct texts than a sheet may have cells is not a return
    exact_scan_bytes: int = 2 * MB       # sheets above this (a city's return is far below) are bounded by the parse's area
    parse_seconds: int = 120             # a return parses in well under a second, a full-height sheet in about ten
    parse_memory: int = 8 << 30          # address space for the trial parse; a sheet at max_cells takes ~2 GB

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Limits:
        """The defaults, each replaced by SBSK_<NAME> where the operator set it."""
        return cls(**{f.name: int(environ[env_name(f.name)]) for f in fields(cls) if environ.get(env_name(f.name))})


def env_name(field: str) -> str:
    return f"SBSK_{field.upper()}"


def size_text(n: int) -> str:
    return f"{n / MB:,.1f} MB" if n >= MB else f"{n:,} 字节"


# The run's limits, built once when the guard is first imported.
LIMITS = Limits.from_environment()
