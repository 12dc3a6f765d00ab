"""Messy-layout returns for the demo and the tests: the rows of a return written the way clerks really send them.

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
  quarter="2020Q3" (or a half year, "2020H1", for R12), seed=<code>, sheet=<data sheet name>, header_rows=2|3,
  totals_position="bottom"|"top", total_error={field: relative error} (or a float: the first amount),
  subtotal_by="unit", subtotal_style="name"|"unit" ("小计" in the first text column, or "林州市小计" in
  the unit column), subtotal_error={field: relative error} (first group only), hidden_as=<header or field>,
  unit_in_parent=True (with merged_header: a group of amounts states its unit once, on the parent
  heading "投资情况(亿元)", and the child headings are bare).

The returned MessyFile says where everything went, and what a reader should skip (`skipped`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from sbsk.samples.layouts.layout import Builder
from sbsk.samples.layouts.sheet import MessyFile
from sbsk.samples.layouts.vocabulary import TRAITS

__all__ = ["TRAITS", "MessyFile", "write_messy"]


def write_messy(path: Path, code: str, rows: Iterable[Mapping[str, Any]], traits: set[str] | frozenset[str],
                **opts: Any) -> MessyFile:
    """Write `rows` of return `code` with the given traits; see the module docstring."""
    unknown = set(traits) - TRAITS
    if unknown:
        raise ValueError(f"unknown trait(s) {sorted(unknown)}; known: {sorted(TRAITS)}")
    return Builder(Path(path), code, list(rows), frozenset(traits), opts).write()
