-- Assessor consistency (SPEC §11): for each assessor, the mean over the units they scored of
-- (their total − that unit's untrimmed mean total). Exact: each term is the fraction (t·n − S) / n
-- in cents (t the assessor's total, S and n the sum and count of the unit's totals), the terms are
-- added as fractions, and |mean| > outlier_points is decided on the fraction. It informs the
-- office; no score depends on it.
with params as (
    select * from review_params
),

rows as (
    select s.*
    from main.review_scores s
    join params p on s.period = p.period
),

unit_means as (
    select unit_code, sum((total * 100)::hugeint) as s_c, count(*)::hugeint as n
    from rows
    group by unit_code
),

terms as (
    select
        r.assessor,
        r.review_group,
        r.assessor_unit,
        r.assessor_unit_name,
        r.unit_code,
        {'n': (r.total * 100)::hugeint * m.n - m.s_c, 'd': m.n} as dev
    from rows r
    join unit_means m using (unit_code)
),

per_assessor as (
    select
        assessor,
        string_agg(distinct review_group, ',' order by review_group) as review_groups,
        -- the unit most of their rows name (ties: the first code), when they gave one
        mode(assessor_unit order by assessor_unit) as assessor_unit,
        count(*)::hugeint as k,
        list_reduce(list(dev order by unit_code), lambda a, b: {
            'n': (a.n * b.d + b.n * a.d) // gcd(a.n * b.d + b.n * a.d, a.d * b.d),
            'd': (a.d * b.d) // gcd(a.n * b.d + b.n * a.d, a.d * b.d)}) as s
    from terms
    group by assessor
),

named as (
    select a.*, (select any_value(t.assessor_unit_name) from terms t
                 where t.assessor = a.assessor and t.assessor_unit = a.assessor_unit) as assessor_unit_name
    from per_assessor a
)

select
    p.period,
    a.assessor,
    a.review_groups,
    a.assessor_unit,
    a.assessor_unit_name,
    a.k::integer as units_scored,
    -- rounded half away from zero: a strict assessor's −8.125 shows as −8.13, like a lenient +8.13
    (case when a.s.n < 0 then -round_half_up_cents(-a.s.n, a.s.d * a.k)
          else round_half_up_cents(a.s.n, a.s.d * a.k) end)::decimal(7, 2) as mean_deviation,
    -- |s.n / (s.d·k)| cents > outlier_points × 100 cents, with outlier_points scaled by 10^4
    100 * abs(a.s.n) > (p.outlier_points * 10000)::hugeint * a.s.d * a.k as outlier
from named a
cross join params p
