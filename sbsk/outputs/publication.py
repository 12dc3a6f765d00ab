"""`sbsk publish` and `sbsk diff` (SPEC §12): what the office types, and what it is told back."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import duckdb

from sbsk.config.periods import Quarter
from sbsk.outputs.forecast import refresh_forecast
from sbsk.outputs.issued import write_quarter_documents
from sbsk.outputs.parquet_export import export_quarter
from sbsk.schemas import load_returns
from sbsk.store.versions import VersionError, diff_quarter, label, publish
from sbsk.store.warehouse import DB_NAME, Busy, read_only
from sbsk.text import printable

BEIJING = timedelta(hours=8)


def publish_command(quarter: str, out_dir: Path, by: str, note: str | None, reason: str | None) -> int:
    """Publish the draft; on success write the quarter's bulletin and Parquet copies again."""
    try:
        pub = publish(Path(out_dir), load_returns(), quarter, by, note, reason)
    except VersionError as exc:
        print(f"sbsk publish: {exc}；未做任何更改", file=sys.stderr)
        return exc.exit_code
    except Busy as exc:
        print(f"sbsk: {exc}", file=sys.stderr)
        return 1
    v = pub.version
    kind = "更正" if v.version > 1 else "发布"
    when = (v.published_at + BEIJING).strftime("%Y-%m-%d %H:%M")
    print(printable(f"{quarter}已{kind}为{label(v.version)}（发布人：{v.published_by}，{when} 北京时间，运行{v.run_id}）"))
    if v.reason:
        print(printable(f"更正原因：{v.reason}"))
    if pub.status == "provisional":
        print(f"注意：{quarter}的结果为暂定（有报表缺报），发布的是暂定结果")
    for line in pub.lines:
        print(printable(line))
    con = read_only(Path(out_dir))
    try:  # the issued documents now show this version
        written = write_quarter_documents(con, quarter, Path(out_dir) / quarter)
        reference = con.execute("select reference_set from pipeline_runs where run_id = ?", [v.run_id]).fetchone()
    finally:
        con.close()
    for path in written:
        print(path)
    export_quarter(Path(out_dir), quarter)
    # the shown scores are now this version's: the forecast follows them, with the reference set they were
    # scored with (the city's rubric names the parts the province's are matched to)
    refresh_forecast(Path(out_dir), Quarter.parse(quarter), Path(reference[0]) if reference and reference[0] else None)
    return 0


def diff_command(quarter: str, out_dir: Path, before: int | None, after: int | str | None) -> int:
    if not (Path(out_dir) / DB_NAME).exists():
        print(f"sbsk diff: {quarter}尚未运行（{Path(out_dir) / DB_NAME} 不存在）", file=sys.stderr)
        return 1
    con = read_only(Path(out_dir))
    try:
        _, lines = diff_quarter(con, quarter, before, after)
    except VersionError as exc:
        print(f"sbsk diff: {exc}", file=sys.stderr)
        return exc.exit_code
    except duckdb.CatalogException:  # a warehouse from before versions, not yet run again
        print(f"sbsk diff: {quarter}尚无版本记录；请先运行 sbsk run {quarter}", file=sys.stderr)
        return 1
    finally:
        con.close()
    for line in lines:
        print(printable(line))
    return 0
