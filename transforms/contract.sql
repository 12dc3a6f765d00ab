-- The public tables of SPEC §7. Names, columns and comments are a contract with analysts:
-- docs and tests read the comments back from the database.
create table if not exists units (
    unit_code varchar primary key,
    unit_name varchar not null,
    unit_group varchar not null,
    group_label varchar not null,
    valid_from integer,
    valid_to integer
);
comment on table units is '考评单位 registry: every county, county-level city and district that can be scored, with its ranking group.';
comment on column units.unit_code is 'National division code (e.g. 410581).';
comment on column units.unit_name is 'Canonical Simplified Chinese name (e.g. 林州市).';
comment on column units.unit_group is 'Ranking group code: county (县(市)组) or district (区组).';
comment on column units.group_label is 'Ranking group as printed in the bulletin.';
comment on column units.valid_from is 'First year the unit is scored (null: always).';
comment on column units.valid_to is 'Last year the unit is scored (null: still scored).';

create table if not exists rubric_indicators (
    rubric_version varchar not null,
    indicator_code varchar not null,
    category_code varchar not null,
    category_name varchar not null,
    name varchar not null,
    max_points decimal(6, 2) not null,
    methods varchar not null,
    sources varchar not null,
    primary key (rubric_version, indicator_code)
);
comment on table rubric_indicators is 'The 20 indicators of each rubric version used by a run, with their maximum points.';
comment on column rubric_indicators.rubric_version is 'Rubric version (e.g. 2020.1), as recorded in pipeline_runs.';
comment on column rubric_indicators.indicator_code is 'Indicator code A1 … D3.';
comment on column rubric_indicators.category_code is 'Category code as the rubric defines it (A, B, C, D in the plan; a rubric may add more).';
comment on column rubric_indicators.category_name is 'Category name, e.g. 比谋划看储备.';
comment on column rubric_indicators.name is 'Indicator name as in the city plan.';
comment on column rubric_indicators.max_points is 'Maximum points of the indicator.';
comment on column rubric_indicators.methods is 'Scoring method of each part (assessor, relative, progress, threshold, graded), in part order.';
comment on column rubric_indicators.sources is 'Return code(s) the indicator is computed from.';

create table if not exists indicator_scores (
    quarter varchar not null,
    unit_code varchar not null,
    unit_group varchar not null,
    indicator_code varchar not null,
    category_code varchar not null,
    rubric_version varchar not null,
    metric_1 double,
    numerator_1 decimal(38, 4),
    denominator_1 decimal(38, 4),
    basis_1 double,
    points_1 double,
    metric_2 double,
    numerator_2 decimal(38, 4),
    denominator_2 decimal(38, 4),
    basis_2 double,
    points_2 double,
    deduction decimal(6, 2) not null,
    points decimal(6, 2) not null,
    max_points decimal(6, 2) not null,
    flags varchar,
    primary key (quarter, unit_code, indicator_code)
);
comment on table indicator_scores is 'Points of every unit on every indicator in every quarter, with the metric values they came from.';
comment on column indicator_scores.quarter is 'Quarter, written YYYYQn.';
comment on column indicator_scores.unit_code is 'Unit (units.unit_code).';
comment on column indicator_scores.unit_group is 'Ranking group of the unit that year.';
comment on column indicator_scores.indicator_code is 'Indicator (rubric_indicators.indicator_code).';
comment on column indicator_scores.category_code is 'Category of the indicator.';
comment on column indicator_scores.rubric_version is 'Rubric version used.';
comment on column indicator_scores.metric_1 is 'Metric of part 1: a count, a sum in 万元, a share or a rate (numerator ÷ denominator).';
comment on column indicator_scores.numerator_1 is 'Numerator of the part 1 metric: the count or sum (万元) itself, or the top of a share or rate.';
comment on column indicator_scores.denominator_1 is 'Denominator of the part 1 metric: 1 for a count or sum, else the base of the share or rate (0: nothing to measure).';
comment on column indicator_scores.basis_1 is 'What part 1 was measured against: the group maximum (relative), the target (progress), the minimum count (threshold); null otherwise.';
comment on column indicator_scores.points_1 is 'Unrounded points of part 1.';
comment on column indicator_scores.metric_2 is 'Metric of part 2, if the indicator has two parts.';
comment on column indicator_scores.numerator_2 is 'Numerator of the part 2 metric.';
comment on column indicator_scores.denominator_2 is 'Denominator of the part 2 metric.';
comment on column indicator_scores.basis_2 is 'Basis of part 2 (see basis_1).';
comment on column indicator_scores.points_2 is 'Unrounded points of part 2.';
comment on column indicator_scores.deduction is 'Points deducted before rounding (C2: 0.5 per suspected fake start).';
comment on column indicator_scores.points is 'Points earned, rounded to 2 decimals half up.';
comment on column indicator_scores.max_points is 'Maximum points of the indicator.';
comment on column indicator_scores.flags is 'Comma-separated scoring flags: no_base, missing_assessment, missing_return.';

create table if not exists category_scores (
    quarter varchar not null,
    unit_code varchar not null,
    category_code varchar not null,
    score decimal(7, 2) not null,
    primary key (quarter, unit_code, category_code)
);
comment on table category_scores is 'Score of every unit in every category of the rubric, every quarter: the long form that quarter_results.total and its score_a … score_d columns are taken from, and the only place a category the rubric adds beyond A–D is shown.';
comment on column category_scores.quarter is 'Quarter, written YYYYQn.';
comment on column category_scores.unit_code is 'Unit (units.unit_code).';
comment on column category_scores.category_code is 'Category (rubric_indicators.category_code).';
comment on column category_scores.score is 'Sum of the rounded points of the category''s indicators (indicator_scores.points).';

create table if not exists quarter_results (
    quarter varchar not null,
    unit_code varchar not null,
    unit_name varchar not null,
    unit_group varchar not null,
    score_a decimal(7, 2) not null,
    score_b decimal(7, 2) not null,
    score_c decimal(7, 2) not null,
    score_d decimal(7, 2) not null,
    total decimal(7, 2) not null,
    group_rank integer not null,
    reward_yuan bigint not null,
    tie boolean not null,
    status varchar not null,
    rubric_version varchar not null,
    rank_change integer,
    streak_first integer not null default 0,
    streak_last integer not null default 0,
    primary key (quarter, unit_code)
);
comment on table quarter_results is 'Quarterly result of every unit: category scores, total, rank within its group and reward.';
comment on column quarter_results.quarter is 'Quarter, written YYYYQn.';
comment on column quarter_results.unit_code is 'Unit (units.unit_code).';
comment on column quarter_results.unit_name is 'Unit name.';
comment on column quarter_results.unit_group is 'Ranking group: county or district.';
comment on column quarter_results.score_a is 'Category A (比谋划看储备 in the plan): category_scores.score of A, the sum of the rounded A indicator points.';
comment on column quarter_results.score_b is 'Category B (比招引看投资): category_scores.score of B.';
comment on column quarter_results.score_c is 'Category C (比开工看进度): category_scores.score of C.';
comment on column quarter_results.score_d is 'Category D (比服务看实效): category_scores.score of D.';
comment on column quarter_results.total is 'Total: the sum of the unit''s category_scores over every category of the rubric (score_a + score_b + score_c + score_d when the rubric has just these four), out of the rubric''s total_points.';
comment on column quarter_results.group_rank is 'Rank within the group by total; tied units share the better rank.';
comment on column quarter_results.reward_yuan is 'Reward (+) or deduction (−) in yuan: first of the group +200000, last −200000 by default.';
comment on column quarter_results.tie is 'True when a tie for first or last remained after the tie-break on the category scores in the rubric''s order (rewards.tie_break, e.g. C, A, B, D): the office decides.';
comment on column quarter_results.status is 'final, or provisional when a return was missing and the run was told to continue.';
comment on column quarter_results.rubric_version is 'Rubric version used.';
comment on column quarter_results.rank_change is 'Rank movement: previous group_rank − group_rank (positive = moved up, 进位; negative = moved down, 退位), against the previous quarter (for Q1 the previous year''s Q4); null when that quarter is not stored or the unit was in another group.';
comment on column quarter_results.streak_first is 'Consecutive quarters, up to and including this one, the unit was first of its group (group_rank 1, ties included); 0 when it is not first.';
comment on column quarter_results.streak_last is 'Consecutive quarters, up to and including this one, the unit was last of its group (the group''s worst group_rank, ties included; a group of one has no last); 0 when it is not last.';

create table if not exists annual_category_scores (
    year integer not null,
    unit_code varchar not null,
    category_code varchar not null,
    score decimal(7, 2) not null,
    primary key (year, unit_code, category_code)
);
comment on table annual_category_scores is 'Annual score of every unit in every category: the long form that annual_results'' score_a … score_d and its tie-break are taken from.';
comment on column annual_category_scores.year is 'Year.';
comment on column annual_category_scores.unit_code is 'Unit (units.unit_code).';
comment on column annual_category_scores.category_code is 'Category (rubric_indicators.category_code).';
comment on column annual_category_scores.score is 'Weighted mean of the quarterly category_scores.score, rounded to 2 decimals half up.';

create table if not exists annual_results (
    year integer not null,
    unit_code varchar not null,
    unit_name varchar not null,
    unit_group varchar not null,
    score_a decimal(7, 2) not null,
    score_b decimal(7, 2) not null,
    score_c decimal(7, 2) not null,
    score_d decimal(7, 2) not null,
    total decimal(7, 2) not null,
    group_rank integer not null,
    reward_yuan bigint not null,
    tie boolean not null,
    quarters_used varchar not null,
    status varchar not null,
    composite_total decimal(7, 2),
    review_total decimal(7, 2),
    review_periods varchar,
    review_weight decimal(5, 4),
    rank_change integer,
    draft_quarters varchar,
    primary key (year, unit_code)
);
comment on table annual_results is 'Annual composite: weighted means of the quarterly scores, combined with the year''s on-site review by annual_review_weight, ranked within each group.';
comment on column annual_results.year is 'Year.';
comment on column annual_results.unit_code is 'Unit (units.unit_code).';
comment on column annual_results.unit_name is 'Unit name.';
comment on column annual_results.unit_group is 'Ranking group.';
comment on column annual_results.score_a is 'Weighted mean of the quarterly score_a, rounded to 2 decimals half up (annual_category_scores.score of A).';
comment on column annual_results.score_b is 'Weighted mean of the quarterly score_b, rounded (annual_category_scores of B).';
comment on column annual_results.score_c is 'Weighted mean of the quarterly score_c, rounded (annual_category_scores of C).';
comment on column annual_results.score_d is 'Weighted mean of the quarterly score_d, rounded (annual_category_scores of D).';
comment on column annual_results.total is 'The ranked annual total: (1 − review_weight) × composite_total + review_weight × the unrounded mean of the year''s review totals, rounded once to 2 decimals half up; composite_total itself when review_weight is 0 (the default) or the unit has no review total.';
comment on column annual_results.group_rank is 'Rank within the group by total; tied units share the better rank.';
comment on column annual_results.reward_yuan is 'Annual reward (+500000 first) or deduction (−500000 last), in yuan.';
comment on column annual_results.tie is 'True when a tie for first or last remained after the tie-break.';
comment on column annual_results.quarters_used is 'The quarters that went into the mean, e.g. 2020Q1,2020Q2,2020Q3,2020Q4.';
comment on column annual_results.composite_total is 'The quarterly composite: weighted mean of the quarterly totals, rounded to 2 decimals half up. With a quarter missing, the mean of the quarters present (status provisional).';
comment on column annual_results.review_total is 'Mean of the unit''s review totals (review_results.total) in the year''s half years that have one, rounded to 2 decimals half up; null when the unit was not reviewed that year.';
comment on column annual_results.review_periods is 'The half years whose review totals went into review_total, e.g. 2020H1,2020H2.';
comment on column annual_results.review_weight is 'annual_review_weight of the rubric''s [review] (w): the review''s share of the annual total; 0 shows the review beside the ranking only.';
comment on column annual_results.status is 'final, provisional (a quarter missing or provisional), or stale (a quarter, or a half year''s review, was re-run after this was computed).';
comment on column annual_results.rank_change is 'Rank movement against the previous year: its group_rank − this group_rank (positive = 进位); null when that year is not stored or the unit was in another group.';
comment on column annual_results.draft_quarters is 'The quarters that went in as drafts, never published (e.g. 2020Q4); null when every quarter used is a published version (quarter_versions).';

create table if not exists rejected_rows (
    quarter varchar not null,
    department varchar,
    return_code varchar,
    source_file varchar not null,
    sha256 varchar,
    sheet varchar,
    row_number integer,
    column_name varchar,
    value varchar,
    message varchar not null,
    cell varchar,
    row_key varchar
);
comment on table rejected_rows is 'Every rejected row and every file rejected whole, with a message a clerk can act on.';
comment on column rejected_rows.quarter is 'Period the file was sent for: a quarter (YYYYQn), a half year (YYYYHn) for R12, or a month (YYYY-MM) for a dispatch.';
comment on column rejected_rows.department is 'Department folder code (fgw, czj, tjj, swj, zwfw, zdxmb).';
comment on column rejected_rows.return_code is 'Return the file was taken to be (R01 … R12), null if unrecognised.';
comment on column rejected_rows.source_file is 'File path relative to the raw folder.';
comment on column rejected_rows.sha256 is 'SHA-256 of the file content.';
comment on column rejected_rows.sheet is 'Sheet name.';
comment on column rejected_rows.row_number is 'Excel row number (1-based); null when the whole file was rejected.';
comment on column rejected_rows.column_name is 'Column header as the return defines it; null for a whole-row or whole-file problem.';
comment on column rejected_rows.value is 'The cell value as written.';
comment on column rejected_rows.message is 'What is wrong, in Chinese, naming file, sheet, row and column.';
comment on column rejected_rows.cell is 'The cell in Excel notation (e.g. E12), when the problem is one cell.';
comment on column rejected_rows.row_key is 'The rejected row''s key field as written (项目名称, 审批事项, 文件名称 or 指标: the return''s keys in schemas/returns.toml), naming the row to a clerk; null for a whole file or a row without one.';

create table if not exists data_flags (
    quarter varchar not null,
    unit_code varchar,
    return_code varchar,
    flag varchar not null,
    detail varchar,
    source_file varchar,
    sheet varchar,
    row_number integer
);
comment on table data_flags is '数据核查 flags: checks that do not reject a row but need a look (suspect_start, cumulative_decrease, total_mismatch, over_plan, duplicate_project), scoring flags (missing_return, tie; a dispatch''s carried_assessment), and the review''s not_reviewed and outlier_assessor (R12).';
comment on column data_flags.quarter is 'Period: a quarter (YYYYQn), a half year (YYYYHn) for the review''s flags, or a month (YYYY-MM) for a dispatch.';
comment on column data_flags.unit_code is 'Unit concerned, if any.';
comment on column data_flags.return_code is 'Return concerned, if any.';
comment on column data_flags.flag is 'Flag code.';
comment on column data_flags.detail is 'What was found, in Chinese.';
comment on column data_flags.source_file is 'File of the row concerned, if any.';
comment on column data_flags.sheet is 'Sheet of the row concerned, if any.';
comment on column data_flags.row_number is 'Excel row number of the row concerned, if any.';

create table if not exists source_files (
    quarter varchar not null,
    path varchar not null,
    sha256 varchar not null,
    department varchar,
    return_code varchar,
    sheet varchar,
    status varchar not null,
    recognised_by varchar,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_rejected integer not null,
    rows_skipped integer not null,
    skipped_blank integer not null,
    skipped_total integer not null,
    skipped_notes integer not null,
    skipped_example integer not null,
    archive_path varchar,
    guessed_return_code varchar
);
comment on table source_files is 'Every file a quarter, review or dispatch run read, with its row accounting: rows_read = rows_loaded + rows_rejected + rows_skipped.';
comment on column source_files.quarter is 'Period: a quarter (YYYYQn), a half year (YYYYHn) for R12 files, or a month (YYYY-MM) for a dispatch.';
comment on column source_files.path is 'File path relative to the raw folder.';
comment on column source_files.sha256 is 'SHA-256 of the file content.';
comment on column source_files.department is 'Department folder code.';
comment on column source_files.return_code is 'Return the file was recognised as; null when it was not (see guessed_return_code).';
comment on column source_files.sheet is 'Sheet the data was read from.';
comment on column source_files.status is 'loaded, or rejected (the whole file).';
comment on column source_files.recognised_by is 'How the return was recognised: template code, or the headers matched.';
comment on column source_files.rows_read is 'Rows below the header.';
comment on column source_files.rows_loaded is 'Rows loaded into staging.';
comment on column source_files.rows_rejected is 'Rows rejected (see rejected_rows).';
comment on column source_files.rows_skipped is 'Rows skipped: blank + total + notes + example.';
comment on column source_files.skipped_blank is 'Blank rows skipped.';
comment on column source_files.skipped_total is '合计/小计 rows skipped (checked against the detail rows).';
comment on column source_files.skipped_notes is 'Notes and signatures below the table.';
comment on column source_files.skipped_example is 'Template example rows (marked 示例).';
comment on column source_files.archive_path is 'The archived copy of the file, relative to the output folder (archive/<sha256 prefix>/<sha256>.<ext>).';
comment on column source_files.guessed_return_code is 'For a file not recognised as a return (return_code null): the return it probably is, among those its department owns, from the file name or the department owning only one (as table submissions counts it); null when unclear, or when the file was recognised.';

create table if not exists pipeline_runs (
    run_id varchar primary key,
    kind varchar not null,
    quarter varchar,
    year integer not null,
    status varchar not null,
    started_at timestamp not null,
    finished_at timestamp,
    rubric_version varchar,
    message varchar,
    rubric_file varchar,
    rubric_chosen_by varchar,
    reference_set varchar,
    code_version varchar
);
comment on table pipeline_runs is 'History of every quarter, annual and review run, with what it was made with: rubric, reference set, code.';
comment on column pipeline_runs.run_id is 'Run identifier.';
comment on column pipeline_runs.kind is 'quarter, annual, review (a half year''s on-site review), or dispatch (a month).';
comment on column pipeline_runs.quarter is 'Quarter evaluated, the half year (YYYYHn) of a review run, or the month (YYYY-MM) of a dispatch; null for an annual run.';
comment on column pipeline_runs.year is 'Year.';
comment on column pipeline_runs.status is 'done, provisional, or failed.';
comment on column pipeline_runs.started_at is 'Start time (UTC).';
comment on column pipeline_runs.finished_at is 'End time (UTC).';
comment on column pipeline_runs.rubric_version is 'Rubric version used (the version field of rubric_file).';
comment on column pipeline_runs.message is 'Why it failed, or a short summary.';
comment on column pipeline_runs.rubric_file is 'The rubric file the run scored by (null when it failed before choosing one).';
comment on column pipeline_runs.rubric_chosen_by is 'How that rubric was chosen: year (the file whose years hold the period''s year), --rubric or SBSK_RUBRIC (an override).';
comment on column pipeline_runs.reference_set is 'The reference folder the run read its rubric and registry from.';
comment on column pipeline_runs.code_version is 'The code: package version + a fingerprint of the code, the return definitions, the reference data and the SQL models (sbsk/fingerprint.py).';

create table if not exists run_inputs (
    run_id varchar not null,
    quarter varchar not null,
    path varchar not null,
    sha256 varchar not null,
    department varchar,
    archive_path varchar not null
);
comment on table run_inputs is 'Which archived files each quarter (or review) run read: with them a quarter can be re-run exactly as it was.';
comment on column run_inputs.run_id is 'The run (pipeline_runs.run_id).';
comment on column run_inputs.quarter is 'Quarter of the run, half year (YYYYHn) of a review run, or month (YYYY-MM) of a dispatch.';
comment on column run_inputs.path is 'File path relative to the raw folder at the time of the run.';
comment on column run_inputs.sha256 is 'SHA-256 of the file content.';
comment on column run_inputs.department is 'Department folder code.';
comment on column run_inputs.archive_path is 'The archived copy, relative to the output folder.';

-- The half-yearly on-site review (观摩评价, SPEC §11): a half year is written YYYYH1 / YYYYH2.
create table if not exists review_scores (
    period varchar not null,
    unit_code varchar not null,
    review_group varchar not null,
    assessor varchar not null,
    assessor_unit varchar,
    assessor_unit_name varchar,
    planning decimal(5, 2) not null,
    attraction decimal(5, 2) not null,
    construction decimal(5, 2) not null,
    service decimal(5, 2) not null,
    total decimal(6, 2) not null,
    projects varchar,
    note varchar,
    source_file varchar not null,
    sha256 varchar not null,
    sheet varchar,
    row_number integer not null,
    primary key (period, unit_code, assessor)
);
comment on table review_scores is 'Every loaded R12 观摩评分 row: one assessor''s scores of one unit in a half year, with its lineage. Rows rejected (回避, a second score of the same assessor and unit, an item above its maximum …) are in rejected_rows.';
comment on column review_scores.period is 'Half year, written YYYYH1 or YYYYH2.';
comment on column review_scores.unit_code is 'Unit scored (units.unit_code).';
comment on column review_scores.review_group is 'Review group (观摩组) as written, without spaces.';
comment on column review_scores.assessor is 'Assessor (评分人) as written, without spaces: one assessor scores a unit at most once a half year.';
comment on column review_scores.assessor_unit is 'The assessor''s own unit (评分人单位): a unit code or a department code (fgw, czj …); null when not given. Never the unit scored (回避).';
comment on column review_scores.assessor_unit_name is 'Name of assessor_unit (e.g. 林州市, 市发展改革委).';
comment on column review_scores.planning is 'Item 项目谋划, as scored (0 … its maximum in the rubric''s [review], default 25).';
comment on column review_scores.attraction is 'Item 招商引资, as scored.';
comment on column review_scores.construction is 'Item 项目建设, as scored.';
comment on column review_scores.service is 'Item 服务保障, as scored.';
comment on column review_scores.total is 'This assessor''s total for the unit: the sum of the four items (exact).';
comment on column review_scores.projects is 'Projects visited (观摩项目), as written.';
comment on column review_scores.note is 'Assessor''s note (评分说明), as written.';
comment on column review_scores.source_file is 'File the row came from, relative to the raw folder (e.g. 2020H1/zdxmb/R12-观摩评分.xlsx).';
comment on column review_scores.sha256 is 'SHA-256 of that file.';
comment on column review_scores.sheet is 'Sheet name.';
comment on column review_scores.row_number is 'Excel row number in that sheet.';

create table if not exists review_results (
    period varchar not null,
    unit_code varchar not null,
    unit_name varchar not null,
    unit_group varchar not null,
    planning decimal(5, 2),
    attraction decimal(5, 2),
    construction decimal(5, 2),
    service decimal(5, 2),
    total decimal(6, 2),
    group_rank integer,
    assessors integer not null,
    trimmed integer not null,
    untrimmed_total decimal(6, 2),
    flags varchar,
    rubric_version varchar not null,
    primary key (period, unit_code)
);
comment on table review_results is 'Review result of every unit in a half year: item means, review total and rank within its group. Units nobody scored are listed with flag not_reviewed and no total.';
comment on column review_results.period is 'Half year, written YYYYH1 or YYYYH2.';
comment on column review_results.unit_code is 'Unit (units.unit_code).';
comment on column review_results.unit_name is 'Unit name.';
comment on column review_results.unit_group is 'Ranking group of the unit that year.';
comment on column review_results.planning is 'Mean of item 项目谋划 over the unit''s assessors, after dropping one highest and one lowest value when at least trim_min (default 5) assessors scored the unit; shown rounded to 2 decimals half up.';
comment on column review_results.attraction is 'Mean of item 招商引资 (see planning).';
comment on column review_results.construction is 'Mean of item 项目建设 (see planning).';
comment on column review_results.service is 'Mean of item 服务保障 (see planning).';
comment on column review_results.total is 'Review total: the sum of the unrounded item means, rounded once to 2 decimals half up (so it may differ by a cent from the sum of the rounded means shown); null when nobody scored the unit.';
comment on column review_results.group_rank is 'Rank within the group by total; tied units share the better rank; null when not reviewed.';
comment on column review_results.assessors is 'How many assessors scored the unit (rows loaded).';
comment on column review_results.trimmed is 'Values dropped from each item before the mean: 2 (one highest, one lowest) when assessors ≥ trim_min, else 0.';
comment on column review_results.untrimmed_total is 'Mean of the assessors'' totals without dropping any, rounded to 2 decimals half up: what assessor consistency is measured against.';
comment on column review_results.flags is 'not_reviewed when nobody scored the unit; else null.';
comment on column review_results.rubric_version is 'Rubric version whose [review] was used.';

create table if not exists review_assessors (
    period varchar not null,
    assessor varchar not null,
    review_groups varchar not null,
    assessor_unit varchar,
    assessor_unit_name varchar,
    units_scored integer not null,
    mean_deviation decimal(7, 2) not null,
    outlier boolean not null,
    primary key (period, assessor)
);
comment on table review_assessors is 'Assessor consistency in a half year: how far each assessor''s totals lie, on average, from the units'' untrimmed mean totals. Informs the office; it never changes a score.';
comment on column review_assessors.period is 'Half year, written YYYYH1 or YYYYH2.';
comment on column review_assessors.assessor is 'Assessor (review_scores.assessor).';
comment on column review_assessors.review_groups is 'Review group(s) the assessor scored in, comma-separated.';
comment on column review_assessors.assessor_unit is 'The assessor''s own unit or department code, when given.';
comment on column review_assessors.assessor_unit_name is 'Name of assessor_unit.';
comment on column review_assessors.units_scored is 'Units the assessor scored (loaded rows).';
comment on column review_assessors.mean_deviation is 'Mean over those units of (the assessor''s total − the unit''s untrimmed mean total), rounded to 2 decimals half away from zero: positive = lenient (偏宽), negative = strict (偏严).';
comment on column review_assessors.outlier is 'True when |mean deviation| > outlier_points (default 8), decided on the exact value; flag outlier_assessor.';
create table if not exists submissions (
    period varchar not null,
    department varchar not null,
    return_code varchar not null,
    state varchar not null,
    received_at timestamp,
    due_on date,
    working_days_late integer,
    rows_rejected integer not null,
    files integer not null,
    run_id varchar not null,
    primary key (period, department, return_code)
);
comment on table submissions is 'What each department sent for a period: one row per department and return it owns, as the latest run of the period (done, provisional or failed) found it (SPEC §12).';
comment on column submissions.period is 'Period, a quarter YYYYQn or a month YYYY-MM.';
comment on column submissions.department is 'Department folder code (fgw, czj, tjj, swj, zwfw, zdxmb), the owner of the return.';
comment on column submissions.return_code is 'Return R01 … R11.';
comment on column submissions.state is '未报 (no file), 已报 (a file not yet evaluated), 整表退回 (every file rejected whole), 部分退回 (loaded, with rows or another of its files rejected), 已入库 (loaded, nothing rejected).';
comment on column submissions.received_at is 'Receipt time, Beijing time (UTC+8): the latest receipt among its files, each the first time sbsk saw that content in the raw folder or its modification time if earlier; null when 未报.';
comment on column submissions.due_on is 'Due date: the rubric''s due_working_day-th working day after a quarter end (dispatch_due_working_day-th after a month end), by the PRC calendar; null when the calendar does not cover it.';
comment on column submissions.working_days_late is 'Working days after due_on up to and including the receipt day (0 on or before the due day); when 未报, up to and including the day of the run (how overdue it is so far); null when the calendar does not cover the days.';
comment on column submissions.rows_rejected is 'Rows rejected over its files, the data rows of files rejected whole included (as in source_files.rows_rejected).';
comment on column submissions.files is 'Number of files received for the return (see submission_files).';
comment on column submissions.run_id is 'The run that wrote the row (pipeline_runs.run_id).';

create table if not exists submission_files (
    period varchar not null,
    path varchar not null,
    sha256 varchar not null,
    department varchar,
    return_code varchar,
    status varchar not null,
    rows_rejected integer not null,
    received_at timestamp not null,
    run_id varchar not null
);
comment on table submission_files is 'Every file the latest run of a period found in the raw folder, with its receipt time and verdict, whether or not the run was published; sbsk status uses it to tell evaluated content from new.';
comment on column submission_files.period is 'Period, a quarter YYYYQn or a month YYYY-MM.';
comment on column submission_files.path is 'File path relative to the raw folder.';
comment on column submission_files.sha256 is 'SHA-256 of the file content: the receipt time belongs to the content.';
comment on column submission_files.department is 'Department folder the file was in; null when it was in no department''s folder.';
comment on column submission_files.return_code is 'Return the file was taken to be; null if unrecognised.';
comment on column submission_files.status is 'loaded, or rejected (the whole file).';
comment on column submission_files.rows_rejected is 'Rows rejected (all its data rows when rejected whole).';
comment on column submission_files.received_at is 'Receipt time of the content, Beijing time (UTC+8): the first time sbsk saw it in the raw folder, or its modification time if earlier; it never moves for the same content.';
comment on column submission_files.run_id is 'The run that found it (pipeline_runs.run_id).';

create table if not exists submission_quality (
    year integer not null,
    department varchar not null,
    returns_due integer not null,
    received integer not null,
    on_time integer not null,
    late integer not null,
    not_received integer not null,
    rejected_whole integer not null,
    rows_rejected integer not null,
    primary key (year, department)
);
comment on table submission_quality is 'Each department''s submission record over the year''s quarters that have been run (months are left out: their returns are the same snapshots again). returns_due = on_time + late + not_received.';
comment on column submission_quality.year is 'Year.';
comment on column submission_quality.department is 'Department folder code.';
comment on column submission_quality.returns_due is 'Returns it owed over the quarters run (a return per quarter).';
comment on column submission_quality.received is 'Returns received (any state but 未报): on_time + late.';
comment on column submission_quality.on_time is 'Returns received on or before the due date (working_days_late = 0).';
comment on column submission_quality.late is 'Returns received after the due date.';
comment on column submission_quality.not_received is 'Returns not received (未报) when the quarter last ran.';
comment on column submission_quality.rejected_whole is 'Returns all of whose files were rejected whole (整表退回).';
comment on column submission_quality.rows_rejected is 'Rows rejected over its returns (submissions.rows_rejected summed).';

-- ---- Versions (SPEC §12) ----
-- Every run keeps its results as the quarter's draft; `sbsk publish` makes the draft version N.
-- quarter_results, indicator_scores and category_scores show a quarter's latest published version,
-- or its draft until it is first published. A *_draft or *_history table holds every column of the table it
-- copies (it is created from it, so a column added there is added here), after its own columns;
-- the copied columns carry that table's comments (sbsk/store/warehouse.py copies them).
create table if not exists quarter_versions (
    quarter varchar not null,
    version integer not null,
    run_id varchar not null,
    published_at timestamp not null,
    published_by varchar not null,
    note varchar,
    reason varchar,
    primary key (quarter, version)
);
comment on table quarter_versions is 'Every published version of every quarter (sbsk publish): version 1 is the first publication, each later one a restatement (更正) with its reason.';
comment on column quarter_versions.quarter is 'Quarter, written YYYYQn.';
comment on column quarter_versions.version is 'Version number: 1, 2, … (第N版 in the bulletin).';
comment on column quarter_versions.run_id is 'The run whose draft was published (pipeline_runs.run_id).';
comment on column quarter_versions.published_at is 'When it was published (UTC).';
comment on column quarter_versions.published_by is 'Who published it (sbsk publish --by).';
comment on column quarter_versions.note is 'Note given when publishing (--note), if any.';
comment on column quarter_versions.reason is 'Why it restates the version before (--reason): required from version 2 on.';

create table if not exists quarter_results_draft as
    select null::varchar as run_id, * from quarter_results limit 0;
comment on table quarter_results_draft is 'The latest run''s quarter_results of each quarter, published or not: what sbsk publish would publish and sbsk diff --to draft compares. Until a quarter is first published it equals quarter_results, except that rank_change and the streaks are computed on the shown results only (null here).';
comment on column quarter_results_draft.run_id is 'The run that computed the draft (pipeline_runs.run_id).';

create table if not exists indicator_scores_draft as
    select null::varchar as run_id, * from indicator_scores limit 0;
comment on table indicator_scores_draft is 'The latest run''s indicator_scores of each quarter, published or not (see quarter_results_draft).';
comment on column indicator_scores_draft.run_id is 'The run that computed the draft (pipeline_runs.run_id).';

create table if not exists category_scores_draft as
    select null::varchar as run_id, * from category_scores limit 0;
comment on table category_scores_draft is 'The latest run''s category_scores of each quarter, published or not (see quarter_results_draft).';
comment on column category_scores_draft.run_id is 'The run that computed the draft (pipeline_runs.run_id).';

create table if not exists quarter_results_history as
    select null::integer as version, null::timestamp as published_at, null::varchar as published_by,
           null::varchar as note, null::varchar as reason, null::varchar as run_id, *
    from quarter_results limit 0;
comment on table quarter_results_history is 'Every published version of quarter_results, kept for good: the rows of quarter N as version V showed them.';
comment on column quarter_results_history.version is 'Version number (quarter_versions.version).';
comment on column quarter_results_history.published_at is 'When the version was published (UTC).';
comment on column quarter_results_history.published_by is 'Who published it.';
comment on column quarter_results_history.note is 'Note given when publishing, if any.';
comment on column quarter_results_history.reason is 'Why the version restates the one before (null for version 1).';
comment on column quarter_results_history.run_id is 'The run whose draft was published.';

create table if not exists indicator_scores_history as
    select null::integer as version, null::timestamp as published_at, null::varchar as published_by,
           null::varchar as note, null::varchar as reason, null::varchar as run_id, *
    from indicator_scores limit 0;
comment on table indicator_scores_history is 'Every published version of indicator_scores, kept for good (see quarter_results_history).';
comment on column indicator_scores_history.version is 'Version number (quarter_versions.version).';
comment on column indicator_scores_history.published_at is 'When the version was published (UTC).';
comment on column indicator_scores_history.published_by is 'Who published it.';
comment on column indicator_scores_history.note is 'Note given when publishing, if any.';
comment on column indicator_scores_history.reason is 'Why the version restates the one before (null for version 1).';
comment on column indicator_scores_history.run_id is 'The run whose draft was published.';

create table if not exists category_scores_history as
    select null::integer as version, null::timestamp as published_at, null::varchar as published_by,
           null::varchar as note, null::varchar as reason, null::varchar as run_id, *
    from category_scores limit 0;
comment on table category_scores_history is 'Every published version of category_scores, kept for good (see quarter_results_history).';
comment on column category_scores_history.version is 'Version number (quarter_versions.version).';
comment on column category_scores_history.published_at is 'When the version was published (UTC).';
comment on column category_scores_history.published_by is 'Who published it.';
comment on column category_scores_history.note is 'Note given when publishing, if any.';
comment on column category_scores_history.reason is 'Why the version restates the one before (null for version 1).';
comment on column category_scores_history.run_id is 'The run whose draft was published.';

-- The monthly dispatch (月调度, SPEC §9): provisional, never a reward, never touching the quarter tables.
create table if not exists dispatch_scores (
    month varchar not null,
    unit_code varchar not null,
    unit_group varchar not null,
    indicator_code varchar not null,
    category_code varchar not null,
    rubric_version varchar not null,
    metric_1 double,
    numerator_1 decimal(38, 4),
    denominator_1 decimal(38, 4),
    basis_1 double,
    points_1 double,
    metric_2 double,
    numerator_2 decimal(38, 4),
    denominator_2 decimal(38, 4),
    basis_2 double,
    points_2 double,
    deduction decimal(6, 2) not null,
    points decimal(6, 2) not null,
    max_points decimal(6, 2) not null,
    flags varchar,
    primary key (month, unit_code, indicator_code)
);
comment on table dispatch_scores is 'Provisional points of every unit on every indicator at a month end (月调度), scored like a quarter with the monthly time progress; the same columns as indicator_scores.';
comment on column dispatch_scores.month is 'Month, written YYYY-MM.';
comment on column dispatch_scores.unit_code is 'Unit (units.unit_code).';
comment on column dispatch_scores.unit_group is 'Ranking group of the unit that year.';
comment on column dispatch_scores.indicator_code is 'Indicator (rubric_indicators.indicator_code).';
comment on column dispatch_scores.category_code is 'Category of the indicator.';
comment on column dispatch_scores.rubric_version is 'Rubric version used.';
comment on column dispatch_scores.metric_1 is 'Metric of part 1: a count, a sum in 万元, a share or a rate (numerator ÷ denominator), year to date at the month end.';
comment on column dispatch_scores.numerator_1 is 'Numerator of the part 1 metric: the count or sum (万元) itself, or the top of a share or rate; for an assessor part the score (the carried one when flagged carried_assessment).';
comment on column dispatch_scores.denominator_1 is 'Denominator of the part 1 metric: 1 for a count or sum, else the base of the share or rate (0: nothing to measure).';
comment on column dispatch_scores.basis_1 is 'What part 1 was measured against: the group maximum (relative), the target (progress: the monthly time progress t(m) = m/12 by default, or the part''s constant target), the minimum count (threshold); null otherwise.';
comment on column dispatch_scores.points_1 is 'Unrounded points of part 1.';
comment on column dispatch_scores.metric_2 is 'Metric of part 2, if the indicator has two parts.';
comment on column dispatch_scores.numerator_2 is 'Numerator of the part 2 metric.';
comment on column dispatch_scores.denominator_2 is 'Denominator of the part 2 metric.';
comment on column dispatch_scores.basis_2 is 'Basis of part 2 (see basis_1).';
comment on column dispatch_scores.points_2 is 'Unrounded points of part 2.';
comment on column dispatch_scores.deduction is 'Points deducted before rounding (C2: 0.5 per suspected fake start).';
comment on column dispatch_scores.points is 'Points at the month end, rounded to 2 decimals half up.';
comment on column dispatch_scores.max_points is 'Maximum points of the indicator.';
comment on column dispatch_scores.flags is 'Comma-separated scoring flags: no_base, missing_assessment, carried_assessment (the assessor points of the latest stored quarter of the year ending by the month end), missing_return.';

create table if not exists dispatch_results (
    month varchar not null,
    unit_code varchar not null,
    unit_name varchar not null,
    unit_group varchar not null,
    score_a decimal(7, 2) not null,
    score_b decimal(7, 2) not null,
    score_c decimal(7, 2) not null,
    score_d decimal(7, 2) not null,
    total decimal(7, 2) not null,
    group_rank integer not null,
    rank_change integer,
    status varchar not null,
    rubric_version varchar not null,
    primary key (month, unit_code)
);
comment on table dispatch_results is 'Provisional ranking of every unit at a month end (月调度): category scores, total, rank within its group and its movement since the month before. No reward.';
comment on column dispatch_results.month is 'Month, written YYYY-MM.';
comment on column dispatch_results.unit_code is 'Unit (units.unit_code).';
comment on column dispatch_results.unit_name is 'Unit name.';
comment on column dispatch_results.unit_group is 'Ranking group of the unit that year.';
comment on column dispatch_results.score_a is 'Category A (比谋划看储备 in the plan): sum of the rounded A indicator points (dispatch_scores.points).';
comment on column dispatch_results.score_b is 'Category B (比招引看投资).';
comment on column dispatch_results.score_c is 'Category C (比开工看进度).';
comment on column dispatch_results.score_d is 'Category D (比服务看实效).';
comment on column dispatch_results.total is 'Total: the sum of the unit''s category scores over every category of the rubric.';
comment on column dispatch_results.group_rank is 'Rank within the group by total; tied units share the better rank.';
comment on column dispatch_results.rank_change is 'Rank movement: the group_rank of the dispatch of the month before (December of the year before for January) − this group_rank; positive = 进位. Null when that month''s dispatch was not run.';
comment on column dispatch_results.status is 'Always provisional: a dispatch is a progress check, never a result.';
comment on column dispatch_results.rubric_version is 'Rubric version used.';

create table if not exists dispatch_warnings (
    month varchar not null,
    unit_code varchar not null,
    indicator_code varchar not null,
    part integer not null,
    method varchar not null,
    level varchar not null,
    ratio double not null,
    value double,
    basis double,
    gap decimal(38, 2),
    points_behind double not null,
    detail varchar not null,
    primary key (month, unit_code, indicator_code, part)
);
comment on table dispatch_warnings is '预警 of a dispatch: every unit and indicator part behind at the month end, amber (黄灯) or red (红灯), decided in exact arithmetic against the rubric''s [dispatch] thresholds. Parts on track have no row.';
comment on column dispatch_warnings.month is 'Month, written YYYY-MM.';
comment on column dispatch_warnings.unit_code is 'Unit (units.unit_code).';
comment on column dispatch_warnings.indicator_code is 'Indicator (rubric_indicators.indicator_code).';
comment on column dispatch_warnings.part is 'Part of the indicator, numbered 1, 2 … in the rubric''s order (SPEC §5''s table).';
comment on column dispatch_warnings.method is 'Scoring method of the part: progress, relative or threshold (assessor and graded parts have no warning).';
comment on column dispatch_warnings.level is 'red (红灯) or amber (黄灯). progress: r / target below amber_ratio (0.9) red, else below 1 amber; relative: v / group maximum below relative_red (0.5) red, below relative_amber (0.8) amber; threshold: 0 points red.';
comment on column dispatch_warnings.ratio is 'progress: r / target, not clamped; relative: the part''s unrounded points / its share (v / the group maximum, before C2''s deduction); threshold: 0.';
comment on column dispatch_warnings.value is 'The part''s metric at the month end (dispatch_scores.metric_k): r for progress, v for relative, the count for threshold.';
comment on column dispatch_warnings.basis is 'What the metric was measured against: the target (progress), the group maximum (relative), the minimum count (threshold).';
comment on column dispatch_warnings.gap is 'progress only: how much more of the numerator would reach the target, target × denominator − numerator, in the metric''s unit (万元 for investment, payment and spending; 件 for approval items), rounded up to 0.01.';
comment on column dispatch_warnings.points_behind is 'Points the part is short of its share: the share less its unrounded points, what catching up in full would add (before rounding).';
comment on column dispatch_warnings.detail is 'The warning in Chinese for the unit''s leaders: which indicator, how far behind time progress or the group leader, and what would close the gap.';

create table if not exists forecast_results (
    period varchar not null,
    unit_code varchar not null,
    unit_name varchar not null,
    is_home boolean not null,
    covered_points decimal(7, 2) not null,
    total decimal(7, 2) not null,
    rank integer not null,
    best_rank integer,
    worst_rank integer,
    parts_forecast varchar not null,
    parts_left_out varchar not null,
    primary key (period, unit_code)
);
comment on table forecast_results is 'The forecast of the provincial ranking (预判全省排名, SPEC §10) for a quarter or a month: every city of the province reference set with its forecast total and rank; the home city (is_home) also has its rank range. Replaced by each sbsk forecast of the period, each dispatch of a month, and each quarter run whose results are shown or sbsk publish of a quarter; deleted by those when the period has no R13 全省对标数据. A quarter run that only drafts beside a published version leaves it: it follows the published version, as indicator_scores does.';
comment on column forecast_results.period is 'Quarter (YYYYQn) or month (YYYY-MM) forecast.';
comment on column forecast_results.unit_code is 'City (the province reference set''s units.csv, e.g. 410500 安阳市).';
comment on column forecast_results.unit_name is 'City name.';
comment on column forecast_results.is_home is 'True for the home city (level.toml home_unit), whose metrics are aggregated from its own units; the others'' come from R13 全省对标数据.';
comment on column forecast_results.covered_points is 'Points the forecast covers: the sum of the shares of the parts forecast (a part is forecast only when every city has a value), the same for every city.';
comment on column forecast_results.total is 'Forecast total: the sum over the indicators with a forecast part of their forecast parts'' points, rounded half up to 2 decimals per indicator.';
comment on column forecast_results.rank is 'Forecast provincial rank: 1 + the number of cities with a higher total (ties share the better rank).';
comment on column forecast_results.best_rank is 'Home city only: its rank were every other city''s total forecast_band points (rubric parameter, default 3) lower, all at once. Null for the other cities.';
comment on column forecast_results.worst_rank is 'Home city only: its rank were every other city''s total forecast_band points higher, all at once. Null for the other cities.';
comment on column forecast_results.parts_forecast is 'The parts forecast, as indicator-part (A2-1、A2-2 …).';
comment on column forecast_results.parts_left_out is 'The non-assessor parts left out because some city has no R13 value for them, as indicator-part.';

create table if not exists forecast_scores (
    period varchar not null,
    unit_code varchar not null,
    indicator_code varchar not null,
    part integer not null,
    value double not null,
    points double not null,
    primary key (period, unit_code, indicator_code, part)
);
comment on table forecast_scores is 'Each city''s forecast points on each part forecast (SPEC §10), scored as §5 with the province rubric, relative parts against the maximum over all cities.';
comment on column forecast_scores.period is 'Quarter (YYYYQn) or month (YYYY-MM) forecast.';
comment on column forecast_scores.unit_code is 'City (forecast_results.unit_code).';
comment on column forecast_scores.indicator_code is 'Indicator of the province rubric.';
comment on column forecast_scores.part is 'Part of the indicator, numbered 1, 2 … in the rubric''s order.';
comment on column forecast_scores.value is 'The part''s metric: for the home city Σ numerators (a count, an amount in 万元, grade points) or Σ numerators / Σ denominators (a share or ratio) over its units; for another city its R13 指标值.';
comment on column forecast_scores.points is 'The part''s unrounded points (forecast_results.total rounds each indicator''s sum).';
