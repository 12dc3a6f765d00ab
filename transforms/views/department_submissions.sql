-- Each department's submission record per quarter: every return it owns, whether it was sent and
-- what became of it, and any file it sent that is not one of its returns.
-- Built only from what a run stores today (source_files, rejected_rows) and from the returns'
-- owners in schemas/returns.toml, rendered in as {owned_returns} and {departments}. A file not
-- recognised as a return counts for the return it was guessed to be (source_files.guessed_return_code),
-- as in table submissions: an unreadable R04 is R04 整表退回, not R04 未报 plus a stray file. Only quarters
-- that were published appear (a failed run stores no files). Receipt times, due dates and lateness
-- are in the submissions table (SPEC §12), written by every run, failed ones included.
create or replace view department_submissions as
with owned (return_code, return_title, department, period_kind) as (
    values {owned_returns}
),

departments (department, department_name) as (
    values {departments}
),

attributed as (
    select *, coalesce(return_code, guessed_return_code) as counted_as
    from source_files
),

files as (
    select quarter, department, counted_as as return_code,
           cast(count(*) as integer) as files,
           cast(count(*) filter (where status = 'loaded') as integer) as files_loaded,
           cast(count(*) filter (where status = 'rejected') as integer) as files_rejected,
           cast(sum(rows_read) as integer) as rows_read,
           cast(sum(rows_loaded) as integer) as rows_loaded,
           cast(sum(rows_rejected) as integer) as rows_rejected,
           cast(sum(rows_skipped) as integer) as rows_skipped,
           string_agg(path, '；' order by path) as paths
    from attributed
    group by quarter, department, counted_as
),

whole_file_reasons as (
    -- a file rejected whole before it was recognised has no return_code in rejected_rows either
    select r.quarter, r.department, coalesce(r.return_code, a.guessed_return_code) as return_code,
           string_agg(distinct r.message, '；' order by r.message) as reasons
    from rejected_rows r
    left join attributed a on a.quarter = r.quarter and a.path = r.source_file and a.sha256 = r.sha256
    where r.row_number is null
    group by r.quarter, r.department, coalesce(r.return_code, a.guessed_return_code)
),

expected as (
    -- a quarter expects the quarterly returns, a half year (YYYYHn) its review's R12
    select q.quarter, o.department, o.return_code
    from (select distinct quarter from source_files) q
    join owned o on o.period_kind = case when q.quarter like '____H_' then 'half_year' else 'quarter' end
),

keyed as (
    select quarter, department, return_code from expected
    union
    select quarter, department, return_code from files
)

select
    k.quarter,
    k.department,
    d.department_name,
    k.return_code,
    o.return_title,
    o.department is not distinct from k.department as owner,
    case when f.files is null then '未报'
         when f.files_loaded = 0 then '整表退回'
         when f.files_rejected > 0 or f.rows_rejected > 0 then '部分退回'
         else '已入库' end as state,
    coalesce(f.files, 0) as files,
    coalesce(f.files_rejected, 0) as files_rejected,
    coalesce(f.rows_read, 0) as rows_read,
    coalesce(f.rows_loaded, 0) as rows_loaded,
    coalesce(f.rows_rejected, 0) as rows_rejected,
    coalesce(f.rows_skipped, 0) as rows_skipped,
    f.paths,
    w.reasons as rejected_whole_because
from keyed k
left join files f
       on f.quarter = k.quarter and f.department is not distinct from k.department
      and f.return_code is not distinct from k.return_code
left join whole_file_reasons w
       on w.quarter = k.quarter and w.department is not distinct from k.department
      and w.return_code is not distinct from k.return_code
left join departments d on d.department = k.department
left join (select return_code, any_value(return_title) as return_title, any_value(department) as department
           from owned group by return_code) o
       on o.return_code = k.return_code;

comment on view department_submissions is 'Analyst view: each department''s submission record per published quarter — every return it owns (未报, 整表退回, 部分退回 or 已入库) and any file it sent that is not its own, from source_files and rejected_rows; an unrecognised file counts for the return it was guessed to be. Receipt times, due dates and working days late: table submissions.';
comment on column department_submissions.quarter is 'Quarter, or half year (YYYYHn) of an on-site review, whose only return is R12.';
comment on column department_submissions.department is 'Department folder code (fgw, czj, tjj, swj, zwfw, zdxmb).';
comment on column department_submissions.department_name is 'Department name, e.g. 市发展改革委.';
comment on column department_submissions.return_code is 'Return R01 … R12: the one its files were recognised as, or, for a file not recognised, the one it was guessed to be (source_files.guessed_return_code); null for a file neither recognised nor attributable to a return.';
comment on column department_submissions.return_title is 'Return title, e.g. 项目谋划储备.';
comment on column department_submissions.owner is 'True when the department owns the return (only the owner may send it); false for a file sent by another department.';
comment on column department_submissions.state is '未报 (no file), 整表退回 (every file rejected whole), 部分退回 (loaded, with rows or another file rejected), 已入库 (loaded, nothing rejected).';
comment on column department_submissions.files is 'Files received for the return.';
comment on column department_submissions.files_rejected is 'Files rejected whole.';
comment on column department_submissions.rows_read is 'Rows below the header, over all its files.';
comment on column department_submissions.rows_loaded is 'Rows loaded into staging.';
comment on column department_submissions.rows_rejected is 'Rows rejected (see rejected_rows).';
comment on column department_submissions.rows_skipped is 'Rows skipped: blank, 合计/小计, notes, template examples.';
comment on column department_submissions.paths is 'The files, relative to the raw folder, separated by ；.';
comment on column department_submissions.rejected_whole_because is 'Why files were rejected whole, in Chinese (from rejected_rows).';
