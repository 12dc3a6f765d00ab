-- Annual rank movement (SPEC §13): previous year's group_rank − this year's, within the same group,
-- for every stored year (recomputed whole, so re-running a year corrects the year after it).
select
    r.year,
    r.unit_code,
    (p.group_rank - r.group_rank)::integer as rank_change
from main.annual_results r
left join main.annual_results p
       on p.unit_code = r.unit_code and p.unit_group = r.unit_group and p.year = r.year - 1
