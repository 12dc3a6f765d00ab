-- The annual total with the on-site review (SPEC §11): (1 − w) × the quarterly composite (the
-- rounded annual_totals.total) + w × the mean of the unit's review totals in the year (the half years
-- in which it has one), rounded once to 2 decimals half up; a unit with no review total keeps its
-- composite. w = annual_review_weight, scaled by 10^4; scores are whole cents, so it is exact:
--   total = ((10^4 − W) · C · k + W · Σ R) / (10^4 · k)   cents, k = the number of review totals.
-- Category scores stay the quarterly means; the ranking and rewards then follow this total.
with params as (
    select * from annual_params
),

reviews as (
    select
        r.unit_code,
        sum((r.total * 100)::hugeint) as r_c,
        count(*)::hugeint as k,
        string_agg(r.period, ',' order by r.period) as review_periods
    from main.review_results r
    cross join params p
    where r.period in (p.year || 'H1', p.year || 'H2') and r.total is not null
    group by r.unit_code
)

select
    t.* exclude (total),
    t.total as composite_total,
    case when r.unit_code is null then null else round_half_up_cents(r.r_c, r.k) end as review_total,
    r.review_periods,
    p.review_weight,
    case when r.unit_code is null then t.total
         else round_half_up_cents(
             (10000 - (p.review_weight * 10000)::hugeint) * (t.total * 100)::hugeint * r.k
                 + (p.review_weight * 10000)::hugeint * r.r_c,
             10000 * r.k)
    end::decimal(7, 2) as total
from annual_totals t
cross join params p
left join reviews r using (unit_code)
