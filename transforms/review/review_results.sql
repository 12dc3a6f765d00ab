-- Each unit's review result (SPEC §11): item means over its assessors (trimmed from trim_min on),
-- the total as the sum of the unrounded means rounded once half up, and the rank within its group.
-- A unit nobody scored keeps its row, with no total and the flag not_reviewed.
with params as (
    select * from review_params
),

per_unit as (
    select
        unit_code,
        max(n) as assessors,
        bool_or(is_trimmed) as is_trimmed,
        -- Σ kept_c / kept_n over the items, as one exact fraction of cents
        list_reduce(list({'n': kept_c, 'd': kept_n} order by item),
                    lambda a, b: {'n': a.n * b.d + b.n * a.d, 'd': a.d * b.d}) as total_frac,
        round_half_up_cents(max(kept_c) filter (where item = 'planning'),
                            max(kept_n) filter (where item = 'planning')) as planning,
        round_half_up_cents(max(kept_c) filter (where item = 'attraction'),
                            max(kept_n) filter (where item = 'attraction')) as attraction,
        round_half_up_cents(max(kept_c) filter (where item = 'construction'),
                            max(kept_n) filter (where item = 'construction')) as construction,
        round_half_up_cents(max(kept_c) filter (where item = 'service'),
                            max(kept_n) filter (where item = 'service')) as service
    from review_item_stats
    group by unit_code
),

untrimmed as (
    select s.unit_code, round_half_up_cents(sum((s.total * 100)::hugeint), count(*)::hugeint) as untrimmed_total
    from main.review_scores s
    join params p on s.period = p.period
    group by s.unit_code
),

results as (
    select
        u.unit_code,
        u.unit_name,
        u.unit_group,
        r.planning,
        r.attraction,
        r.construction,
        r.service,
        case when r.unit_code is not null
             then round_half_up_cents(r.total_frac.n, r.total_frac.d)::decimal(6, 2) end as total,
        coalesce(r.assessors, 0)::integer as assessors,
        case when r.is_trimmed then 2 else 0 end::integer as trimmed,
        t.untrimmed_total::decimal(6, 2) as untrimmed_total,
        case when r.unit_code is null then 'not_reviewed' end as flags
    from units_active u
    left join per_unit r using (unit_code)
    left join untrimmed t using (unit_code)
)

select
    p.period,
    r.unit_code,
    r.unit_name,
    r.unit_group,
    r.planning,
    r.attraction,
    r.construction,
    r.service,
    r.total,
    case when r.total is not null
         then rank() over (partition by r.unit_group, r.total is null order by r.total desc) end::integer as group_rank,
    r.assessors,
    r.trimmed,
    r.untrimmed_total,
    r.flags,
    p.rubric_version
from results r
cross join params p
