-- Annual composite (SPEC §6): each score is the weighted mean of the stored quarterly scores,
-- rounded to 2 decimals half up in exact integer arithmetic (cents × weight scaled by 10^4).
with quarters as (
    select q.*, w.weight
    from main.quarter_results q
    join annual_weights w using (quarter)
),

sums as (
    select
        unit_code,
        sum((score_a * 100)::hugeint * (weight * 10000)::hugeint) as a_n,
        sum((score_b * 100)::hugeint * (weight * 10000)::hugeint) as b_n,
        sum((score_c * 100)::hugeint * (weight * 10000)::hugeint) as c_n,
        sum((score_d * 100)::hugeint * (weight * 10000)::hugeint) as d_n,
        sum((total * 100)::hugeint * (weight * 10000)::hugeint) as t_n,
        sum((weight * 10000)::hugeint) as w_n,
        string_agg(quarter, ',' order by quarter) as quarters_used,
        bool_or(status <> 'final') as any_provisional,
        count(*) as n_quarters
    from quarters
    group by unit_code
),

final as (
    select
        s.unit_code,
        u.unit_group,
        round_half_up_cents(s.a_n, s.w_n) as score_a,
        round_half_up_cents(s.b_n, s.w_n) as score_b,
        round_half_up_cents(s.c_n, s.w_n) as score_c,
        round_half_up_cents(s.d_n, s.w_n) as score_d,
        round_half_up_cents(s.t_n, s.w_n) as total,
        s.quarters_used,
        s.any_provisional or s.n_quarters < 4 as provisional
    from sums s
    join units_active u using (unit_code)
)

select * from final
