-- Per unit and review item (SPEC §11): how many assessors scored it, and the sum left after
-- dropping one highest and one lowest value (去掉一个最高分和一个最低分) when at least trim_min did.
-- Dropping one max and one min by value drops exactly one of several tied values. Scores have two
-- decimals and are handled as whole cents (hugeint): no binary float decides a mean or a rounding.
with params as (
    select * from review_params
),

scores as (
    select s.unit_code, s.planning, s.attraction, s.construction, s.service
    from main.review_scores s
    join params p on s.period = p.period
),

long as (
    unpivot scores on planning, attraction, construction, service into name item value score
),

stats as (
    select
        l.unit_code,
        l.item,
        count(*) as n,
        sum((l.score * 100)::hugeint) as sum_c,
        max((l.score * 100)::hugeint) as max_c,
        min((l.score * 100)::hugeint) as min_c
    from long l
    join review_items i on i.field = l.item
    group by l.unit_code, l.item
)

select
    s.unit_code,
    s.item,
    s.n,
    s.n >= p.trim_min as is_trimmed,
    case when s.n >= p.trim_min then s.sum_c - s.max_c - s.min_c else s.sum_c end as kept_c,
    (case when s.n >= p.trim_min then s.n - 2 else s.n end)::hugeint as kept_n
from stats s
cross join params p
