-- R08 补短板"982"工程项目 → C8.
with params as (
    select * from run_params
),

projects as (
    select g.*
    from stg_program_982 g, params p
    where g.quarter = p.quarter
),

final as (
    select
        u.unit_code,
        'program_982_progress' as metric,
        coalesce(sum(g.ytd_completed), 0) as num,
        coalesce(sum(g.annual_plan), 0) as den
    from units_active u
    left join projects g on g.unit_code = u.unit_code
    group by u.unit_code
)

select * from final
