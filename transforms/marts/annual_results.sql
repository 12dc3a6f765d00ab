-- The annual ranking and rewards (SPEC §6), on the rounded annual total (with the review's weight, §11).
with params as (
    select * from annual_params
),

rewarded as (
    select r.*
    from rank_and_reward('annual_combined', getvariable('annual_first_yuan'), getvariable('annual_last_yuan')) r
),

final as (
    select
        p.year,
        r.unit_code,
        u.unit_name,
        r.unit_group,
        r.score_a,
        r.score_b,
        r.score_c,
        r.score_d,
        r.total,
        r.group_rank::integer as group_rank,
        r.reward_yuan,
        r.tie,
        r.quarters_used,
        r.composite_total,
        r.review_total,
        r.review_periods,
        r.review_weight,
        case when r.provisional then 'provisional' else 'final' end as status
    from rewarded r
    join units_active u using (unit_code)
    cross join params p
)

select * from final
