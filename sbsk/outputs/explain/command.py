"""The `sbsk explain` command: exit 0 with the explanation, 1 when there is nothing to explain, 2 on
a quarter or unit it cannot read."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

import duckdb

from sbsk.config.periods import Quarter
from sbsk.outputs.explain.build import build_explanation, resolve_unit
from sbsk.outputs.explain.numbers import json_value
from sbsk.outputs.explain.text import render_text
from sbsk.store.runs import unit_word
from sbsk.store.warehouse import DB_NAME


def explain_command(quarter: str, unit: str, out_dir: Path, as_json: bool, reference_dir: Path | None = None) -> int:
    try:
        q = Quarter.parse(quarter)
    except ValueError as exc:
        print(f"sbsk explain：{exc}", file=sys.stderr)
        return 2
    return explain_from_database(q, unit, out_dir, as_json, f"sbsk run {q}", build_explanation, render_text,
                                 reference_dir)


def explain_from_database(period, unit: str, out_dir: Path, as_json: bool, makes_it: str,
                          build: Callable, render: Callable, reference_dir: Path | None = None) -> int:
    """The command's part that a quarter and a half year (review_explain) share: open the published
    database read-only, find the unit (by the registry of `reference_dir`, --reference DIR), build(con,
    period, unit_code) and print it as JSON or render(ex). `makes_it` is the command that writes the
    database, named when there is none."""
    db = Path(out_dir) / DB_NAME
    if not db.exists():
        print(f"sbsk explain：找不到数据库 {db}，请先运行 {makes_it}", file=sys.stderr)
        return 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        code = resolve_unit(con, unit, period.year, reference_dir)
        if code is None:
            print(f"sbsk explain：无法识别的{unit_word(con)}「{unit}」，请输入单位代码（如410527）或名称（如内黄县）",
                  file=sys.stderr)
            return 2
        try:
            ex = build(con, period, code)
        except LookupError as exc:  # NoResult, and the review's "not reviewed"
            print(f"sbsk explain：{exc}", file=sys.stderr)
            return 1
    finally:
        con.close()
    print(json.dumps(ex, ensure_ascii=False, indent=2, default=json_value) if as_json else render(ex))
    return 0
