-- A dispatch's indicator points: the generic model's rows (indicator_scores, scored over the month's
-- window with the monthly time progress), keyed by the month. The columns are named, so a column
-- added to indicator_scores for the quarters does not change this table.
select
    quarter as month,
    unit_code,
    unit_group,
    indicator_code,
    category_code,
    rubric_version,
    metric_1,
    numerator_1,
    denominator_1,
    basis_1,
    points_1,
    metric_2,
    numerator_2,
    denominator_2,
    basis_2,
    points_2,
    deduction,
    points,
    max_points,
    flags
from indicator_scores
