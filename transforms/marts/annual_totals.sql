-- Annual composite (SPEC §6): the total is the weighted mean of the stored quarterly totals, rounded
-- to 2 decimals half up in exact integer arithmetic (cents × weight scaled by 10^4); the category
-- scores and the tie-break key come from annual_category_scores.
with quarters as (
    select q.*, w.weight
    from main.quarter_results q
    join annual_weights w using (quarter)
),

sums as (
    select
        unit_code,
        sum((total * 100)::hugeint * (weight * 10000)::hugeint) as t_n,
        sum((weight * 10000)::hugeint) as w_n,
        string_agg(quarter, ',' order by quarter) as quarters_used,
        bool_or(status <> 'final') as any_provisional,
        count(*) as n_quarters
    from quarters
    group by unit_code
),

categories as (
    select
        c.unit_code,
        max(c.score) filter (where c.category_code = 'A') as score_a,
        max(c.score) filter (where c.category_code = 'B') as score_b,
        max(c.score) filter (where c.category_code = 'C') as score_c,
        max(c.score) filter (where c.category_code = 'D') as score_d,
        -- a category of an earlier quarter's rubric that the current one lacks goes last
        list(c.score order by r.tie_break_rank nulls last, c.category_code) as tb_key
    from annual_category_scores c
    left join rubric_categories r using (category_code)
    group by c.unit_code
),

final as (
    select
        s.unit_code,
        u.unit_group,
        c.score_a,
        c.score_b,
        c.score_c,
        c.score_d,
        round_half_up_cents(s.t_n, s.w_n) as total,
        c.tb_key,
        s.quarters_used,
        s.any_provisional or s.n_quarters < 4 as provisional
    from sums s
    join units_active u using (unit_code)
    join categories c using (unit_code)
)

select * from final
