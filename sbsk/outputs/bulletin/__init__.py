"""The bulletin (通报) workbooks: quarterly and annual rankings, indicator detail, data flags, charts.

quarter.py and annual.py assemble the two workbooks from the sheets: ranking.py (what both ranking
sheets share), indicators.py (指标得分), flags.py (数据核查, also in the validation report) and
charts.py (图表). Everything is read from the public tables of transforms/contract.sql.
"""

from sbsk.outputs.bulletin.annual import write_annual_bulletin
from sbsk.outputs.bulletin.quarter import write_quarter_bulletin

__all__ = ["write_annual_bulletin", "write_quarter_bulletin"]
