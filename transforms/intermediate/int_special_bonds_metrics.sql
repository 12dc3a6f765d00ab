-- R07 地方政府专项债券项目 → C7.
with params as (
    select * from run_params
),

projects as (
    select b.*
    from stg_special_bonds b, params p
    where b.quarter = p.quarter
),

final as (
    select
        u.unit_code,
        'special_bond_progress' as metric,
        coalesce(sum(b.spent), 0) as num,
        coalesce(sum(b.bond_amount), 0) as den
    from units_active u
    left join projects b on b.unit_code = u.unit_code
    group by u.unit_code
)

select * from final
