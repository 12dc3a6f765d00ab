"""The documents a quarter's results are issued in, written together: the bulletin workbook, the
通报 (.docx) and its web page. A run writes them while the quarter is unpublished; `sbsk publish`
writes them again for each version."""

from __future__ import annotations

from pathlib import Path

import duckdb

from sbsk.files import atomic_path
from sbsk.outputs.bulletin import write_quarter_bulletin
from sbsk.outputs.bulletin_html import write_quarter_html
from sbsk.outputs.tongbao import write_quarter_tongbao


def write_quarter_documents(con: duckdb.DuckDBPyConnection, quarter: str, folder: Path) -> list[Path]:
    written = []
    for name, write in ((f"bulletin-{quarter}.xlsx", write_quarter_bulletin),
                        (f"tongbao-{quarter}.docx", write_quarter_tongbao),
                        (f"bulletin-{quarter}.html", write_quarter_html)):
        target = Path(folder) / name
        with atomic_path(target) as tmp:
            write(con, quarter, tmp)
        written.append(target)
    return written
