-- R11 政策措施文件 → D1 (放管服改革), D2 (推进项目): grade points of documents issued YTD.
with params as (
    select * from run_params
),

documents as (
    select d.*, g.points as grade_points
    from stg_policy_documents d
    cross join params p
    join rubric_grades g on g.grade = d.grade
    where d.quarter = p.quarter and d.issued_on between p.year_start and p.quarter_end
),

per_unit as (
    select
        u.unit_code,
        coalesce(sum(d.grade_points) filter (where d.category = '放管服改革'), 0) as reform_points,
        coalesce(sum(d.grade_points) filter (where d.category = '推进项目'), 0) as project_points
    from units_active u
    left join documents d on d.unit_code = u.unit_code
    group by u.unit_code
),

final as (
    select unit_code, 'reform_document_grades' as metric, reform_points as num, 1 as den from per_unit
    union all select unit_code, 'project_document_grades', project_points, 1 from per_unit
)

select * from final
