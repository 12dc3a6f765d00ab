"""The layout of a messy return: title and filler rows, the header rows, data rows with 合计 and 小计,
notes below, a 说明 sheet; then the file."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Mapping

from sbsk.samples.layouts.cells import as_decimal, noisy_header
from sbsk.samples.layouts.columns import Columns
from sbsk.samples.layouts.sheet import Col, MessyFile, Sheet, save_xls, save_xlsx
from sbsk.samples.layouts.vocabulary import QUARTER_END, QUARTER_NAMES, S2T_TEXT, SUPER_PARENT


class Builder(Columns):
    """Writes the columns out in the layout the traits ask for."""

    def write(self) -> MessyFile:
        ret = self.ret
        blocks = self.blocks()
        cols = [c for b in blocks for c in b]
        width = len(cols)
        dept = self.defs.departments[ret.owner].name
        sheet_name = str(self.opts.get("sheet") or (ret.title[:31] if "notes_sheet" in self.t else "Sheet1"))
        ws = Sheet(sheet_name)
        r = 0
        if "title_rows" in self.t:
            m, d = QUARTER_END[self.q]
            when = f"{'上' if self.q == 2 else '下'}半年" if self.half else f"第{QUARTER_NAMES[self.q]}季度"
            ws.put(r, 0, f"{self.year}年{when}{ret.title}情况表")
            ws.merge(r, 0, r, width - 1)
            ws.put(r + 1, 0, f"（截至{self.year}年{m}月{d}日）")
            ws.merge(r + 1, 0, r + 1, width - 1)
            r += 2
        unit_line = "单位：亿元" if "yi_yuan_line" in self.t else None
        if "filler_rows" in self.t:
            ws.put(r, 0, f"填报单位：{dept}（盖章）")
            sent = date(self.year, QUARTER_END[self.q][0], 1) + timedelta(days=38)   # early the next month
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
        (save_xls if "xls" in self.t else save_xlsx)(self.path, sheets)
        return MessyFile(self.path, self.code, self.t, sheet_name, header_rows, row_numbers, skipped,
                         [c.header for c in cols], sorted(ws.hidden))

    def _header(self, ws: Sheet, blocks: list[list[Col]], top: int) -> list[int]:
        n = self.header_rows
        noisy = "header_noise" in self.t
        trad = "traditional_text" in self.t

        def text(s: str, j: int) -> str:
            s = s.translate(S2T_TEXT) if trad else s
            return noisy_header(s, j) if noisy else s

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

    def _put_value(self, ws: Sheet, r: int, j: int, v: Any) -> None:
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

    def _sums(self, cols: list[Col], rows: list[Mapping], errors: dict[str, float], r_index: int) -> dict[int, Any]:
        out = {}
        for j, c in enumerate(cols):
            if not c.numeric or c.kind != "field":
                continue
            col = self.ret.column(c.field)
            total = sum((as_decimal(row[c.field]) for row in rows
                         if row.get(c.field) is not None and not isinstance(row.get(c.field), str)), Decimal(0))
            if c.field in errors:
                total = total * (1 + as_decimal(errors[c.field]))
            out[j] = self.cell(col, total, r_index)
        return out

    def _total_row(self, ws: Sheet, r: int, cols: list[Col], rows: list[Mapping], label: str, label_col: int,
                   errors: dict[str, float]) -> None:
        for j, v in self._sums(cols, rows, errors, r).items():
            ws.put(r, j, v)
        ws.put(r, label_col, label)

    def _subtotal_row(self, ws: Sheet, r: int, cols: list[Col], rows: list[Mapping], value: Any,
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

    def _notes_sheet(self, dept: str) -> Sheet:
        ws = Sheet("说明")
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
