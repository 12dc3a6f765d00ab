"""What an operator is told when the machine, not a department's data, fails a command: a full disk,
a folder that cannot be written, a damaged database, a Prefect server that went away. One Chinese
message naming what failed, saying that the published results are as they were (a run publishes
by one rename at its very end, so a failure before it changes nothing), and giving the command that
recovers (the README's operations section lists the same)."""

from __future__ import annotations

import errno
import re
from pathlib import Path

DB_NAME = "sbsk.duckdb"
UNTOUCHED = "已发布的结果（数据库和报表）保持本次运行之前的样子"
_DAMAGED_DB = re.compile(r"Corrupt database|not a valid DuckDB database|Could not read enough bytes|checksum|"
                         r"Invalid (?:block|database)|INTERNAL Error|Serialization", re.IGNORECASE)
_UNREACHABLE = re.compile(r"ConnectError|ConnectTimeout|RemoteProtocolError|ReadError|Connection refused|"
                          r"Name or service not known|All connection attempts failed|Server disconnected", re.IGNORECASE)


def explain(exc: BaseException, out_dir: Path, command: str, raw_dir: Path | None = None) -> str | None:
    """The message for an operator, or None when the failure is none of the known faults."""
    for cause in _chain(exc):
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return (f"磁盘空间不足（写入 {getattr(cause, 'filename2', None) or cause.filename or out_dir} 时）：本次运行没有发布任何结果，{UNTOUCHED}。"
                    f"请释放 {out_dir} 所在磁盘的空间（df -h {out_dir}）后重新运行：{command}")
        if isinstance(cause, OSError) and cause.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            where = cause.filename or out_dir
            return (f"无法写入 {where}（只读文件系统或没有写权限）：本次运行没有发布任何结果，{UNTOUCHED}。"
                    f"请让 {out_dir} 可写（或用 --out-dir 指向可写的目录）后重新运行：{command}")
        if _is_duckdb(cause) and _DAMAGED_DB.search(str(cause)):
            return damaged_database(out_dir, raw_dir)
        if _UNREACHABLE.search(f"{type(cause).__name__} {cause}"):
            return unreachable_server(command)
    return None


def damaged_database(out_dir: Path, raw_dir: Path | None = None) -> str:
    """Everything in the database is rebuilt from the raw files: quarters, then the months' dispatches
    and the half years' reviews found beside them, then the years. A rebuilt quarter is a draft again
    (SPEC §12): the versions that had been issued are only in the damaged file, so the office
    publishes each again (or restores a backup of the file instead)."""
    db = out_dir / DB_NAME
    raw = raw_dir or Path("data/raw")
    def found(pattern: str) -> list[str]:
        return sorted({p.name for folder in (out_dir, raw) for p in folder.glob(pattern) if p.is_dir()})

    quarters, months, halves = found("20[0-9][0-9]Q[1-4]"), found("20[0-9][0-9]-[01][0-9]"), found("20[0-9][0-9]H[12]")
    years = " ".join(sorted({q[:4] for q in quarters})) or "YEAR"
    steps = [f"sbsk run {' '.join(quarters) or 'QUARTER…'} --raw-dir {raw} --out-dir {out_dir}"]
    steps += [f"sbsk dispatch {m} --raw-dir {raw} --out-dir {out_dir}" for m in months]
    steps += [f"sbsk review {h} --raw-dir {raw} --out-dir {out_dir}" for h in halves]
    return (f"数据库 {db} 已损坏或不完整（无法读取）：本次运行没有修改它，各季度的报表和 {out_dir}/archive 中的原始文件"
            f"都还在。若有该文件的备份，直接用备份替换它即可。否则：先把它移开（mv {db} {db}.damaged），再从 {raw} 重新运行："
            f"{'；'.join(steps)}；然后 sbsk annual {years} --out-dir {out_dir}。重新运行的季度是草稿，原已发布的季度"
            f"须再用 sbsk publish QUARTER --by 姓名 --out-dir {out_dir} 发布（原版本记录只在损坏的文件中）")


def unreachable_server(command: str = "sbsk serve") -> str:
    """`command` is what to run again once the server is back: `sbsk serve` for the watcher of
    flows/deployments.py, the very command for a run that was pointed at the server."""
    import os

    url = os.environ.get("PREFECT_API_URL", "")
    return (f"与 Prefect 服务器 {url} 的连接中断（服务器已停止或网络不通）：正在进行的运行不会发布一半的结果，"
            f"{UNTOUCHED}。请确认服务器已重新启动（prefect server start）后重新运行 {command}")


def _is_duckdb(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in ("duckdb", "_duckdb")


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        for inner in getattr(exc, "exceptions", ()):  # an ExceptionGroup (anyio, Prefect's runner)
            yield from _chain(inner)
        exc = exc.__cause__ or exc.__context__
