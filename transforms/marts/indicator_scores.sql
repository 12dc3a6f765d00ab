-- Each indicator's points from its parts (part_points): the parts summed, the deduction taken, and
-- rounded to 2 decimals half up, all in exact fractions.
with params as (
    select * from run_params
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
    from part_points
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
