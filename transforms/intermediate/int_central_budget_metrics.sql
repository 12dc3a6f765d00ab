-- R06 中央预算内投资项目 → C6.
with params as (
    select * from run_params
),

projects as (
    select c.*
    from stg_central_budget c, params p
    where c.quarter = p.quarter
),

final as (
    select
        u.unit_code,
        'central_budget_progress' as metric,
        coalesce(sum(c.paid), 0) as num,
        coalesce(sum(c.allocated), 0) as den
    from units_active u
    left join projects c on c.unit_code = u.unit_code
    group by u.unit_code
)

select * from final
