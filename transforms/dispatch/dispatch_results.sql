-- A dispatch's provisional ranking (SPEC §9): the generic totals ranked within each group as in §6
-- (rank_and_reward, with no reward), and the movement since the dispatch of the month before.
with params as (
    select * from run_params
),

ranked as (
    select r.*
    from rank_and_reward('quarter_totals', 0, 0) r
),

before as (
    select d.unit_code, d.group_rank
    from main.dispatch_results d, dispatch_params dp
    where d.month = dp.previous_month
),

final as (
    select
        p.quarter as month,
        r.unit_code,
        u.unit_name,
        r.unit_group,
        r.score_a,
        r.score_b,
        r.score_c,
        r.score_d,
        r.total,
        r.group_rank::integer as group_rank,
        (b.group_rank - r.group_rank)::integer as rank_change,
        'provisional' as status,
        p.rubric_version
    from ranked r
    join units_active u using (unit_code)
    left join before b using (unit_code)
    cross join params p
)

select * from final
