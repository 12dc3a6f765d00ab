-- 开而未动: a 新开工 project started this year with nothing invested yet (SPEC §4).
with params as (
    select * from run_params
),

final as (
    select
        m.unit_code,
        'R04' as return_code,
        'suspect_start' as flag,
        format('项目「{}」({})于{}开工，但本年累计完成投资为0，疑似开而未动', m.project_name, m.project_code, m.started_on) as detail,
        m.source_file,
        m.sheet,
        m.row_number
    from stg_major_projects m, params p
    where m.quarter = p.quarter
      and m.nature = '新开工'
      and m.started_on between p.year_start and p.quarter_end
      and m.ytd_completed = 0
)

select * from final
