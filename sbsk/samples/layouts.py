"""Messy-layout returns for tests: the rows of a return written the way clerks really send them.

    write_messy(path, code, rows, traits, **opts) -> MessyFile

`rows` are dicts keyed by field name, exactly as tests/builders.py passes them to the plain writer;
`traits` is any subset of TRAITS, and every combination composes. Whatever the traits, the file
means the same as the plain file of the same rows: a person reading either gets the same numbers.

Traits
  title_rows        a title and a "（截至…）" line above the table, merged across it
  filler_rows       填报单位（盖章）/ 填报日期 / 填报人 / 联系电话 rows above the table
  merged_header     a 2-row header (opts header_rows=3 for three rows): a parent heading is merged over
                    its child columns (投资情况 over 本年计划投资 and 本年累计完成投资 …); a column without a
                    parent is merged vertically over the header rows
  header_noise      line breaks, spaces and full-width brackets inside headers ("总投资\\n（万元）",
                    "项 目 名 称", "县\\n（市、区）")
  yi_yuan_header    amounts in 亿元 (value / 10000), the header says so: "总投资(亿元)"
  yi_yuan_line      amounts in 亿元, said by a "单位：亿元" line above the table; amount headers bare
  totals            a 合计 row (below the data; opts totals_position="top" puts it under the header)
  subtotals         rows grouped by unit (opts subtotal_by=<field>), a 小计 row after each group
  notes_below       a blank row, then 注：… and 填报人：… 审核人：… lines below the table
  numbers_as_text   numbers stored as text: "1,234.5", " 2,000 ", full-width digits; "—" for a 0 in a
                    money column that allows 0 and for an empty optional column; an extra 完成率
                    column (when extra_columns is on too) as "50%"
  dates_as_text     dates as text: "2020.7.3", "2020年7月3日", "2020/7/3"; "—" for an empty optional date
  dates_as_serials  dates as plain numbers: the real Excel serial of the date (General format)
  notes_sheet       a 说明 sheet (填表说明 and a list of the columns) in front of the data sheet
  hidden_column     a hidden helper column (opts hidden_as="备用" by default, or "序号"; or a field name:
                    a hidden stale copy of that column, placed just before the real one)
  unit_variants     unit names short (林州), Traditional (湯陰縣), padded ("\\u3000北关区 "), or 人民政府
  xls               a legacy .xls workbook (xlwt); the path's suffix becomes .xls
  shuffled_columns  the return's columns in another order (parent groups stay together)
  extra_columns     columns the return does not define: 序号 first, 建设地点 / 完成率 inside, 备注 or 联系人
                    last (never a name the return knows as a header or alias)
  traditional_text  headers, parent headings and choices (新開工, 續建, 先進製造業, 優 …) in Traditional
                    characters (SPEC §3: both must be accepted); unit names: see unit_variants

Options (**opts)
  quarter="2020Q3", seed=<code>, sheet=<data sheet name>, header_rows=2|3,
  totals_position="bottom"|"top", total_error={field: relative error} (or a float: the first amount),
  subtotal_by="unit", subtotal_style="name"|"unit" ("小计" in the first text column, or "林州市小计" in
  the unit column), subtotal_error={field: relative error} (first group only), hidden_as=<header or field>,
  unit_in_parent=True (with merged_header: a group of amounts states its unit once, on the parent
  heading "投资情况(亿元)", and the child headings are bare).

The returned MessyFile says where everything went, and what a reader should skip (`skipped`).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from sbsk.schemas import load_returns
from sbsk.schemas.definitions import Column, ReturnDef
from sbsk.config.registry import load_registry
from sbsk.text import header_key

TRAITS = frozenset({
    "title_rows", "filler_rows", "merged_header", "header_noise", "yi_yuan_header", "yi_yuan_line",
    "totals", "subtotals", "notes_below", "numbers_as_text", "dates_as_text", "dates_as_serials",
    "notes_sheet", "hidden_column", "unit_variants", "xls", "shuffled_columns", "extra_columns",
    "traditional_text",
})
DASH = "—"
EXCEL_EPOCH = date(1899, 12, 30)
SUPER_PARENT = "填报内容"

# Parent headings for merged headers: each group is a run of consecutive fields of the template.
PARENTS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "R01": [("项目基本情况", ("project_name", "project_code", "reserve_level", "total_investment", "sector")),
            ("入库及实施情况", ("listed_on", "implemented", "started_on"))],
    "R02": [("签约情况", ("signed_on", "contract_amount", "funding_origin", "paid_in")),
            ("项目情况", ("top_investor", "landed"))],
    "R03": [("开工项目情况", ("project_count", "total_investment", "projects_over_100m"))],
    "R04": [("项目基本情况", ("project_name", "project_code", "total_investment", "nature")),
            ("建设进度", ("started_on", "completed_on")),
            ("投资情况", ("annual_plan", "ytd_completed"))],
    "R05": [("投资情况", ("annual_plan", "ytd_completed"))],
    "R06": [("资金情况", ("allocated", "paid"))],
    "R07": [("资金情况", ("bond_amount", "spent"))],
    "R08": [("投资情况", ("annual_plan", "ytd_completed"))],
    "R09": [("办理情况", ("due_on", "accepted_on", "completed_on"))],
    "R10": [("评分情况", ("score", "note"))],
    "R11": [("文件情况", ("title", "doc_number", "issued_on")),
            ("分类及质量", ("category", "grade"))],
}

# Extra columns a return does not define: (header, where).
EXTRAS = (("序号", "first"), ("建设地点", "inside"), ("完成率", "inside"), ("备注", "last"), ("联系人", "last"))

_S2T = str.maketrans("县区阳汤阴内黄关龙乡镇开发", "縣區陽湯陰內黃關龍鄉鎮開發")
# Simplified → Traditional for the characters of the returns' headers and choices (our own table,
# independent of the reader's, so that the test does not only check the reader against itself).
_S2T_TEXT = str.maketrans(
    "项称码储备库总资万亿属领实开签约额来际强龙头动个县区设质产计划级达预内债补审应办结评说标号发类单进制业续优关阳阴汤黄别态环会现务点",
    "項稱碼儲備庫總資萬億屬領實開簽約額來際強龍頭動個縣區設質產計劃級達預內債補審應辦結評說標號發類單進製業續優關陽陰湯黃別態環會現務點",
)
_FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


@dataclass
class MessyFile:
    """Where a messy return went and what a reader should make of it."""

    path: Path
    code: str
    traits: frozenset[str]
    sheet: str                          # the data sheet
    header_rows: list[int]              # Excel row numbers of the header rows
    row_numbers: list[int]              # Excel row number of each input row (same order as `rows`)
    skipped: Counter                    # expected skipped rows: total (合计+小计), notes, blank
    columns: list[str]                  # leaf headers as written, left to right (before header_noise)
    hidden: list[int] = field(default_factory=list)   # 0-based indexes of hidden columns


@dataclass
class _Col:
    header: str
    field: str | None                   # the return's field; None for an extra or helper column
    kind: str                           # field | extra | hidden
    value: Callable[[int, Mapping], Any]
    numeric: bool = False               # summed in 合计/小计 rows
    parent: str | None = None


@dataclass
class _Sheet:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)   # "date" | "percent" | "wrap"
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (inclusive)
    hidden: set[int] = field(default_factory=set)
    widths: dict[int, float] = field(default_factory=dict)

    def put(self, r: int, c: int, value: Any, fmt: str | None = None) -> None:
        if value is None:
            return
        self.cells[(r, c)] = value
        if fmt:
            self.formats[(r, c)] = fmt

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))


def write_messy(path: Path, code: str, rows: Iterable[Mapping[str, Any]], traits: set[str] | frozenset[str],
                **opts: Any) -> MessyFile:
    """Write `rows` of return `code` with the given traits; see the module docstring."""
    unknown = set(traits) - TRAITS
    if unknown:
        raise ValueError(f"unknown trait(s) {sorted(unknown)}; known: {sorted(TRAITS)}")
    return _Builder(Path(path), code, list(rows), frozenset(traits), opts).write()


# --- values ----------------------------------------------------------------------------------------------

def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _plain_number(value: Decimal) -> int | float:
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _number_text(value: Decimal, i: int) -> str:
    """A number as a clerk types it into a text cell, in one of three ways."""
    value = value.normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    text = f"{value:,f}"
    style = i % 3
    if style == 1:
        return f" {text} "
    if style == 2:
        return text.translate(_FULL_WIDTH)
    return text


def _date_text(d: date, style: str) -> str | int:
    if style == "serial":
        return (d - EXCEL_EPOCH).days
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year}/{d.month}/{d.day}"


def _unit_forms() -> dict[str, list[str]]:
    """Canonical unit name → the other ways clerks write it: short, Traditional, padded, 人民政府."""
    forms = {}
    for unit in load_registry().units:
        short = [a for a in unit.aliases if unit.name.startswith(a) and len(a) < len(unit.name)]
        trad = unit.name.translate(_S2T)
        out = []
        if short:
            out.append(short[0])
        out.append(trad if trad != unit.name else f"{unit.name}人民政府")
        out.append(f"\u3000{unit.name} ")
        out.append(f"  {trad} " if trad != unit.name else f" {unit.name}  ")
        forms[unit.name] = out
    return forms


# --- the builder -----------------------------------------------------------------------------------------

class _Builder:
    def __init__(self, path: Path, code: str, rows: list[Mapping[str, Any]], traits: frozenset[str], opts: dict):
        self.defs = load_returns()
        if code not in self.defs.returns:
            raise ValueError(f"unknown return {code!r}")
        known_opts = {"quarter", "seed", "sheet", "header_rows", "totals_position", "total_error", "subtotal_by",
                      "subtotal_style", "subtotal_error", "hidden_as", "unit_in_parent"}
        if set(opts) - known_opts:
            raise ValueError(f"unknown option(s) {sorted(set(opts) - known_opts)}; known: {sorted(known_opts)}")
        self.ret: ReturnDef = self.defs.returns[code]
        self.code = code
        self.rows = rows
        self.t = traits
        self.opts = opts
        self.rng = random.Random(f"{opts.get('seed', code)}")
        self.yi = bool({"yi_yuan_header", "yi_yuan_line"} & traits)
        suffix = ".xls" if "xls" in traits else ".xlsx"
        self.path = path.with_suffix(suffix) if path.suffix.lower() != suffix else path
        quarter = str(opts.get("quarter", "2020Q3"))
        self.year, self.q = int(quarter[:4]), int(quarter[-1])
        self.header_rows = 1 if "merged_header" not in traits else int(opts.get("header_rows", 2))
        if self.header_rows not in (1, 2, 3):
            raise ValueError("header_rows must be 2 or 3")
        self.unit_forms = _unit_forms() if "unit_variants" in traits else {}
        self._check_parents()
        self.unit_on_parent: set[str] = set()
        if opts.get("unit_in_parent") and self.header_rows > 1 and self.amount_unit():
            for _parent, fields in PARENTS[code]:
                if all(self.ret.column(f).type == "amount" for f in fields):
                    self.unit_on_parent |= set(fields)

    # what a cell of a field holds
    def cell(self, col: Column, value: Any, i: int) -> Any:
        t = self.t
        if value is None or (isinstance(value, str) and not value.strip()):
            if col.optional and ("numbers_as_text" in t or (col.type == "date" and "dates_as_text" in t)):
                return DASH
            return None
        if col.type == "unit":
            forms = self.unit_forms.get(value)
            return forms[i % len(forms)] if forms else value
        if col.type in ("amount", "integer", "number") and not isinstance(value, str):
            number = _decimal(value)
            if col.type == "amount" and self.yi:
                number = number / Decimal(10000)
            if "numbers_as_text" in t:
                if number == 0 and col.type == "amount" and col.min == 0:
                    return DASH
                return _number_text(number, i)
            return _plain_number(number)
        if col.type == "enum" and isinstance(value, str) and "traditional_text" in t:
            return value.translate(_S2T_TEXT)
        if col.type == "date" and isinstance(value, (date, datetime)):
            d = value.date() if isinstance(value, datetime) else value
            styles = (["serial"] if "dates_as_serials" in t else []) + \
                     (["dot", "cn", "slash"] if "dates_as_text" in t else [])
            if not styles:
                return d
            return _date_text(d, styles[(i + self.ret.fields.index(col.field)) % len(styles)])
        return value

    def amount_unit(self) -> str | None:
        """The unit an amount header states: 亿元 with yi_yuan_header, none with only yi_yuan_line."""
        if "yi_yuan_header" in self.t:
            return "亿元"
        return None if "yi_yuan_line" in self.t else "万元"

    def leaf_header(self, col: Column) -> str:
        if col.type == "amount":
            unit = self.amount_unit()
            if unit is None or col.field in self.unit_on_parent:
                return col.header
            return f"{col.header}({unit})"
        return col.label

    def parent_header(self, parent: str, fields: list[str | None]) -> str:
        if fields and all(f in self.unit_on_parent for f in fields):
            return f"{parent}({self.amount_unit()})"
        return parent

    def _check_parents(self) -> None:
        """The fixture's own headings must never be names the return knows."""
        names = {header_key(n) for c in self.ret.columns for n in c.names}
        for parent, fields in PARENTS[self.code]:
            assert header_key(parent) not in names, parent
            assert all(f in self.ret.fields for f in fields), (self.code, fields)
        assert header_key(SUPER_PARENT) not in names

    # columns
    def blocks(self) -> list[list[_Col]]:
        ret = self.ret
        group_of = {f: parent for parent, fields in PARENTS[self.code] for f in fields}

        def field_col(col: Column) -> _Col:
            return _Col(self.leaf_header(col), col.field, "field",
                        lambda i, row, c=col: self.cell(c, row.get(c.field), i),
                        numeric=col.type in ("amount", "integer", "number"), parent=group_of.get(col.field))

        blocks: list[list[_Col]] = []
        for col in ret.columns:
            c = field_col(col)
            if blocks and c.parent and blocks[-1][0].parent == c.parent:
                blocks[-1].append(c)
            else:
                blocks.append([c])
        template = [c.field for b in blocks for c in b]
        if "shuffled_columns" in self.t:
            for b in blocks:
                self.rng.shuffle(b)
            self.rng.shuffle(blocks)
            if [c.field for b in blocks for c in b] == template:
                blocks.reverse()
        if "extra_columns" in self.t:
            blocks = self._with_extras(blocks)
        if "hidden_column" in self.t:
            blocks = self._with_hidden(blocks)
        return blocks

    def _with_extras(self, blocks: list[list[_Col]]) -> list[list[_Col]]:
        names = {header_key(n) for c in self.ret.columns for n in c.names}
        fields = set(self.ret.fields)
        chosen = []
        for header, where in EXTRAS:
            if header_key(header) in names:
                continue
            if header == "完成率" and not {"annual_plan", "ytd_completed"} <= fields:
                continue
            if header == "联系人" and any(w == "last" for _, w in chosen):
                continue
            chosen.append((header, where))
        out = list(blocks)
        for header, where in chosen:
            col = _Col(header, None, "extra", self._extra_value(header), numeric=header == "完成率")
            if where == "first":
                out.insert(0, [col])
            elif where == "last":
                out.append([col])
            else:
                out.insert(min(2, len(out)), [col])
        return out

    def _extra_value(self, header: str) -> Callable[[int, Mapping], Any]:
        if header == "序号":
            return lambda i, row: i + 1
        if header == "建设地点":
            return lambda i, row: f"{str(row.get('unit') or '').strip()}产业集聚区"
        if header == "完成率":
            def ratio(i, row):
                plan, done = row.get("annual_plan"), row.get("ytd_completed")
                if not plan:
                    return None
                r = _decimal(done or 0) / _decimal(plan)
                return f"{round(r * 100)}%" if "numbers_as_text" in self.t else ("percent", float(r))
            return ratio
        if header == "备注":
            return lambda i, row: "按时报送" if i % 2 == 0 else None
        return lambda i, row: "张某某"

    def _with_hidden(self, blocks: list[list[_Col]]) -> list[list[_Col]]:
        hidden_as = str(self.opts.get("hidden_as", "备用"))
        out = list(blocks)
        if hidden_as in self.ret.fields:
            col = self.ret.column(hidden_as)
            stale = _Col(self.leaf_header(col), None, "hidden",
                         lambda i, row, c=col: self.cell(c, _stale(row.get(c.field)), i))
            at = next(k for k, b in enumerate(out) if any(c.field == hidden_as for c in b))
            out.insert(at, [stale])
        else:
            value = (lambda i, row: i + 1) if hidden_as == "序号" else (lambda i, row: f"辅助{i + 1}")
            out.insert(max(1, len(out) // 2), [_Col(hidden_as, None, "hidden", value)])
        return out

    # layout
    def write(self) -> MessyFile:
        ret = self.ret
        blocks = self.blocks()
        cols = [c for b in blocks for c in b]
        width = len(cols)
        dept = self.defs.departments[ret.owner].name
        sheet_name = str(self.opts.get("sheet") or (ret.title[:31] if "notes_sheet" in self.t else "Sheet1"))
        ws = _Sheet(sheet_name)
        r = 0
        if "title_rows" in self.t:
            m, d = _QUARTER_END[self.q]
            ws.put(r, 0, f"{self.year}年第{_QUARTER_NAMES[self.q]}季度{ret.title}情况表")
            ws.merge(r, 0, r, width - 1)
            ws.put(r + 1, 0, f"（截至{self.year}年{m}月{d}日）")
            ws.merge(r + 1, 0, r + 1, width - 1)
            r += 2
        unit_line = "单位：亿元" if "yi_yuan_line" in self.t else None
        if "filler_rows" in self.t:
            ws.put(r, 0, f"填报单位：{dept}（盖章）")
            sent = date(self.year, _QUARTER_END[self.q][0], 1) + timedelta(days=38)   # early the next month
            ws.put(r, width - 1, f"填报日期：{sent.year}年{sent.month}月{sent.day}日")
            ws.put(r + 1, 0, "填报人：张某某")
            ws.put(r + 1, min(2, width - 1) if width > 3 else 1, "联系电话：0372-5123456")
            if unit_line:
                ws.put(r + 1, width - 1, unit_line)
            r += 2
        elif unit_line:
            ws.put(r, width - 1, unit_line)
            r += 1
        header_rows = self._header(ws, blocks, r)
        r += len(header_rows)

        # 合计 goes in the leftmost visible text column, 小计 in the leftmost one that is not the unit's
        label_col = next((j for j, c in enumerate(cols) if c.kind != "hidden" and not c.numeric
                          and c.field != "unit"), 0)
        grand_label_col = next(j for j, c in enumerate(cols) if c.kind != "hidden" and not c.numeric)
        skipped: Counter = Counter()
        row_numbers = [0] * len(self.rows)

        if "totals" in self.t and self.opts.get("totals_position", "bottom") == "top":
            self._total_row(ws, r, cols, self.rows, "合计", grand_label_col, self._errors("total_error"))
            skipped["total"] += 1
            r += 1
        for group_rows, group_value in self._groups():
            for k in group_rows:
                for j, c in enumerate(cols):
                    v = c.value(k, self.rows[k])
                    self._put_value(ws, r, j, v)
                row_numbers[k] = r + 1
                r += 1
            if group_value is not None:
                self._subtotal_row(ws, r, cols, [self.rows[k] for k in group_rows], group_value, label_col,
                                   first=group_rows is self._first_group)
                skipped["total"] += 1
                r += 1
        if "totals" in self.t and self.opts.get("totals_position", "bottom") != "top":
            self._total_row(ws, r, cols, self.rows, "合计", grand_label_col, self._errors("total_error"))
            skipped["total"] += 1
            r += 1
        if "notes_below" in self.t:
            r += 1
            skipped["blank"] += 1
            unit = "亿元" if self.yi else "万元"
            ws.put(r, 0, f"注：1.本表金额单位为{unit}；2.数据截至本季度末；3.项目名称请填写全称。")
            ws.merge(r, 0, r, width - 1)
            ws.put(r + 1, 0, "填报人：王某某        审核人：李某某        联系电话：0372-5987654")
            ws.merge(r + 1, 0, r + 1, width - 1)
            r += 2
            skipped["notes"] += 2
        ws.hidden = {j for j, c in enumerate(cols) if c.kind == "hidden"}
        for j, c in enumerate(cols):
            ws.widths[j] = max(8, min(30, 2.2 * len(c.header)))

        sheets = [ws]
        if "notes_sheet" in self.t:
            sheets.insert(0, self._notes_sheet(dept))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        (_save_xls if "xls" in self.t else _save_xlsx)(self.path, sheets)
        return MessyFile(self.path, self.code, self.t, sheet_name, header_rows, row_numbers, skipped,
                         [c.header for c in cols], sorted(ws.hidden))

    def _header(self, ws: _Sheet, blocks: list[list[_Col]], top: int) -> list[int]:
        n = self.header_rows
        noisy = "header_noise" in self.t
        trad = "traditional_text" in self.t

        def text(s: str, j: int) -> str:
            s = s.translate(_S2T_TEXT) if trad else s
            return _noisy(s, j) if noisy else s

        starts = []
        j = 0
        for b in blocks:
            starts.append(j)
            j += len(b)
        grouped = [k for k, b in enumerate(blocks) if n > 1 and b[0].parent and b[0].kind == "field"]
        # three rows: a top heading over every field but the unit's (and whatever lies between them)
        under = [k for k, b in enumerate(blocks) if b[0].kind == "field" and b[0].field != "unit"]
        sup = (under[0], under[-1]) if n == 3 and grouped else None
        if sup:
            c1, c2 = starts[sup[0]], starts[sup[1]] + len(blocks[sup[1]]) - 1
            ws.put(top, c1, text(SUPER_PARENT, c1), "wrap")
            ws.merge(top, c1, top, c2)
        for k, b in enumerate(blocks):
            c0 = starts[k]
            first = top + (1 if sup and sup[0] <= k <= sup[1] else 0)
            if k in grouped:
                ws.put(first, c0, text(self.parent_header(b[0].parent, [c.field for c in b]), c0), "wrap")
                ws.merge(first, c0, first, c0 + len(b) - 1)
                for d, c in enumerate(b):
                    ws.put(top + n - 1, c0 + d, text(c.header, c0 + d), "wrap")
            else:
                for d, c in enumerate(b):
                    ws.put(first, c0 + d, text(c.header, c0 + d), "wrap")
                    ws.merge(first, c0 + d, top + n - 1, c0 + d)
        return [top + i + 1 for i in range(n)]

    def _put_value(self, ws: _Sheet, r: int, j: int, v: Any) -> None:
        if isinstance(v, tuple) and v and v[0] == "percent":
            ws.put(r, j, v[1], "percent")
        elif isinstance(v, (date, datetime)):
            ws.put(r, j, v, "date")
        else:
            ws.put(r, j, v)

    def _groups(self) -> list[tuple[list[int], Any]]:
        if "subtotals" not in self.t:
            self._first_group = None
            return [(list(range(len(self.rows))), None)]
        by = self.opts.get("subtotal_by", "unit")
        order: dict[Any, list[int]] = {}
        for k, row in enumerate(self.rows):
            order.setdefault(row.get(by), []).append(k)
        groups = [(ks, v) for v, ks in order.items()]
        self._first_group = groups[0][0] if groups else None
        return groups

    def _errors(self, key: str) -> dict[str, float]:
        err = self.opts.get(key) or {}
        if isinstance(err, (int, float)):
            first = next(c.field for c in self.ret.columns if c.type == "amount")
            err = {first: float(err)}
        return err

    def _sums(self, cols: list[_Col], rows: list[Mapping], errors: dict[str, float], r_index: int) -> dict[int, Any]:
        out = {}
        for j, c in enumerate(cols):
            if not c.numeric or c.kind != "field":
                continue
            col = self.ret.column(c.field)
            total = sum((_decimal(row[c.field]) for row in rows
                         if row.get(c.field) is not None and not isinstance(row.get(c.field), str)), Decimal(0))
            if c.field in errors:
                total = total * (1 + _decimal(errors[c.field]))
            out[j] = self.cell(col, total, r_index)
        return out

    def _total_row(self, ws: _Sheet, r: int, cols: list[_Col], rows: list[Mapping], label: str, label_col: int,
                   errors: dict[str, float]) -> None:
        for j, v in self._sums(cols, rows, errors, r).items():
            ws.put(r, j, v)
        ws.put(r, label_col, label)

    def _subtotal_row(self, ws: _Sheet, r: int, cols: list[_Col], rows: list[Mapping], value: Any,
                      label_col: int, first: bool) -> None:
        by = self.opts.get("subtotal_by", "unit")
        style = self.opts.get("subtotal_style", "name")
        errors = self._errors("subtotal_error") if first else {}
        for j, v in self._sums(cols, rows, errors, r).items():
            ws.put(r, j, v)
        by_col = next(j for j, c in enumerate(cols) if c.field == by)
        shown = self.cell(self.ret.column(by), value, 0) if by != "unit" else value
        if style == "unit" or label_col == by_col:
            ws.put(r, by_col, f"{shown}小计")
        else:
            ws.put(r, by_col, shown)
            ws.put(r, label_col, "小计")

    def _notes_sheet(self, dept: str) -> _Sheet:
        ws = _Sheet("说明")
        ws.put(0, 0, "填表说明")
        lines = [
            f"1. 本表由{dept}填报，每季度结束后5个工作日内报送。",
            "2. 金额以表头或表格上方注明的单位为准，请勿在数字中夹带文字。",
            "3. 县(市、区)请填写规范名称；日期请写成2020-07-03的格式。",
            "4. 数据表在下一个工作表中。",
        ]
        for i, line in enumerate(lines, start=1):
            ws.put(i, 0, line)
        ws.put(6, 0, "栏目")
        ws.put(6, 1, "填写要求")
        for i, col in enumerate(self.ret.columns, start=7):
            need = "选填" if col.optional else "必填"
            extra = f"，可选：{'、'.join(col.values)}" if col.values else ""
            ws.put(i, 0, col.label)
            ws.put(i, 1, f"{need}{extra}")
        ws.widths = {0: 30, 1: 40}
        return ws


def _stale(value: Any) -> Any:
    """An older value of a cell, as a hidden stale copy of a column would hold it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (date, datetime)):
        return value - timedelta(days=30)
    return _decimal(value) * Decimal("0.8")


def _noisy(text: str, j: int) -> str:
    """Line breaks, spaces and full-width brackets, as clerks leave them in headers."""
    t = text.replace("(", "（").replace(")", "）")
    if "（" in t and not t.startswith("（"):
        k = t.index("（")
        return t[:k] + "\n" + t[k:]
    if len(t) <= 4:
        return " ".join(t)
    if j % 2:
        mid = len(t) // 2
        return t[:mid] + "\n" + t[mid:]
    return f" {t} "


# --- rendering -------------------------------------------------------------------------------------------

def _covered(sheet: _Sheet) -> set[tuple[int, int]]:
    """Cells inside a merge other than its top-left one (they must stay empty)."""
    out = set()
    for r1, c1, r2, c2 in sheet.merges:
        out |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - {(r1, c1)}
    return out


def _save_xlsx(path: Path, sheets: list[_Sheet]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    from sbsk.outputs.return_writer import put_text_safe

    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        covered = _covered(sheet)
        for (r, c), v in sorted(sheet.cells.items()):
            assert (r, c) not in covered, f"value in a merged cell {r, c}"
            cell = ws.cell(r + 1, c + 1)
            put_text_safe(cell, v)
            fmt = sheet.formats.get((r, c))
            if fmt == "date":
                cell.number_format = "yyyy-mm-dd"
            elif fmt == "percent":
                cell.number_format = "0%"
            elif fmt == "wrap":
                cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
            elif isinstance(v, int) and not isinstance(v, bool):
                cell.number_format = "General"
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        for c, w in sheet.widths.items():
            ws.column_dimensions[get_column_letter(c + 1)].width = w
        for c in sheet.hidden:
            ws.column_dimensions[get_column_letter(c + 1)].hidden = True
    wb.save(path)


def _save_xls(path: Path, sheets: list[_Sheet]) -> None:
    import xlwt  # test dependency: legacy .xls fixtures

    wb = xlwt.Workbook(encoding="utf-8")
    styles = {
        None: xlwt.XFStyle(),
        "date": xlwt.easyxf(num_format_str="YYYY-MM-DD"),
        "percent": xlwt.easyxf(num_format_str="0%"),
        "wrap": xlwt.easyxf("align: wrap on, horiz center, vert center"),
    }
    for sheet in sheets:
        ws = wb.add_sheet(sheet.name, cell_overwrite_ok=True)
        covered = _covered(sheet)
        tops = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merges}
        for (r, c), v in sorted(sheet.cells.items()):
            assert (r, c) not in covered, f"value in a merged cell {r, c}"
            style = styles[sheet.formats.get((r, c))]
            if isinstance(v, datetime):
                v = v.date()
            if (r, c) in tops:
                r1, c1, r2, c2 = tops[(r, c)]
                ws.write_merge(r1, r2, c1, c2, v, style)
            else:
                ws.write(r, c, v, style)
        for key, (r1, c1, r2, c2) in tops.items():
            if key not in sheet.cells:
                ws.merge(r1, r2, c1, c2)
        for c, w in sheet.widths.items():
            ws.col(c).width = int(w * 256)
        for c in sheet.hidden:
            ws.col(c).hidden = True
    wb.save(str(path))
