"""The operator's messages of sbsk.failures, one fault at a time, without running a command (the real
command is provoked in tests/test_faults.py): which fault each exception is, and the recovery a
damaged database gets for what lies in the folders: quarters, months, half years, and then the
versions to publish again, since a rebuilt quarter is a draft (SPEC §12)."""

from __future__ import annotations

import errno
from pathlib import Path

import duckdb
import pytest

from sbsk.failures import damaged_database, explain, unreachable_server

CMD = "sbsk run 2020Q3 --out-dir /srv/out"


def _os(code: int, name: str = "/srv/out/.sbsk.duckdb.1.building") -> OSError:
    return OSError(code, "x", name)


def test_a_full_disk_is_said_as_one():
    said = explain(_os(errno.ENOSPC), Path("/srv/out"), CMD)
    assert said.startswith("磁盘空间不足（写入 /srv/out/.sbsk.duckdb.1.building 时）：本次运行没有发布任何结果")
    assert said.endswith("请释放 /srv/out 所在磁盘的空间（df -h /srv/out）后重新运行：sbsk run 2020Q3 --out-dir /srv/out")


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.EPERM])
def test_an_unwritable_folder_is_said_as_one(code):
    said = explain(_os(code, "/srv/out/2020Q3"), Path("/srv/out"), CMD)
    assert said.startswith("无法写入 /srv/out/2020Q3（只读文件系统或没有写权限）")
    assert said.endswith("请让 /srv/out 可写（或用 --out-dir 指向可写的目录）后重新运行：" + CMD)


def test_the_cause_is_found_under_what_wrapped_it():
    try:
        try:
            raise _os(errno.ENOSPC)
        except OSError as inner:
            raise RuntimeError("the task failed") from inner
    except RuntimeError as outer:
        assert explain(outer, Path("/srv/out"), CMD).startswith("磁盘空间不足")
    group = ExceptionGroup("runner", [ValueError("other"), _os(errno.EROFS)])
    assert explain(group, Path("/srv/out"), CMD).startswith("无法写入")


def test_anything_else_is_not_explained_away():
    """A bug keeps its traceback: None, and the command re-raises."""
    assert explain(ValueError("Corrupt database"), Path("/srv/out"), CMD) is None  # not DuckDB's
    assert explain(_os(errno.ENOENT), Path("/srv/out"), CMD) is None
    assert explain(duckdb.CatalogException("Table with name x does not exist"), Path("/srv/out"), CMD) is None


def test_a_damaged_database_is_told_how_to_rebuild_everything(tmp_path):
    out, raw = tmp_path / "out", tmp_path / "raw"
    for folder in (out / "2020Q1", out / "2020Q2", raw / "2020Q2", raw / "2020Q3", raw / "2020-07", raw / "2020H1",
                   out / "2020", out / "archive"):
        folder.mkdir(parents=True)
    said = explain(duckdb.IOException("Corrupt database file: computed checksum 1 does not match stored 2"),
                   out, CMD, raw)
    assert said == damaged_database(out, raw)
    assert said.startswith(f"数据库 {out}/sbsk.duckdb 已损坏或不完整（无法读取）：本次运行没有修改它")
    assert (f"先把它移开（mv {out}/sbsk.duckdb {out}/sbsk.duckdb.damaged），再从 {raw} 重新运行："
            f"sbsk run 2020Q1 2020Q2 2020Q3 --raw-dir {raw} --out-dir {out}；"
            f"sbsk dispatch 2020-07 --raw-dir {raw} --out-dir {out}；"
            f"sbsk review 2020H1 --raw-dir {raw} --out-dir {out}；"
            f"然后 sbsk annual 2020 --out-dir {out}。") in said
    assert said.endswith(f"须再用 sbsk publish QUARTER --by 姓名 --out-dir {out} 发布（原版本记录只在损坏的文件中）")


def test_a_server_gone_names_it(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    said = explain(ConnectionRefusedError("[Errno 111] Connection refused"), Path("/srv/out"), CMD)
    assert said.startswith("与 Prefect 服务器 http://127.0.0.1:4200/api 的连接中断（服务器已停止或网络不通）")
    assert said.endswith("请确认服务器已重新启动（prefect server start）后重新运行 " + CMD)  # the command that failed
    assert unreachable_server().endswith("后重新运行 sbsk serve")  # what the watcher of `sbsk serve` says


class _Ended:
    """What Prefect hands a retry condition: a task's final state, whose result() raises its error."""

    def __init__(self, error: BaseException | None):
        self.error = error

    def result(self):
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize("error, retried", [
    (_os(errno.EIO), True),           # a flaky share may answer the next time
    (_os(errno.ENOSPC), False),       # a full disk does not empty itself in two seconds
    (_os(errno.EDQUOT), False),
    (_os(errno.EROFS), False),        # nor does a read-only folder become writable
    (_os(errno.EACCES), False),
    (ValueError("a bad file"), False),  # a verdict, never retried
    (None, False),
])
def test_only_a_passing_io_error_is_retried(error, retried):
    from sbsk.flows.quarter import transient_io

    assert transient_io(None, None, _Ended(error)) is retried
