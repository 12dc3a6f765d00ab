"""The 通报 as the office issues it (SPEC §13): tongbao-<period>.docx from the template tongbao.docx."""

from sbsk.outputs.tongbao.document import write_quarter_tongbao, write_year_tongbao

__all__ = ["write_quarter_tongbao", "write_year_tongbao"]
