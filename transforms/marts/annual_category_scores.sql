-- Each category's annual score (SPEC §6): the weighted mean of its stored quarterly scores, rounded
-- to 2 decimals half up in exact integer arithmetic (cents × weight scaled by 10^4), as the total.
select
    p.year,
    c.unit_code,
    c.category_code,
    round_half_up_cents(sum((c.score * 100)::hugeint * (w.weight * 10000)::hugeint),
                        sum((w.weight * 10000)::hugeint)) as score
from main.category_scores c
join annual_weights w using (quarter)
join units_active u using (unit_code)
cross join annual_params p
group by p.year, c.unit_code, c.category_code
