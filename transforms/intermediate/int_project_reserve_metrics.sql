-- R01 项目谋划储备 → A2, A3, A4, A5.
with params as (
    select * from run_params
),

reserve as (
    select r.*
    from stg_project_reserve r, params p
    where r.quarter = p.quarter
),

per_unit as (
    select
        u.unit_code,
        count(r.row_number) filter (where r.reserve_level = '省重大' and r.listed_on between p.year_start and p.quarter_end) as major_count,
        coalesce(sum(r.total_investment) filter (where r.reserve_level = '省重大' and r.listed_on between p.year_start and p.quarter_end), 0) as major_investment,
        coalesce(sum(r.total_investment) filter (
            where r.reserve_level = '省重大' and r.listed_on between p.year_start and p.quarter_end
              and (r.total_investment >= p.major_quality_min_investment or list_contains(p.major_quality_sectors, r.sector))
        ), 0) as major_quality_investment,
        count(r.row_number) filter (where r.reserve_level = '省重大' and r.listed_on <= p.quarter_end) as major_listed,
        count(r.row_number) filter (
            where r.reserve_level = '省重大' and r.listed_on <= p.quarter_end and r.implemented and r.started_on <= p.quarter_end
        ) as major_implemented,
        count(r.row_number) filter (where r.reserve_level = '省重点' and r.listed_on between p.year_start and p.quarter_end) as key_count,
        coalesce(sum(r.total_investment) filter (where r.reserve_level = '省重点' and r.listed_on between p.year_start and p.quarter_end), 0) as key_investment
    from units_active u
    cross join params p
    left join reserve r on r.unit_code = u.unit_code
    group by u.unit_code
),

final as (
    select unit_code, 'provincial_major_count' as metric, major_count as num, 1 as den from per_unit
    union all select unit_code, 'provincial_major_investment', major_investment, 1 from per_unit
    union all select unit_code, 'provincial_major_quality_share', major_quality_investment, major_investment from per_unit
    union all select unit_code, 'provincial_major_implemented_share', major_implemented, major_listed from per_unit
    union all select unit_code, 'provincial_key_count', key_count, 1 from per_unit
    union all select unit_code, 'provincial_key_investment', key_investment, 1 from per_unit
)

select * from final
