-- Rank movement and streaks (SPEC §6) for every stored quarter, recomputed whole on each publish so a
-- re-run or an out-of-order quarter also corrects the quarters after it. Reads main.quarter_results
-- explicitly: build.quarter_results holds only the quarter being run.
with results as (
    select
        quarter,
        unit_code,
        unit_group,
        group_rank,
        -- consecutive quarters have consecutive numbers, so 2020Q1 follows 2019Q4
        cast(left(quarter, 4) as integer) * 4 + cast(right(quarter, 1) as integer) - 1 as seq,
        group_rank = 1 as is_first,
        -- last = the group's worst rank, ties included; a group of one unit has no last
        group_rank = max(group_rank) over (partition by quarter, unit_group)
            and count(*) over (partition by quarter, unit_group) > 1 as is_last
    from main.quarter_results
),

moved as (
    select
        r.*,
        -- a rank is only comparable within the same group
        p.group_rank - r.group_rank as rank_change
    from results r
    left join results p
           on p.unit_code = r.unit_code and p.unit_group = r.unit_group and p.seq = r.seq - 1
),

-- gaps and islands: within one unit and group, an unbroken run of first (or last) quarters keeps
-- seq − row_number constant, and a missing quarter or a quarter not first breaks it
islands as (
    select
        *,
        seq - row_number() over (partition by unit_code, unit_group, is_first order by seq) as first_run,
        seq - row_number() over (partition by unit_code, unit_group, is_last order by seq) as last_run
    from moved
)

select
    quarter,
    unit_code,
    rank_change::integer as rank_change,
    case when is_first
         then count(*) over (partition by unit_code, unit_group, is_first, first_run order by seq
                             rows between unbounded preceding and current row)
         else 0 end::integer as streak_first,
    case when is_last
         then count(*) over (partition by unit_code, unit_group, is_last, last_run order by seq
                             rows between unbounded preceding and current row)
         else 0 end::integer as streak_last
from islands
