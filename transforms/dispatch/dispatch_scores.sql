-- A dispatch's indicator points: the generic model's rows (indicator_scores, scored over the month's
-- window with the monthly time progress), keyed by the month.
select * rename (quarter as month)
from indicator_scores
