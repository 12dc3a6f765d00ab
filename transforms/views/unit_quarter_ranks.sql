-- Each unit's total and rank in every stored quarter, against the quarter before it (SPEC §6 rank
-- movement: the previous quarter of the same year; for a Q1 the previous year's Q4 when stored).
-- A view over quarter_results, so it is always as current as the results it reads; the movement itself
-- is quarter_results.rank_change (computed once, by transforms/marts/quarter_movement.sql).
create or replace view unit_quarter_ranks as
with results as (
    select r.*,
           cast(left(r.quarter, 4) as integer) as year,
           cast(right(r.quarter, 1) as integer) as quarter_no
    from quarter_results r
),

sized as (
    select *,
           cast(count(*) over (partition by quarter, unit_group) as integer) as group_size,
           case when quarter_no = 1 then cast(year - 1 as varchar) || 'Q4'
                else cast(year as varchar) || 'Q' || cast(quarter_no - 1 as varchar) end as previous_quarter
    from results
)

select
    s.quarter,
    s.year,
    s.quarter_no,
    s.unit_code,
    s.unit_name,
    s.unit_group,
    u.group_label,
    s.total,
    s.group_rank,
    s.group_size,
    s.reward_yuan,
    s.status,
    p.quarter as previous_quarter,
    p.total as previous_total,
    p.group_rank as previous_rank,
    s.rank_change,
    s.total - p.total as total_change,
    case when s.rank_change is null then null
         when s.rank_change > 0 then '进位'
         when s.rank_change < 0 then '退位'
         else '持平' end as movement,
    s.streak_first,
    s.streak_last
from sized s
left join units u on u.unit_code = s.unit_code
-- a rank is only comparable within the same group: a unit that changed group has no movement
left join quarter_results p
       on p.quarter = s.previous_quarter and p.unit_code = s.unit_code and p.unit_group = s.unit_group;

comment on view unit_quarter_ranks is 'Analyst view: every unit''s total and rank within its group in each stored quarter, with the movement since the quarter before (from quarter_results).';
comment on column unit_quarter_ranks.quarter is 'Quarter, written YYYYQn.';
comment on column unit_quarter_ranks.year is 'Year of the quarter.';
comment on column unit_quarter_ranks.quarter_no is 'Quarter of the year, 1 … 4.';
comment on column unit_quarter_ranks.unit_code is 'Unit (units.unit_code).';
comment on column unit_quarter_ranks.unit_name is 'Unit name.';
comment on column unit_quarter_ranks.unit_group is 'Ranking group: county or district.';
comment on column unit_quarter_ranks.group_label is 'Ranking group as printed in the bulletin, e.g. 县(市)组.';
comment on column unit_quarter_ranks.total is 'Total out of 100.';
comment on column unit_quarter_ranks.group_rank is 'Rank within the group (1 = first); tied units share the better rank.';
comment on column unit_quarter_ranks.group_size is 'Number of units ranked in the group that quarter.';
comment on column unit_quarter_ranks.reward_yuan is 'Reward (+) or deduction (−) in yuan.';
comment on column unit_quarter_ranks.status is 'final, or provisional (a return was missing).';
comment on column unit_quarter_ranks.previous_quarter is 'The quarter compared with (the one before; for Q1 the previous year''s Q4), null when it is not stored or the unit was in another group.';
comment on column unit_quarter_ranks.previous_total is 'Total in the previous quarter.';
comment on column unit_quarter_ranks.previous_rank is 'Rank within the group in the previous quarter.';
comment on column unit_quarter_ranks.rank_change is 'quarter_results.rank_change: previous_rank − group_rank, positive = moved up (进位), negative = moved down (退位), null without a previous quarter.';
comment on column unit_quarter_ranks.total_change is 'total − previous_total.';
comment on column unit_quarter_ranks.movement is '进位 (moved up), 退位 (moved down) or 持平 (same rank); null without a previous quarter.';
comment on column unit_quarter_ranks.streak_first is 'quarter_results.streak_first: consecutive quarters up to this one the unit was first of its group; 0 when not first.';
comment on column unit_quarter_ranks.streak_last is 'quarter_results.streak_last: consecutive quarters up to this one the unit was last of its group; 0 when not last.';
