-- R04 亿元以上项目 → C2 (with the 开而未动 deduction), C3, C4.
with params as (
    select * from run_params
),

projects as (
    select
        m.*,
        m.nature = '新开工' and m.started_on between p.year_start and p.quarter_end as new_start_ytd,
        m.ytd_completed = 0 as nothing_spent
    from stg_major_projects m, params p
    where m.quarter = p.quarter
),

per_unit as (
    select
        u.unit_code,
        count(m.row_number) filter (where m.new_start_ytd and not m.nothing_spent) as new_start_count,
        coalesce(sum(m.total_investment) filter (where m.new_start_ytd and not m.nothing_spent), 0) as new_start_investment,
        count(m.row_number) filter (where m.new_start_ytd and m.nothing_spent) as suspect_start_count,
        count(m.row_number) filter (where m.completed_on between p.year_start and p.quarter_end) as completed_count,
        coalesce(sum(m.ytd_completed) filter (where m.started_on <= p.quarter_end), 0) as started_ytd_completed,
        coalesce(sum(m.annual_plan) filter (where m.started_on <= p.quarter_end), 0) as started_annual_plan
    from units_active u
    cross join params p
    left join projects m on m.unit_code = u.unit_code
    group by u.unit_code
),

final as (
    select unit_code, 'new_start_count' as metric, new_start_count as num, 1 as den from per_unit
    union all select unit_code, 'new_start_investment', new_start_investment, 1 from per_unit
    union all select unit_code, 'suspect_start_count', suspect_start_count, 1 from per_unit
    union all select unit_code, 'completed_count', completed_count, 1 from per_unit
    union all select unit_code, 'started_progress', started_ytd_completed, started_annual_plan from per_unit
)

select * from final
