-- R02 招商引资签约项目 → B1, B2, B3, B4.
with params as (
    select * from run_params
),

signings as (
    select s.*, s.signed_on between p.year_start and p.quarter_end as signed_ytd
    from stg_investment_attraction s, params p
    where s.quarter = p.quarter
),

per_unit as (
    select
        u.unit_code,
        -- paid_in is already year-to-date, so every row of the snapshot counts whatever its signing date
        coalesce(sum(s.paid_in) filter (where s.funding_origin in ('省外', '境外')), 0) as external_paid_in,
        count(s.row_number) filter (where s.signed_ytd) as signed_count,
        coalesce(sum(s.contract_amount) filter (where s.signed_ytd), 0) as signed_amount,
        count(s.row_number) filter (
            where s.signed_ytd and (s.contract_amount >= p.signed_quality_min_amount or s.top_investor)
        ) as quality_count,
        coalesce(sum(s.contract_amount) filter (where s.signed_ytd and s.landed), 0) as landed_amount
    from units_active u
    cross join params p
    left join signings s on s.unit_code = u.unit_code
    group by u.unit_code
),

final as (
    select unit_code, 'external_paid_in' as metric, external_paid_in as num, 1 as den from per_unit
    union all select unit_code, 'signed_count', signed_count, 1 from per_unit
    union all select unit_code, 'signed_amount', signed_amount, 1 from per_unit
    union all select unit_code, 'signed_quality_share', quality_count, signed_count from per_unit
    union all select unit_code, 'signed_landed_share', landed_amount, signed_amount from per_unit
)

select * from final
