-- R09 联审联批事项 → D3.
with params as (
    select * from run_params
),

items as (
    select
        a.*,
        a.due_on between p.year_start and p.quarter_end as due_ytd,
        a.completed_on between p.year_start and p.quarter_end as completed_ytd,
        -- working days after acceptance up to and including completion (SPEC §2)
        done.workday_index - accepted.workday_index as workdays
    from stg_joint_approvals a
    cross join params p
    left join calendar_days accepted on accepted.day = a.accepted_on
    left join calendar_days done on done.day = a.completed_on
    where a.quarter = p.quarter
),

per_unit as (
    select
        u.unit_code,
        count(a.row_number) filter (where a.due_ytd) as due_count,
        -- an item finished early but due later does not count
        count(a.row_number) filter (where a.due_ytd and a.completed_on <= p.quarter_end) as done_count,
        count(a.row_number) filter (where a.completed_ytd) as completed_count,
        count(a.row_number) filter (where a.completed_ytd and a.workdays <= p.approval_workday_limit) as fast_count
    from units_active u
    cross join params p
    left join items a on a.unit_code = u.unit_code
    group by u.unit_code
),

final as (
    select unit_code, 'approvals_completed_on_time' as metric, done_count as num, due_count as den from per_unit
    union all select unit_code, 'approvals_within_workdays', fast_count, completed_count from per_unit
)

select * from final
