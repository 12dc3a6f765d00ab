-- Ranking within each group and the first/last rewards with the tie-break of SPEC §6, shared by
-- the quarterly and the annual results. `src` names a table with unit_code, unit_group, total and
-- tb_key: the unit's category scores listed in the rubric's tie-break order (compared as lists).
create or replace temp macro rank_and_reward(src, first_yuan, last_yuan) as table
with ranked as (
    select
        *,
        rank() over (partition by unit_group order by total desc) as group_rank,
        count(*) over (partition by unit_group) as group_size,
        max(total) over (partition by unit_group) as best_total,
        min(total) over (partition by unit_group) as worst_total
    from query_table(src)
),

keyed as (
    select
        *,
        max(tb_key) filter (where total = best_total) over (partition by unit_group) as best_key,
        min(tb_key) filter (where total = worst_total) over (partition by unit_group) as worst_key
    from ranked
),

marked as (
    select
        *,
        group_size > 1 and total = best_total and tb_key = best_key as is_first,
        group_size > 1 and total = worst_total and tb_key = worst_key as is_last
    from keyed
),

counted as (
    select
        *,
        count(*) filter (where is_first) over (partition by unit_group) as n_first,
        count(*) filter (where is_last) over (partition by unit_group) as n_last
    from marked
)

select
    * exclude (tb_key, group_size, best_total, worst_total, best_key, worst_key, is_first, is_last, n_first, n_last),
    -- a unit both first and last: the whole group is tied on the total and every tie-break category,
    -- and nobody gets an amount, whatever the first and last amounts are (SPEC §6)
    (case when is_first and is_last then 0
          else case when is_first then first_yuan else 0 end + case when is_last then last_yuan else 0 end
     end)::bigint as reward_yuan,
    (is_first and n_first > 1) or (is_last and n_last > 1) as tie
from counted
