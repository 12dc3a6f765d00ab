-- Year-to-date money that went down since the previous period of the same year (SPEC §4): the
-- previous quarter, or for a dispatch the previous month (SPEC §9).
-- R04 projects are matched by project code; the other returns by unit and project name.
with params as (
    select * from run_params
),

money as (
    select quarter, unit_code, 'R04' as return_code, project_code as project_key, project_name,
           '本年累计完成投资' as what, ytd_completed as amount, source_file, sheet, row_number
    from stg_major_projects
    union all
    select quarter, unit_code, 'R05', project_name, project_name, '本年累计完成投资', ytd_completed, source_file, sheet, row_number
    from stg_key_project_investment
    union all
    select quarter, unit_code, 'R08', project_name, project_name, '本年累计完成投资', ytd_completed, source_file, sheet, row_number
    from stg_program_982
    union all
    select quarter, unit_code, 'R06', project_name, project_name, '已支付资金', paid, source_file, sheet, row_number
    from stg_central_budget
    union all
    select quarter, unit_code, 'R07', project_name, project_name, '已支出', spent, source_file, sheet, row_number
    from stg_special_bonds
    union all
    select quarter, unit_code, 'R02', project_name, project_name, '实际到位资金', paid_in, source_file, sheet, row_number
    from stg_investment_attraction
),

now_ as (
    select m.* from money m, params p where m.quarter = p.quarter
),

before as (
    select return_code, unit_code, project_key, sum(amount) as amount
    from money m, params p
    where m.quarter = p.previous_quarter
    group by all
),

final as (
    select
        n.unit_code,
        n.return_code,
        'cumulative_decrease' as flag,
        format('项目「{}」{}为{}万元，低于{}的{}万元', n.project_name, n.what, n.amount::double, p.previous_label,
               b.amount::double) as detail,
        n.source_file,
        n.sheet,
        n.row_number
    from now_ n
    join before b using (return_code, unit_code, project_key)
    cross join params p
    where n.amount < b.amount
)

select * from final
