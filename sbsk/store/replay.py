"""Re-run a quarter exactly as a past run saw it, from the raw archive."""

from __future__ import annotations

import shutil
from pathlib import Path

from sbsk.store.archive import restore
from sbsk.store.warehouse import read_only


class ReplayError(ValueError):
    pass


def replay_folder(out_dir: Path, quarter: str, run_id: str = "latest") -> Path:
    """Lay out the archived inputs of a run as a raw folder under <out>/.replay/ and return it."""
    con = read_only(out_dir)
    try:
        if run_id == "latest":
            row = con.execute("select run_id from pipeline_runs where quarter = ? and status <> 'failed' "
                              "order by started_at desc limit 1", [quarter]).fetchone()
            if not row:
                raise ReplayError(f"{quarter} 没有可重放的成功运行记录")
            run_id = row[0]
        inputs = con.execute("select path, archive_path from run_inputs where run_id = ? and quarter = ?",
                             [run_id, quarter]).fetchall()
    finally:
        con.close()
    if not inputs:
        raise ReplayError(f"运行 {run_id} 没有 {quarter} 的归档输入")
    folder = out_dir / ".replay" / run_id
    shutil.rmtree(folder, ignore_errors=True)
    restore(out_dir, inputs, folder)
    return folder
