-- A dispatch's carried assessor points (SPEC §9): for each active unit and assessor indicator, the
-- points of the latest stored quarter of the same year that ends on or before the month end
-- (run_params.quarter_end). Not carried when that quarter did not assess the unit either.
with assessor_parts as (
    select indicator_code, min(part_no) as part_no
    from rubric_parts
    where method = 'assessor'
    group by indicator_code
),

stored as (
    select
        s.unit_code,
        s.indicator_code,
        case a.part_no when 1 then s.points_1 when 2 then s.points_2 end as part_points,
        s.flags,
        s.quarter
    from main.indicator_scores s
    join assessor_parts a using (indicator_code)
    cross join run_params p
    where s.unit_code in (select unit_code from units_active)
      and regexp_full_match(s.quarter, '\d{4}Q[1-4]')
      and s.quarter[1:4]::integer = p.year
      -- a quarter ends on month 3q: it is closed by the month end when 3q ≤ the month
      and 3 * s.quarter[6:6]::integer <= month(p.quarter_end)
    qualify row_number() over (partition by s.unit_code, s.indicator_code order by s.quarter desc) = 1
)

select
    unit_code,
    indicator_code,
    part_points::decimal(6, 2) as points,
    quarter as from_period
from stored
where coalesce(flags, '') not similar to '.*(missing_assessment|missing_return).*'
