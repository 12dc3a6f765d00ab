-- The one generic scoring model, part by part: applies each rubric part's method to its metric
-- (indicator_scores sums the parts, takes the deduction and rounds; a dispatch's warnings read the
-- parts' exact points).
--
-- Points are computed as exact fractions of integers (hugeint numerator / denominator): metric
-- values are decimals scaled by 10^4 and a progress target is the fraction target_n / target_d
-- (7/12 stays 7/12), so no binary float ever decides a rounding.
with params as (
    select * from run_params
),

metrics as (
    select
        unit_code,
        metric,
        num,
        den,
        (num * 10000)::hugeint as n,
        (den * 10000)::hugeint as d,
        -- the value compared across units; a share or rate with nothing to take it of is 0
        case when den = 0 or num is null then 0 else num::double / den::double end as v
    from int_metrics
),

parts as (
    select
        u.unit_code,
        u.unit_group,
        rp.indicator_code,
        rp.part_no,
        rp.method,
        rp.source,
        (rp.share * 10000)::hugeint as share_n,
        rp.share,
        rp.target_n,
        rp.target_d,
        rp.min_count,
        rp.no_base,
        -- an assessor part the period's R10 leaves unscored may carry the points of a stored quarter
        -- (a dispatch, SPEC §9; carried_assessments is empty for a quarter)
        coalesce(m.num, ca.points) as num,
        m.den,
        coalesce(m.n, (ca.points * 10000)::hugeint) as n,
        m.d,
        m.v,
        m.num is null and ca.points is not null as carried,
        rp.source in (select return_code from missing_returns) as source_missing
    from units_active u
    cross join rubric_parts rp
    left join metrics m on m.unit_code = u.unit_code and m.metric = rp.metric
    left join carried_assessments ca
        on rp.method = 'assessor' and ca.unit_code = u.unit_code and ca.indicator_code = rp.indicator_code
),

with_leader as (
    select
        *,
        -- the group leader's value as a fraction (relative method): v_max = max_n / max_d
        arg_max(n, v) over (partition by unit_group, indicator_code, part_no) as max_n,
        arg_max(d, v) over (partition by unit_group, indicator_code, part_no) as max_d,
        max(v) over (partition by unit_group, indicator_code, part_no) as v_max
    from parts
),

part_points as (
    select
        *,
        case
            when source_missing then {'n': 0::hugeint, 'd': 1::hugeint}
            when method = 'assessor' then {'n': coalesce(n, 0), 'd': 10000::hugeint}
            when method = 'threshold' then
                case when coalesce(num, 0) >= min_count then {'n': share_n, 'd': 10000::hugeint}
                     else {'n': 0::hugeint, 'd': 1::hugeint} end
            when method = 'graded' then {'n': least(share_n, coalesce(n, 0)), 'd': 10000::hugeint}
            when method = 'relative' then
                case when v_max <= 0 or v <= 0 then {'n': 0::hugeint, 'd': 1::hugeint}
                     -- share × (n/d) / (max_n/max_d)
                     else {'n': share_n * n * max_d, 'd': 10000 * d * max_n} end
            when method = 'progress' then
                case when d = 0 then
                         case when no_base = 'full' then {'n': share_n, 'd': 10000::hugeint}
                              else {'n': 0::hugeint, 'd': 1::hugeint} end
                     -- r / target ≥ 1 ⇔ n × target_d ≥ d × target_n: full share
                     when n * target_d >= d * target_n then {'n': share_n, 'd': 10000::hugeint}
                     -- share × (n/d) / (target_n/target_d)
                     else {'n': share_n * n * target_d, 'd': 10000 * d * target_n} end
        end as frac,
        case
            when source_missing then 'missing_return'
            when method = 'assessor' and num is null then 'missing_assessment'
            when carried then 'carried_assessment'
            when method = 'progress' and d = 0 then 'no_base'
        end as flag,
        case
            when method = 'relative' then v_max
            when method = 'progress' then target_n::double / target_d::double
            when method = 'threshold' then min_count::double
        end as basis
    from with_leader
),

reduced as (
    select
        *,
        {'n': frac.n // gcd(frac.n, frac.d), 'd': frac.d // gcd(frac.n, frac.d)} as pf
    from part_points
)

select * from reduced
