-- Year-to-date investment above over_plan_ratio × the annual plan (SPEC §4).
with params as (
    select * from run_params
),

rows as (
    select unit_code, 'R04' as return_code, project_name, annual_plan, ytd_completed, source_file, sheet, row_number, quarter
    from stg_major_projects
    union all
    select unit_code, 'R05', project_name, annual_plan, ytd_completed, source_file, sheet, row_number, quarter
    from stg_key_project_investment
    union all
    select unit_code, 'R08', project_name, annual_plan, ytd_completed, source_file, sheet, row_number, quarter
    from stg_program_982
),

final as (
    select
        r.unit_code,
        r.return_code,
        'over_plan' as flag,
        format('项目「{}」本年累计完成投资{}万元，超过本年计划投资{}万元的{}倍', r.project_name,
               r.ytd_completed::double, r.annual_plan::double, p.over_plan_ratio::double) as detail,
        r.source_file,
        r.sheet,
        r.row_number
    from rows r, params p
    where r.quarter = p.quarter
      -- widened first: decimal(9, 4) × decimal(18, 4) is a decimal(18, 8), which overflows from 1e10 万元
      and r.ytd_completed > p.over_plan_ratio::decimal(38, 4) * r.annual_plan
)

select * from final
