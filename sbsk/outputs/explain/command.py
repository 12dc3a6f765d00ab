"""The `sbsk explain` command: exit 0 with the explanation, 1 when there is nothing to explain, 2 on
a quarter or unit it cannot read."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

from sbsk.config.periods import Quarter
from sbsk.outputs.explain.build import NoResult, build_explanation, resolve_unit
from sbsk.outputs.explain.numbers import json_value
from sbsk.outputs.explain.text import render_text
from sbsk.store.warehouse import DB_NAME


def explain_command(quarter: str, unit: str, out_dir: Path, as_json: bool) -> int:
    try:
        q = Quarter.parse(quarter)
    except ValueError as exc:
        print(f"sbsk explain：{exc}", file=sys.stderr)
        return 2
    db = Path(out_dir) / DB_NAME
    if not db.exists():
        print(f"sbsk explain：找不到数据库 {db}，请先运行 sbsk run {q}", file=sys.stderr)
        return 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        code = resolve_unit(con, unit, q.year)
        if code is None:
            print(f"sbsk explain：无法识别的县(市、区)「{unit}」，请输入单位代码（如410527）或名称（如内黄县）",
                  file=sys.stderr)
            return 2
        try:
            ex = build_explanation(con, q, code)
        except NoResult as exc:
            print(f"sbsk explain：{exc}", file=sys.stderr)
            return 1
    finally:
        con.close()
    print(json.dumps(ex, ensure_ascii=False, indent=2, default=json_value) if as_json else render_text(ex))
    return 0
