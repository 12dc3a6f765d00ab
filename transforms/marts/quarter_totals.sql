-- Category scores are sums of the rounded indicator points, so every published table adds up.
with by_category as (
    select
        s.unit_code,
        s.unit_group,
        sum(s.points) filter (where s.category_code = 'A') as score_a,
        sum(s.points) filter (where s.category_code = 'B') as score_b,
        sum(s.points) filter (where s.category_code = 'C') as score_c,
        sum(s.points) filter (where s.category_code = 'D') as score_d
    from indicator_scores s
    group by s.unit_code, s.unit_group
),

totals as (
    select
        unit_code,
        unit_group,
        coalesce(score_a, 0)::decimal(7, 2) as score_a,
        coalesce(score_b, 0)::decimal(7, 2) as score_b,
        coalesce(score_c, 0)::decimal(7, 2) as score_c,
        coalesce(score_d, 0)::decimal(7, 2) as score_d,
        (coalesce(score_a, 0) + coalesce(score_b, 0) + coalesce(score_c, 0) + coalesce(score_d, 0))::decimal(7, 2) as total
    from by_category
)

select * from totals
