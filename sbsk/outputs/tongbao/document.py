"""Render the 通报 template (tongbao.docx, package data) with the facts of a quarter or a year."""

from __future__ import annotations

from pathlib import Path

import duckdb
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate

from sbsk.outputs.tongbao.facts import quarter_facts, year_facts

TEMPLATE = Path(__file__).with_name("tongbao.docx")
TEXT_WIDTH_MM = 156  # 版心


def _column_widths(table) -> None:
    """A column loop leaves every column equally wide: give the name columns room, share out the rest
    over the 版心, so the numbers fit on one line and no table runs past the margin."""
    n = len(table.columns)
    head = table.cell(0, 0).text.strip()
    fixed = [12, 24] if head == "名次" else [40, 12]
    rest = (TEXT_WIDTH_MM - sum(fixed)) / max(n - len(fixed), 1)
    widths = (fixed + [rest] * n)[:n]
    grid = table._tbl.tblGrid
    for col in list(grid):
        grid.remove(col)
    for w in widths:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(int(Mm(w).twips)))
        grid.append(col)
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = Mm(w)


def render(facts: dict, path: Path, template: Path = TEMPLATE) -> Path:
    doc = DocxTemplate(str(template))
    doc.render(facts, autoescape=True)
    for table in doc.docx.tables:
        _column_widths(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def write_quarter_tongbao(con: duckdb.DuckDBPyConnection, quarter: str, path: Path,
                          template: Path = TEMPLATE) -> Path:
    return render(quarter_facts(con, quarter), path, template)


def write_year_tongbao(con: duckdb.DuckDBPyConnection, year: int, path: Path, template: Path = TEMPLATE) -> Path:
    return render(year_facts(con, year), path, template)
