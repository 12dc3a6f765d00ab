-- 红灯/黄灯 of a dispatch (SPEC §9) for each unit and part, decided in exact arithmetic on the
-- parts' fractions (part_points) against the rubric's thresholds (dispatch_params, each a
-- fraction *_n / *_d). Amber and red rows only; the pipeline words each one (dispatch_warnings.detail).
--   progress   ratio = r / target = (n/d) / (target_n/target_d), unclamped: ≥ 1 none,
--              ≥ amber_ratio amber, below red; no denominator → no ratio, no warning
--   relative   ratio = the part's unrounded points / share (v / the group maximum, before C2's
--              deduction): < relative_red red, < relative_amber amber
--   threshold  0 points: red, ratio 0
-- A part whose return is missing has nothing to judge: it scores 0 with missing_return, no warning.
with params as (
    select * from run_params
),

t as (
    select * from dispatch_params
),

parts as (
    select
        pp.*,
        -- who leads the group on the part (relative), for the wording; of several, the first code
        min(pp.unit_code) filter (where pp.v = pp.v_max) over (
            partition by pp.unit_group, pp.indicator_code, pp.part_no) as leader_code
    from part_points pp
),

judged as (
    select
        p.*,
        case
            when p.source_missing then null
            when p.method = 'progress' then
                case when p.d is null or p.d = 0 then null
                     when p.n * p.target_d >= p.d * p.target_n then null
                     when p.n * p.target_d * t.amber_ratio_d >= t.amber_ratio_n * p.d * p.target_n then 'amber'
                     else 'red' end
            when p.method = 'relative' then
                case when p.pf.n * 10000 * t.relative_red_d < t.relative_red_n * p.pf.d * p.share_n then 'red'
                     when p.pf.n * 10000 * t.relative_amber_d < t.relative_amber_n * p.pf.d * p.share_n then 'amber'
                end
            when p.method = 'threshold' then case when p.pf.n = 0 then 'red' end
        end as level
    from parts p, t
),

final as (
    select
        params.quarter as month,
        j.unit_code,
        j.unit_group,
        j.indicator_code,
        j.part_no as part,
        j.method,
        j.level,
        case j.method
            when 'progress' then (j.n * j.target_d)::double / (j.d * j.target_n)::double
            when 'relative' then (j.pf.n * 10000)::double / (j.pf.d * j.share_n)::double
            else 0
        end as ratio,
        j.num,
        j.den,
        j.v as value,
        j.basis,
        j.share,
        -- what catching up in full would add: the share less the part's unrounded points
        j.share::double - j.pf.n::double / j.pf.d::double as points_behind,
        j.min_count,
        j.leader_code,
        -- progress: what would bring num up to target × den, in the metric's unit, rounded up to a cent:
        -- target × den − num = (target_n·d − n·target_d) / (target_d·10⁴)
        case when j.method = 'progress' then
            ((((j.target_n * j.d - j.n * j.target_d) * 100 + j.target_d * 10000 - 1) // (j.target_d * 10000))::decimal(38, 0)
             / 100)::decimal(38, 2)
        end as gap
    from judged j, params
    where j.level is not null
)

select * from final
