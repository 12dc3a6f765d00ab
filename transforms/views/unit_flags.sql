-- The 数据核查 and scoring flags of each unit in each quarter, counted per flag, with the Chinese
-- label of the bulletin (rendered in as {flag_labels}) and every detail.
create or replace view unit_flags as
with labels (flag, flag_label) as (
    values {flag_labels}
)

select
    f.quarter,
    f.unit_code,
    u.unit_name,
    u.unit_group,
    f.flag,
    coalesce(l.flag_label, f.flag) as flag_label,
    cast(count(*) as integer) as flag_count,
    string_agg(distinct f.return_code, ',' order by f.return_code) as return_codes,
    string_agg(f.detail, '；' order by f.source_file, f.row_number, f.detail) as details
from data_flags f
left join units u on u.unit_code = f.unit_code
left join labels l on l.flag = f.flag
group by f.quarter, f.unit_code, u.unit_name, u.unit_group, f.flag, l.flag_label;

comment on view unit_flags is 'Analyst view: how many times each flag was raised for each unit in each quarter, with its label and details (from data_flags). A flag that concerns no one unit (missing_return) has unit_code null.';
comment on column unit_flags.quarter is 'Quarter, or half year (YYYYHn) for the review''s flags.';
comment on column unit_flags.unit_code is 'Unit (units.unit_code); null for a flag on the whole quarter, e.g. a missing return.';
comment on column unit_flags.unit_name is 'Unit name.';
comment on column unit_flags.unit_group is 'Ranking group.';
comment on column unit_flags.flag is 'Flag code: suspect_start, cumulative_decrease, total_mismatch, over_plan, duplicate_project, missing_return, missing_assessment, no_base, tie; the review''s not_reviewed and outlier_assessor (its detail names the assessor; unit_code null).';
comment on column unit_flags.flag_label is 'The flag as the bulletin prints it, e.g. 开而未动.';
comment on column unit_flags.flag_count is 'How many times the flag was raised (rows, projects or indicators concerned).';
comment on column unit_flags.return_codes is 'Returns concerned, comma-separated.';
comment on column unit_flags.details is 'What was found, in Chinese, separated by ；.';
