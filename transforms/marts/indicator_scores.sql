-- The one generic scoring model: applies each rubric part's method to its metric, sums the parts,
-- takes the deduction, and rounds to 2 decimals half up.
--
-- Points are computed as exact fractions of integers (hugeint numerator / denominator): metric
-- values are decimals scaled by 10^4, and a progress target comes as the exact fraction of the
-- decimal written in the rubric (target_n / target_d), so no binary float and no cut decides a rounding.
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
        m.num,
        m.den,
        m.n,
        m.d,
        m.v,
        rp.source in (select return_code from missing_returns) as source_missing
    from units_active u
    cross join rubric_parts rp
    left join metrics m on m.unit_code = u.unit_code and m.metric = rp.metric
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
),

indicator_sum as (
    select
        unit_code,
        unit_group,
        indicator_code,
        list_reduce(list(pf order by part_no), lambda a, b: {'n': a.n * b.d + b.n * a.d, 'd': a.d * b.d}) as total_frac,
        max(v) filter (where part_no = 1) as metric_1,
        max(num) filter (where part_no = 1) as numerator_1,
        max(den) filter (where part_no = 1) as denominator_1,
        max(basis) filter (where part_no = 1) as basis_1,
        max(pf.n::double / pf.d::double) filter (where part_no = 1) as points_1,
        max(v) filter (where part_no = 2) as metric_2,
        max(num) filter (where part_no = 2) as numerator_2,
        max(den) filter (where part_no = 2) as denominator_2,
        max(basis) filter (where part_no = 2) as basis_2,
        max(pf.n::double / pf.d::double) filter (where part_no = 2) as points_2,
        string_agg(distinct flag, ',' order by flag) as flags
    from reduced
    group by unit_code, unit_group, indicator_code
),

deducted as (
    select
        s.*,
        ri.category_code,
        ri.max_points,
        case
            when ri.deduction_metric is null or ri.deduction_source in (select return_code from missing_returns) then 0
            else coalesce(dm.num, 0) * ri.deduction_each
        end as deduction
    from indicator_sum s
    join rubric_run_indicators ri using (indicator_code)
    left join int_metrics dm on dm.unit_code = s.unit_code and dm.metric = ri.deduction_metric
),

rounded as (
    select
        *,
        -- sum − deduction as a fraction, floored at 0, then round half up to cents
        greatest(total_frac.n * 10000 - (deduction * 10000)::hugeint * total_frac.d, 0) as net_n,
        total_frac.d * 10000 as net_d
    from deducted
),

final as (
    select
        p.quarter,
        r.unit_code,
        r.unit_group,
        r.indicator_code,
        r.category_code,
        p.rubric_version,
        r.metric_1,
        r.numerator_1,
        r.denominator_1,
        r.basis_1,
        r.points_1,
        r.metric_2,
        r.numerator_2,
        r.denominator_2,
        r.basis_2,
        r.points_2,
        r.deduction::decimal(6, 2) as deduction,
        least(((2 * 100 * r.net_n + r.net_d) // (2 * r.net_d))::decimal(10, 0) / 100, r.max_points)::decimal(6, 2) as points,
        r.max_points::decimal(6, 2) as max_points,
        r.flags
    from rounded r, params p
)

select * from final
