-- Every category of the rubric, whatever its codes, for every unit: the sum of its rounded
-- indicator points (SPEC §5), so a category the rubric adds is scored like the four of the plan.
select
    p.quarter,
    u.unit_code,
    c.category_code,
    coalesce(sum(s.points), 0)::decimal(7, 2) as score
from units_active u
cross join rubric_categories c
cross join run_params p
left join indicator_scores s on s.unit_code = u.unit_code and s.category_code = c.category_code
group by p.quarter, u.unit_code, c.category_code
