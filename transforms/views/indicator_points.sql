-- Points in long form: one row per quarter, unit and indicator, with the names and maxima an
-- analyst otherwise joins from rubric_indicators and units.
create or replace view indicator_points as
with categories as (
    select rubric_version, category_code, cast(sum(max_points) as decimal(6, 2)) as category_max_points
    from rubric_indicators
    group by rubric_version, category_code
)

select
    s.quarter,
    s.unit_code,
    u.unit_name,
    s.unit_group,
    s.category_code,
    r.category_name,
    c.category_max_points,
    s.indicator_code,
    r.name as indicator_name,
    s.points,
    s.max_points,
    s.max_points - s.points as points_lost,
    cast(case when s.max_points > 0 then s.points / s.max_points end as decimal(5, 4)) as score_rate,
    cast(rank() over (partition by s.quarter, s.unit_group, s.indicator_code order by s.points desc) as integer)
        as indicator_rank,
    s.deduction,
    s.flags,
    s.rubric_version
from indicator_scores s
left join units u on u.unit_code = s.unit_code
left join rubric_indicators r on r.rubric_version = s.rubric_version and r.indicator_code = s.indicator_code
left join categories c on c.rubric_version = s.rubric_version and c.category_code = s.category_code;

comment on view indicator_points is 'Analyst view: the points of every unit on every indicator in every quarter, in long form, with indicator and category names and maxima (indicator_scores joined to rubric_indicators and units).';
comment on column indicator_points.quarter is 'Quarter, written YYYYQn.';
comment on column indicator_points.unit_code is 'Unit (units.unit_code).';
comment on column indicator_points.unit_name is 'Unit name.';
comment on column indicator_points.unit_group is 'Ranking group of the unit that year.';
comment on column indicator_points.category_code is 'Category code as the rubric defines it (A, B, C, D in the plan; a rubric may add more).';
comment on column indicator_points.category_name is 'Category name, e.g. 比谋划看储备.';
comment on column indicator_points.category_max_points is 'Maximum points of the category (sum of its indicators'' maxima).';
comment on column indicator_points.indicator_code is 'Indicator code A1 … D3.';
comment on column indicator_points.indicator_name is 'Indicator name as in the city plan.';
comment on column indicator_points.points is 'Points earned, rounded to 2 decimals half up.';
comment on column indicator_points.max_points is 'Maximum points of the indicator.';
comment on column indicator_points.points_lost is 'max_points − points.';
comment on column indicator_points.score_rate is 'points ÷ max_points, to 4 decimals.';
comment on column indicator_points.indicator_rank is 'Rank of the unit''s points on this indicator within its group that quarter (1 = most; ties share the better rank).';
comment on column indicator_points.deduction is 'Points deducted before rounding (C2: 0.5 per suspected fake start).';
comment on column indicator_points.flags is 'Comma-separated scoring flags: no_base, missing_assessment, missing_return.';
comment on column indicator_points.rubric_version is 'Rubric version used.';
