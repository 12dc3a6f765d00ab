-- R10 专班评分 → every indicator scored by the assessor (A1 by default).
-- A unit without a score gets a null metric: the indicator scores 0 with flag missing_assessment.
with params as (
    select * from run_params
),

scores as (
    select s.unit_code, s.indicator, s.score
    from stg_assessor_scores s, params p
    where s.quarter = p.quarter
),

assessed as (
    select distinct indicator_code
    from rubric_parts
    where method = 'assessor'
),

final as (
    select
        u.unit_code,
        'assessor_' || i.indicator_code as metric,
        s.score as num,
        1 as den
    from units_active u
    cross join assessed i
    left join scores s on s.unit_code = u.unit_code and s.indicator = i.indicator_code
)

select * from final
