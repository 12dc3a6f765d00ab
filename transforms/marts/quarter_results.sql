-- Rank within each group and reward first and last (SPEC §6).
with params as (
    select * from run_params
),

rewarded as (
    select r.*
    from rank_and_reward('quarter_totals', getvariable('quarter_first_yuan'), getvariable('quarter_last_yuan')) r
),

final as (
    select
        p.quarter,
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
        case when exists (select 1 from missing_returns) then 'provisional' else 'final' end as status,
        p.rubric_version
    from rewarded r
    join units_active u using (unit_code)
    cross join params p
)

select * from final
