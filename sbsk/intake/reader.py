"""Find a return's table in a workbook and hand back its cells as text, row by row.

The reader reads every sheet as strings (fastexcel, Arrow-backed), finds the header row by
matching the headers every return defines (with their aliases, in Simplified or Traditional
characters, with spaces, line breaks and full-width brackets), decides which return the file is,
and classifies each row below the header: data, blank, a 合计/小计 total, a note or signature
below the table, or a template example. Parsing the values is sbsk.intake.parse's job.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sbsk.schemas.definitions import Definitions, ReturnDef
from sbsk.intake.errors import FileRejected  # noqa: F401  (re-exported: callers take it from here)
from sbsk.intake.guard.inspection import inspect
from sbsk.intake import hints
from sbsk.intake.guard.refusals import parse_failure
from sbsk.intake.hints import BARE_UNIT, is_measure
from sbsk.intake.hidden import hidden_columns
from sbsk.intake.sheets import text_sheet
from sbsk.text import header_key, squash

META_SHEET = "_sbsk"
HEADER_SCAN_ROWS = 30
_UNIT_SUFFIX = re.compile(r"\((万元|亿元|元|个|项|件|家|分)\)$|(万元|亿元)$")
_UNIT_LINE = re.compile(r"单位[:：]\s*(万元|亿元|元)")
_TOTAL = re.compile(r"^(合计|小计|总计|全市合计|总合计)|(合计|小计)$")
_NOTES = re.compile(r"^(注|说明|备注|填报人|填表人|填报日期|审核|负责人|联系人|联系电话|制表|单位负责人|统计负责人|签字|盖章)")
_LABEL_MAX = 15  # a 合计/小计 label is short; a long text ending in 合计 is a project name
# Cheap first passes, in Simplified, Traditional and full-width forms, before the exact patterns:
_TOTAL_HINT = r"[合小总總]\s*[计計]"
_NOTES_LEAD = r"^\s*[注註说說备備填审審负負联聯制单單统統签簽盖蓋]"
_EXAMPLE_LEAD = r"^\s*[(（]?\s*示"
_EXAMPLE = re.compile(r"^[(（]?示例[)）]?")
AMOUNT_FACTORS = {"万元": 1.0, "亿元": 10000.0, "元": 0.0001}


@dataclass
class Table:
    """One return's table as found in a file: text cells per field, with Excel row numbers."""

    return_code: str
    sheet: str
    recognised_by: str
    header_row: int                      # Excel row number of the (last) header row
    columns: dict[str, int]              # field → absolute 0-based column index
    factors: dict[str, float]            # amount field → multiplier to 万元
    data: pd.DataFrame                   # one string column per field + `_row` (Excel row)
    totals: pd.DataFrame                 # the 合计/小计 rows, same shape as data
    skipped: Counter = field(default_factory=Counter)
    rows_read: int = 0


@functools.lru_cache(maxsize=1 << 16)
def _strip_unit(key: str) -> tuple[str, str | None]:
    m = _UNIT_SUFFIX.search(key)
    if not m:
        return key, None
    return key[: m.start()], (m.group(1) or m.group(2))


@functools.lru_cache(maxsize=64)
def _name_index(ret: ReturnDef) -> dict[str, str]:
    index = {}
    for col in ret.columns:
        for name in col.names:
            index[_strip_unit(header_key(name))[0]] = col.field
    return index


@functools.lru_cache(maxsize=1 << 16)
def _key(text: str) -> str:
    """header_key, once per distinct text: every return is tried against the same header cells."""
    return header_key(text)


def _match_columns(columns: list[list[str]], ret: ReturnDef,
                   hidden: set[int] = frozenset()) -> tuple[dict[str, int], dict[str, str], set[int]]:
    """Which of the return's fields the header columns name, the amount unit each states, and the
    columns named only by the unit column's bare alias 单位 (see hints.is_measure).

    Each column is the list of header texts stacked over it, top to bottom (one per header row,
    a merged parent heading carried over its children). The child alone is tried first, then the
    parent and child together ("投资情况" + "本年计划投资").
    """
    names = _name_index(ret)
    found: dict[str, int] = {}
    units: dict[str, str] = {}
    bare: set[int] = set()
    # visible columns first: a hidden column is taken only for a field no visible column names
    order = [j for j in range(len(columns)) if j not in hidden] + [j for j in range(len(columns)) if j in hidden]
    for j in order:
        stack = columns[j]
        if not stack:
            continue
        keys = [_key(t) for t in stack]
        tries = [keys[-1], "".join(keys), *keys[::-1][1:]]
        for key in tries:
            base, unit = _strip_unit(key)
            fld = names.get(base)
            if fld and fld not in found:
                found[fld] = j
                if base == BARE_UNIT:
                    bare.add(j)
                stated = unit or next((u for u in (_strip_unit(k)[1] for k in keys) if u), None)
                if stated:
                    units[fld] = stated
                break
    return found, units, bare


def _required(ret: ReturnDef) -> list[str]:
    return [c.field for c in ret.columns if not c.optional]


@dataclass
class _Candidate:
    ret: ReturnDef
    sheet: str
    header_idx: int
    found: dict[str, int]
    units: dict[str, str]

    @property
    def missing(self) -> list[str]:
        return [f for f in _required(self.ret) if f not in self.found]

    @property
    def recognised(self) -> bool:
        """Enough of the return's own headers to be taken for it: two besides the unit column (every
        return has at least two required ones); fewer is at most a hint for the message."""
        return len(set(self.found) - {"unit"}) >= 2


class _Sheets:
    """The workbook's sheets as text grids: those the sandboxed parse already read (sbsk.intake.guard),
    else read here with fastexcel."""

    def __init__(self, path: Path, grids: dict | None):
        self.grids = grids
        self.reader = None
        if grids is None:
            try:
                self.reader = fastexcel.read_excel(str(path))
            except Exception as exc:  # fastexcel raises its own hierarchy for every unreadable file
                raise FileRejected(parse_failure(str(exc), _kind(path))) from exc

    @property
    def names(self) -> list[str]:
        return list(self.grids) if self.grids is not None else self.reader.sheet_names

    def load(self, name: str) -> tuple[pd.DataFrame, list[int]]:
        if self.grids is not None:
            table, offsets = self.grids[name]
            grid = table.to_pandas()
        else:
            sheet, offsets = text_sheet(self.reader, name)
            grid = sheet.to_pandas()
        grid.columns = range(grid.shape[1])
        return grid, offsets


def _kind(path: Path) -> str:
    return "xls" if path.suffix.lower() in (".xls", ".et") else "xlsx"


def _meta(sheets: _Sheets) -> dict[str, str]:
    if META_SHEET not in sheets.names:
        return {}
    grid, _ = sheets.load(META_SHEET)
    return {str(r[0]).strip(): str(r[1]).strip() for r in grid.itertuples(index=False)
            if len(r) > 1 and pd.notna(r[0]) and pd.notna(r[1])}


def _header_stacks(rows: list[list[str | None]], depth: int) -> list[list[str]]:
    """Stack `depth` header rows column by column, top to bottom.

    A parent heading is written once over a merged span; it is carried to the right over the empty
    parent cells that have a child heading below them. Where nothing is below, the span has ended.
    """
    width = max((len(r) for r in rows[:depth]), default=0)
    grid = [list(r) + [None] * (width - len(r)) for r in rows[:depth]]
    for level in range(depth - 1):
        last = None
        for j in range(width):
            if grid[level][j]:
                last = grid[level][j]
            elif last and any(grid[lower][j] for lower in range(level + 1, depth)):
                grid[level][j] = last
            else:
                last = None
    return [[grid[r][j] for r in range(depth) if grid[r][j]] for j in range(width)]


def _top_rows(grid: pd.DataFrame) -> list[list[str | None]]:
    """The rows a header may sit in, as plain text."""
    return [[None if pd.isna(v) else str(v) for v in row] for row in grid.head(HEADER_SCAN_ROWS + 3).itertuples(index=False)]


def _best_header(top: list[list[str | None]], ret: ReturnDef, sheet: str,
                 hidden: set[int] = frozenset()) -> _Candidate | None:
    """The header rows (one to three) that name the most of the return's columns; None when no row
    names any. A column headed only 单位 whose cells below are units of measure (个, 万元 …) is not
    the unit column."""
    best = None
    for i in range(min(HEADER_SCAN_ROWS, len(top))):
        for depth in (1, 2, 3):
            if i + depth > len(top):
                break
            found, units, bare = _match_columns(_header_stacks(top[i:i + depth], depth), ret, hidden)
            if "unit" in found and found["unit"] in bare and \
                    is_measure([r[found["unit"]] for r in top[i + depth:i + depth + 10] if found["unit"] < len(r)]):
                del found["unit"]
            if found and (best is None or len(found) > len(best.found)):
                best = _Candidate(ret, sheet, i + depth - 1, found, units)
    return best


def _stated_unit(grid: pd.DataFrame, header_idx: int) -> str | None:
    """A 单位：亿元 line above the header applies to every amount column without its own unit."""
    for i in range(header_idx):
        for v in grid.iloc[i].tolist():
            if isinstance(v, str):
                m = _UNIT_LINE.search(squash(v))
                if m:
                    return m.group(1)
    return None


def locate(path: Path, defs: Definitions) -> tuple[_Candidate, pd.DataFrame, list[int], str]:
    """Open the workbook and find the return it holds, its sheet and header row."""
    found = inspect(path)  # before any parser runs here: bombs, DTDs, encryption, parser crashes
    sheets = _Sheets(path, found.grids)
    meta = _meta(sheets)
    code = meta.get("return_code")
    known = defs.all_returns
    if code and code not in known:
        raise FileRejected(f"模板中的报表代码「{code}」无法识别，请使用本系统下发的最新模板")
    candidates: list[tuple[_Candidate, pd.DataFrame, list[int]]] = []
    weak: list[_Candidate] = []  # a header or two of some return: what the message names if nothing is better
    texts: list[str] = []
    for name in sheets.names:
        if name == META_SHEET:
            continue
        try:
            grid, offsets = sheets.load(name)
        except Exception as exc:
            raise FileRejected(f"工作表「{name}」：{parse_failure(str(exc), _kind(path))}", sheet=name) from exc
        rets = [known[code]] if code else list(known.values())
        hidden_abs = hidden_columns(path, name)
        hidden = {j for j, absolute in enumerate(offsets) if absolute in hidden_abs}
        top = _top_rows(grid)
        texts += [v for row in top[:HEADER_SCAN_ROWS] for v in row if v]
        for ret in rets:
            cand = _best_header(top, ret, name, hidden)
            if cand and cand.recognised:
                candidates.append((cand, grid, offsets))
            elif cand:
                weak.append(cand)
    if code:
        if not candidates:
            raise FileRejected(f"模板（{code}）中找不到表头行，请勿修改表头", return_code=code)
        cand, grid, offsets = max(candidates, key=lambda c: len(c[0].found))
        return cand, grid, offsets, f"模板报表代码 {code}"
    return _choose(candidates, weak, texts, defs)


def _choose(candidates, weak: list[_Candidate], texts: list[str], defs: Definitions):
    complete = [c for c in candidates if not c[0].missing]
    if complete:
        top = max(len(c[0].found) / len(c[0].ret.columns) for c in complete)
        best = [c for c in complete if len(c[0].found) / len(c[0].ret.columns) == top]
        codes = sorted({c[0].ret.code for c in best})
        if len(codes) > 1:
            names = "、".join(f"{c}「{defs.all_returns[c].title}」" for c in codes)
            raise FileRejected(f"表头同时符合多张报表（{names}），无法判断是哪张报表，请使用下发模板")
        cand, grid, offsets = best[0]
        headers = "、".join(cand.ret.column(f).header for f in cand.found)
        return cand, grid, offsets, f"表头匹配（{headers}）"
    if not candidates:
        raise FileRejected(hints.unrecognised(weak, texts, defs))
    ranked = [c[0] for c in sorted(candidates, key=lambda c: (len(c[0].missing), -len(c[0].found)))]
    raise FileRejected(hints.incomplete(ranked, defs), return_code=ranked[0].ret.code, sheet=ranked[0].sheet)


def read_table(path: Path, defs: Definitions) -> Table:
    cand, grid, offsets, how = locate(path, defs)
    ret = cand.ret
    if cand.missing:
        cols = "、".join(ret.column(f).label for f in cand.missing)
        raise FileRejected(f"缺少必填列：{cols}", return_code=ret.code, sheet=cand.sheet)
    stated = _stated_unit(grid, cand.header_idx)
    factors = {}
    for col in ret.columns:
        if col.type == "amount" and col.field in cand.found:
            factors[col.field] = AMOUNT_FACTORS[cand.units.get(col.field) or stated or "万元"]

    body = grid.iloc[cand.header_idx + 1:]
    fields = list(cand.found)
    data = body[[cand.found[f] for f in fields]].copy()
    data.columns = fields
    for col in ret.columns:  # optional columns the file leaves out are simply empty
        if col.field not in data.columns:
            data[col.field] = pd.Series(pd.NA, index=data.index, dtype="string")
    data = data[ret.fields]
    data["_row"] = body.index + 1  # grid row i is Excel row i + 1 (skip_rows=0 keeps row 1)

    kinds = pd.Series(_classify(body), index=data.index, dtype="string")
    counts = kinds.replace("subtotal", "total").value_counts()
    skipped = Counter({k: int(n) for k, n in counts.items() if k != "data"})
    is_total = kinds.isin(["total", "subtotal"])
    totals = data.loc[is_total].assign(_kind=kinds.loc[is_total])
    table = Table(
        return_code=ret.code,
        sheet=cand.sheet,
        recognised_by=how,
        header_row=cand.header_idx + 1,
        columns={f: offsets[cand.found[f]] for f in fields},
        factors=factors,
        data=data.loc[kinds == "data"].reset_index(drop=True),
        totals=totals.reset_index(drop=True),
        skipped=skipped,
        rows_read=len(body),
    )
    return table


def _classify(body: pd.DataFrame) -> np.ndarray:
    """The kind of every row below the header, with Arrow compute over whole columns: only the few
    rows a cheap pattern picks out (notes, examples, totals) are looked at one by one."""
    kinds = np.full(len(body), "data", dtype=object)
    if not len(body):
        return kinds
    cells = [pa.array(body[c], from_pandas=True) for c in body.columns]
    # filled: holds something other than white space (no trimmed copy of every column is made)
    filled = [pc.fill_null(pc.and_(pc.greater(pc.utf8_length(c), 0), pc.invert(pc.utf8_is_space(c))), False)
              for c in cells]
    first = pc.utf8_trim_whitespace(pc.coalesce(*(pc.if_else(f, c, None) for c, f in zip(cells, filled))))
    blank = ~np.logical_or.reduce([f.to_numpy(zero_copy_only=False) for f in filled])
    kinds[blank] = "blank"

    def rows(mask) -> np.ndarray:
        return np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))

    lead = pc.utf8_normalize(pc.utf8_slice_codeunits(first, 0, 6), "NFKC")
    for i in rows(pc.match_substring_regex(lead, _EXAMPLE_LEAD)):
        if _EXAMPLE.match(squash(first[i].as_py())):
            kinds[i] = "example"
    for col in cells:
        # a literal search first (every 合计/小计/总计 has 计 or 計), the pattern only on what it finds
        maybe = rows(pc.or_(pc.match_substring(col, "计"), pc.match_substring(col, "計")))
        some = pc.utf8_trim_whitespace(col.take(maybe))
        for i in maybe[rows(pc.and_(pc.match_substring_regex(some, _TOTAL_HINT),
                                    pc.less_equal(pc.utf8_length(some), _LABEL_MAX + 6)))]:
            label = squash(col[i].as_py())
            if kinds[i] == "data" and len(label) <= _LABEL_MAX and _TOTAL.search(label):
                kinds[i] = "subtotal" if "小计" in label else "total"
            elif kinds[i] == "total" and "小计" in label:
                kinds[i] = "subtotal"
    notes_at = next((i for i in rows(pc.match_substring_regex(lead, _NOTES_LEAD))
                     if _NOTES.match(squash(first[i].as_py()))), None)
    if notes_at is not None:  # everything filled from the first note down is notes and signatures
        tail = np.arange(len(body)) >= notes_at
        kinds[tail & ~blank] = "notes"
    return kinds
