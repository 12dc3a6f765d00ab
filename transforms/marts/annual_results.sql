-- The annual ranking and rewards (SPEC §6), on the rounded annual total (with the review's weight, §11).
with params as (
    select * from annual_params
),

-- the quarters that entered as drafts: never published (SPEC §12: the annual uses the published
-- version of each quarter, or its draft with a note)
drafts as (
    select string_agg(quarter, ',' order by quarter) as draft_quarters
    from (select distinct quarter from main.quarter_results join annual_weights using (quarter))
    where quarter not in (select quarter from main.quarter_versions)
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
        case when r.provisional then 'provisional' else 'final' end as status,
        d.draft_quarters
    from rewarded r
    join units_active u using (unit_code)
    cross join params p
    cross join drafts d
)

select * from final
