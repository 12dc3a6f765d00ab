"""The columns of a messy return: what each cell of a field holds, the leaf and parent headings, and
the blocks of columns (grouped under parents, shuffled, with extra and hidden columns)."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Mapping

from sbsk.samples.layouts.cells import as_decimal, date_text, number_text, plain_number, stale_copy, unit_forms
from sbsk.samples.layouts.sheet import Col
from sbsk.samples.layouts.vocabulary import DASH, EXTRAS, PARENTS, S2T_TEXT, SUPER_PARENT
from sbsk.schemas import load_returns
from sbsk.schemas.definitions import Column, ReturnDef
from sbsk.text import header_key


class Columns:
    """A return's rows, traits and options, and the columns they give."""

    def __init__(self, path: Path, code: str, rows: list[Mapping[str, Any]], traits: frozenset[str], opts: dict):
        self.defs = load_returns()
        if code not in self.defs.all_returns:
            raise ValueError(f"unknown return {code!r}")
        known_opts = {"quarter", "seed", "sheet", "header_rows", "totals_position", "total_error", "subtotal_by",
                      "subtotal_style", "subtotal_error", "hidden_as", "unit_in_parent"}
        if set(opts) - known_opts:
            raise ValueError(f"unknown option(s) {sorted(set(opts) - known_opts)}; known: {sorted(known_opts)}")
        self.ret: ReturnDef = self.defs.all_returns[code]
        self.code = code
        self.rows = rows
        self.t = traits
        self.opts = opts
        self.rng = random.Random(f"{opts.get('seed', code)}")
        self.yi = bool({"yi_yuan_header", "yi_yuan_line"} & traits)
        suffix = ".xls" if "xls" in traits else ".xlsx"
        self.path = path.with_suffix(suffix) if path.suffix.lower() != suffix else path
        quarter = str(opts.get("quarter", "2020Q3"))
        self.half = quarter[4:5].upper() == "H"   # a half year (R12): YYYYH1 ends with Q2, YYYYH2 with Q4
        self.year, self.q = int(quarter[:4]), int(quarter[-1]) * (2 if self.half else 1)
        self.header_rows = 1 if "merged_header" not in traits else int(opts.get("header_rows", 2))
        if self.header_rows not in (1, 2, 3):
            raise ValueError("header_rows must be 2 or 3")
        self.unit_forms = unit_forms() if "unit_variants" in traits else {}
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
            number = as_decimal(value)
            if col.type == "amount" and self.yi:
                number = number / Decimal(10000)
            if "numbers_as_text" in t:
                if number == 0 and col.type == "amount" and col.min == 0:
                    return DASH
                return number_text(number, i)
            return plain_number(number)
        if col.type == "enum" and isinstance(value, str) and "traditional_text" in t:
            return value.translate(S2T_TEXT)
        if col.type == "date" and isinstance(value, (date, datetime)):
            d = value.date() if isinstance(value, datetime) else value
            styles = (["serial"] if "dates_as_serials" in t else []) + \
                     (["dot", "cn", "slash"] if "dates_as_text" in t else [])
            if not styles:
                return d
            return date_text(d, styles[(i + self.ret.fields.index(col.field)) % len(styles)])
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
    def blocks(self) -> list[list[Col]]:
        ret = self.ret
        group_of = {f: parent for parent, fields in PARENTS[self.code] for f in fields}

        def field_col(col: Column) -> Col:
            return Col(self.leaf_header(col), col.field, "field",
                        lambda i, row, c=col: self.cell(c, row.get(c.field), i),
                        numeric=col.type in ("amount", "integer", "number"), parent=group_of.get(col.field))

        blocks: list[list[Col]] = []
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

    def _with_extras(self, blocks: list[list[Col]]) -> list[list[Col]]:
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
            col = Col(header, None, "extra", self._extra_value(header), numeric=header == "完成率")
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
                r = as_decimal(done or 0) / as_decimal(plan)
                return f"{round(r * 100)}%" if "numbers_as_text" in self.t else ("percent", float(r))
            return ratio
        if header == "备注":
            return lambda i, row: "按时报送" if i % 2 == 0 else None
        return lambda i, row: "张某某"

    def _with_hidden(self, blocks: list[list[Col]]) -> list[list[Col]]:
        hidden_as = str(self.opts.get("hidden_as", "备用"))
        out = list(blocks)
        if hidden_as in self.ret.fields:
            col = self.ret.column(hidden_as)
            stale = Col(self.leaf_header(col), None, "hidden",
                         lambda i, row, c=col: self.cell(c, stale_copy(row.get(c.field)), i))
            at = next(k for k, b in enumerate(out) if any(c.field == hidden_as for c in b))
            out.insert(at, [stale])
        else:
            value = (lambda i, row: i + 1) if hidden_as == "序号" else (lambda i, row: f"辅助{i + 1}")
            out.insert(max(1, len(out) // 2), [Col(hidden_as, None, "hidden", value)])
        return out
