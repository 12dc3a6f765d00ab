-- R05 省市重点项目投资进度 → C5.
with params as (
    select * from run_params
),

projects as (
    select k.*
    from stg_key_project_investment k, params p
    where k.quarter = p.quarter
),

per_unit as (
    select
        u.unit_code,
        coalesce(sum(k.ytd_completed) filter (where k.level = '省重点'), 0) as provincial_completed,
        coalesce(sum(k.annual_plan) filter (where k.level = '省重点'), 0) as provincial_plan,
        coalesce(sum(k.ytd_completed) filter (where k.level = '市重点'), 0) as municipal_completed,
        coalesce(sum(k.annual_plan) filter (where k.level = '市重点'), 0) as municipal_plan
    from units_active u
    left join projects k on k.unit_code = u.unit_code
    group by u.unit_code
),

final as (
    select unit_code, 'provincial_key_progress' as metric, provincial_completed as num, provincial_plan as den from per_unit
    union all select unit_code, 'municipal_key_progress', municipal_completed, municipal_plan from per_unit
)

select * from final
