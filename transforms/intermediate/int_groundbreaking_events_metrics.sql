-- R03 重大项目集中开工活动 → C1.
with params as (
    select * from run_params
),

events as (
    select e.*
    from stg_groundbreaking_events e, params p
    where e.quarter = p.quarter and e.event_on between p.quarter_start and p.quarter_end
),

per_unit as (
    select
        u.unit_code,
        count(e.row_number) as event_count,
        coalesce(sum(e.total_investment), 0) as event_investment
    from units_active u
    left join events e on e.unit_code = u.unit_code
    group by u.unit_code
),

final as (
    select unit_code, 'event_count' as metric, event_count as num, 1 as den from per_unit
    union all select unit_code, 'event_investment', event_investment, 1 from per_unit
)

select * from final
