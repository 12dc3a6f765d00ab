"""Re-run a quarter exactly as a past run saw it, from the raw archive."""

from __future__ import annotations

import shutil
from pathlib import Path



class ReplayError(ValueError):
    pass


def replay_folder(out_dir: Path, quarter: str, run_id: str = "latest") -> Path:
    """Lay out the archived inputs of a run as a raw folder under <out>/.replay/ and return it."""
    # imported here: every command catches ReplayError (sbsk.cli), and `sbsk check` needs no DuckDB
    from sbsk.store.archive import restore
    from sbsk.store.warehouse import read_only

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
    lost = [(rel, archived) for rel, archived in inputs if not (out_dir / archived).is_file()]
    if lost:  # checked before anything is laid out: a replay is of the whole run or of nothing
        rel, archived = lost[0]
        more = f"等{len(lost)}个文件" if len(lost) > 1 else ""
        raise ReplayError(f"无法重放运行 {run_id}：归档文件 {out_dir / archived}（原文件 {rel}）{more}已丢失，"
                          f"已发布的结果未改变。若 data/raw 中仍是当时的文件，运行 sbsk run {quarter}（不带 --replay）"
                          f"会重新读取并归档它们；否则请从备份恢复 {out_dir / 'archive'} 后再重放")
    folder = out_dir / ".replay" / run_id
    shutil.rmtree(folder, ignore_errors=True)
    restore(out_dir, inputs, folder)
    return folder
