"""A realistic sample year of departmental returns, for `sbsk demo` and the tests.

The year is modelled first and then photographed at each quarter end. Every unit has a strength
(林州市 and 文峰区 strong, 滑县 and 北关区 weak) that drives how many projects it reports, how large
they are and how fast they progress. Projects persist across the quarters under the same name and
project code, their year-to-date money never decreases and, summed per unit, grows every quarter;
new projects are added as the year goes on. A quarter's file holds the snapshot as at its end, so
no date in it is later than the quarter end except the due dates of approval items (R09); only R01
entries listed in the previous year and R04 projects started in earlier years (续建) carry earlier
dates. R03 lists the events held in the quarter, R10 one score per unit and assessed indicator. Unit names are mostly canonical, sometimes written as clerks do: a short alias (林州), a
Traditional form (湯陰縣) or padded with spaces; all of them resolve through the registry.

Deliberate features:

- 北关区 has no special-bond project (R07) in any quarter; the R07 file holds the other units.
- 滑县 held no groundbreaking event in Q2: no R03 row for it in that quarter.
- 内黄县 reports in Q3 a 新开工 project started in September with nothing invested yet
  (开而未动, the `suspect_start` flag); its money arrives in Q4.

Invalid rows, each an extra row after the unit's valid rows and each breaking exactly one rule:

    quarter return unit    field               value                        rule broken
    Q1      R01    殷都区  reserve_level       国家重大                     not 省重大 / 省重点
    Q1      R06    汤阴县  paid                850 (allocated 600)          paid ≤ allocated
    Q2      R02    龙安区  contract_amount     0                            contract_amount > 0
    Q2      R05    安阳市  unit                安阳市                       not a scored unit
    Q3      R09    安阳县  completed_on        08-12 (accepted_on 08-20)    completed_on ≥ accepted_on
    Q3      R11    文峰区  grade               较好                         not 优 / 良 / 一般
    Q4      R03    林州市  projects_over_100m  6 (project_count 4)          ≤ project_count
    Q4      R07    滑县    spent               3200 (bond_amount 3000)      spent ≤ bond_amount
"""

from __future__ import annotations

from sbsk.samples.demo.planted import Planted, planted_rows
from sbsk.samples.demo.year import generate_year

__all__ = ["Planted", "generate_year", "planted_rows"]
