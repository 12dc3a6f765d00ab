-- One project code reported under two units (SPEC §4).
with params as (
    select * from run_params
),

codes as (
    select unit_code, 'R04' as return_code, project_code, project_name, source_file, sheet, row_number, quarter
    from stg_major_projects
    union all
    select unit_code, 'R01', project_code, project_name, source_file, sheet, row_number, quarter
    from stg_project_reserve
),

current_codes as (
    select c.* from codes c, params p where c.quarter = p.quarter and c.project_code is not null
),

shared as (
    select return_code, project_code, string_agg(distinct unit_code, '、' order by unit_code) as units
    from current_codes
    group by return_code, project_code
    having count(distinct unit_code) > 1
),

final as (
    select
        c.unit_code,
        c.return_code,
        'duplicate_project' as flag,
        format('项目代码{}同时出现在多个县(市、区)：{}', c.project_code, s.units) as detail,
        c.source_file,
        c.sheet,
        c.row_number
    from current_codes c
    join shared s using (return_code, project_code)
)

select * from final
