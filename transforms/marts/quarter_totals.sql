-- Each unit's total and tie-break key from the long category_scores: the total is the sum over every
-- category of the rubric, the key lists the category scores in the rubric's tie-break order.
-- score_a … score_d are the contract's columns for categories A–D (the rubric must define them).
select
    c.unit_code,
    u.unit_group,
    max(c.score) filter (where c.category_code = 'A') as score_a,
    max(c.score) filter (where c.category_code = 'B') as score_b,
    max(c.score) filter (where c.category_code = 'C') as score_c,
    max(c.score) filter (where c.category_code = 'D') as score_d,
    sum(c.score)::decimal(7, 2) as total,
    list(c.score order by r.tie_break_rank) as tb_key
from category_scores c
join units_active u using (unit_code)
join rubric_categories r using (category_code)
group by c.unit_code, u.unit_group
