"""docs/analysts.md, the data dictionary for analysts, generated from the database's own COMMENTs.

The table and column descriptions are read back from duckdb_tables() / duckdb_columns() of a fresh
schema, so the document cannot drift from transforms/contract.sql and the staging DDL: a test
regenerates it and compares. Only the opening and the worked example queries are written by hand,
here. `python -m sbsk.outputs.analysts_doc` rewrites the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from sbsk.outputs.analysts_examples import CLIENTS, VIEW_EXAMPLES
from sbsk.store.warehouse import CONTRACT_TABLES, ensure_schema

DOC_PATH = Path("docs") / "analysts.md"  # `make docs` runs at the repository root

INTRO = """\
# sbsk 数据字典（供分析人员使用）

> 本文件由 `python -m sbsk.outputs.analysts_doc` 根据数据库里每张表、每一列的注释（COMMENT）自动生成，
> 请勿手工修改：改 `transforms/contract.sql`（公共表）、`transforms/views/`（分析视图）或
> `sbsk/store/warehouse.py`（暂存表）里的注释，或改 `sbsk/outputs/analysts_doc.py`、
> `sbsk/outputs/analysts_examples.py` 里的说明和示例，再重新生成。测试会检查本文件与数据库结构一致。

考评结果保存在 DuckDB 数据库 `data/out/sbsk.duckdb`。下面的**公共表**（SPEC §7）的表名、列名和含义
是对分析人员的承诺，不会随意改动；**暂存表** `stg_*` 保存每张报表每一行入库数据及其来源（文件、
SHA-256、工作表、Excel 行号），用于追溯某个得分来自哪些项目；**分析视图**把常问的问题（名次变化、
指标得分长表、各部门报送情况、数据核查标记）预先关联好，随表中数据即时更新。

常用关联：

- `indicator_scores`、`category_scores`、`quarter_results`、`annual_results`、`data_flags` 通过 `unit_code` 关联 `units`；
- `category_scores`（每个单位每个类别一行）是 `quarter_results` 的 `total` 和 `score_a` … `score_d` 的来源；
  考评办法若增设类别（如 E），其得分只在 `category_scores`、`annual_category_scores` 中出现，并计入总分；
- `indicator_scores` 通过 `(rubric_version, indicator_code)` 关联 `rubric_indicators`；
- 暂存表的 `(quarter, source_file)` 对应 `source_files` 的 `(quarter, path)`，
  `rejected_rows`、`data_flags` 的 `source_file`、`row_number` 指向同一个文件和 Excel 行。

金额单位均为万元（奖惩 `reward_yuan` 为元）；季度写作 `YYYYQn`，如 `2020Q3`。

版本（SPEC §12）：每次运行的结果先存为该季度的草稿（`quarter_results_draft`、`indicator_scores_draft`、
`category_scores_draft`）；`sbsk publish` 把草稿发布为第 N 版。季度首次发布前，`quarter_results`、
`indicator_scores`、`category_scores` 显示草稿；发布后显示最新发布的版本，之后的运行只更新草稿。
每个发布过的版本都完整保存在 `*_history` 中（带 `version`、`published_at`、`published_by`、`reason`），
`quarter_versions` 每版一行。某季度现在显示第几版：
`select max(version) from quarter_versions where quarter = '2020Q3'`（无结果即为草稿）。
`data_flags`、`rejected_rows`、`source_files` 描述的是最近一次运行读到的报表。

半年观摩评价（SPEC §11）：`review_scores`（每位评分人对每个单位的一行评分及其来源）、`review_results`
（各单位各项平均分、观摩总分和组内名次）、`review_assessors`（评分人一致性）以 `period` 为键，写作
`YYYYH1` / `YYYYH2`；观摩评分表（R12）的文件、退回行和核查标志也记在 `source_files`、`rejected_rows`、
`data_flags` 中，其 `quarter` 列写的是半年（如 `2020H1`）。`annual_results.review_total` 是年度观摩评价，
`review_weight` 是它计入年度总分的权重。

月调度（`sbsk dispatch YYYY-MM`）的结果在 `dispatch_scores`、`dispatch_results`、`dispatch_warnings` 三张表中，
以月份 `month`（写作 `YYYY-MM`，如 `2020-07`）为键，均为暂定结果、不计奖惩，不会改动任何季度表；
月调度读取的文件、退回的行和数据核查标记与季度一样记在 `source_files`、`rejected_rows`、`data_flags` 中，
其 `quarter` 列此时为月份，暂存表的 `quarter` 列同理。

全省排名预判（`sbsk forecast PERIOD`，SPEC §10）在 `forecast_results`（每个省辖市的预计总分和名次，本市
`is_home` 为真并有名次区间 `best_rank`—`worst_rank`）和 `forecast_scores`（每个省辖市每个预判分项的指标值和得分）
中，以 `period`（季度或月份）为键。其他省辖市的指标值来自 R13 全省对标数据（暂存表 `stg_peer_metrics`）。

## 打开数据库（只读）

分析时请**只读**打开，这样不会妨碍考评运行：

- Python：`duckdb.connect("data/out/sbsk.duckdb", read_only=True)`
- DuckDB 命令行：`duckdb -readonly data/out/sbsk.duckdb`
- DBeaver：新建 DuckDB 连接，路径选 `data/out/sbsk.duckdb`，在“驱动属性”中设置
  `duckdb.read_only = true`（并勾选“只读连接”）。

每次考评运行都在一个私有副本里完成全部计算，成功后用一次原子改名替换 `sbsk.duckdb`。因此已经打开的
连接会一直看到替换**之前**那个完整、一致的版本（不会看到半个季度），直到关闭后重新打开；
要看到最新结果，请重新连接（DBeaver 中“断开/重新连接”）。运行失败时原文件保持不变。

不用 DuckDB 的工具（pandas、Power BI、Spark 等）可读 Parquet 副本：每个季度一个分区
`data/out/parquet/<表名>/quarter=<季度>/data.parquet`（`indicator_scores`、`category_scores`、`quarter_results`、
`data_flags`、`rejected_rows`、`source_files`），年度结果为 `data/out/parquet/annual_results/year=<年>/data.parquet`
（及 `annual_category_scores`）。
重新计算某个季度只替换该季度的文件。DuckDB 中可一次读取全部季度：
`select * from read_parquet('data/out/parquet/quarter_results/*/*.parquet', hive_partitioning = true)`。
"""

EXAMPLES = """\
## 示例查询

以下示例以 2020 年第三季度、县(市)组、内黄县（410527）为例，换成需要的季度、组别和单位代码即可。

### 1. 某单位各季度得分走势

```sql
select quarter, total, group_rank, score_a, score_b, score_c, score_d, reward_yuan, status
from quarter_results
where unit_code = '410527'
order by quarter;
```

### 2. 哪些指标决定了名次：组内第1名与第2名逐项比较

按差距从大到小列出两者每个指标的得分；并列时按单位代码取前两名。

```sql
with top2 as (
    select unit_code, unit_name,
           row_number() over (order by group_rank, unit_code) as pos
    from quarter_results
    where quarter = '2020Q3' and unit_group = 'county'
    qualify pos <= 2
),
side_by_side as (
    select s.indicator_code,
           r.name,
           max(s.points) filter (where t.pos = 1) as first_points,
           max(s.points) filter (where t.pos = 2) as second_points
    from indicator_scores s
    join top2 t on t.unit_code = s.unit_code
    join rubric_indicators r on r.rubric_version = s.rubric_version and r.indicator_code = s.indicator_code
    where s.quarter = '2020Q3'
    group by s.indicator_code, r.name
)
select indicator_code, name, first_points, second_points, first_points - second_points as difference
from side_by_side
order by abs(first_points - second_points) desc, indicator_code;
```

### 3. 某单位失分最多的指标

`numerator_1`/`denominator_1` 是第1个分项的指标值（计数、金额，或比率的分子、分母），
`basis_1` 是比较基准（组内最高值或目标进度）。逐项的计算过程可用 `sbsk explain 2020Q3 内黄县` 查看。

```sql
select indicator_code, points, max_points, max_points - points as lost,
       numerator_1, denominator_1, basis_1, deduction, flags
from indicator_scores
where quarter = '2020Q3' and unit_code = '410527'
order by lost desc, indicator_code
limit 5;
```

### 4. 得分背后的项目：内黄县 C2 新开工项目个数来自哪些行

C2 第1分项统计本年新开工、开工日期在年初至季末之间、且本年累计完成投资大于0的亿元以上项目。
下面列出这些项目及其来源文件、工作表和 Excel 行号，行数应等于 `indicator_scores` 中 C2 的
`numerator_1`。

```sql
select m.project_name, m.project_code, m.total_investment, m.started_on, m.ytd_completed,
       m.source_file, m.sheet, m.row_number, f.sha256
from stg_major_projects m
join source_files f on f.quarter = m.quarter and f.path = m.source_file
where m.quarter = '2020Q3'
  and m.unit_code = '410527'
  and m.nature = '新开工'
  and m.started_on between date '2020-01-01' and date '2020-09-30'
  and m.ytd_completed > 0
order by m.source_file, m.row_number;
```

核对行数与得分表一致：

```sql
select s.numerator_1 as scored_count,
       (select count(*)
        from stg_major_projects m
        where m.quarter = s.quarter and m.unit_code = s.unit_code
          and m.nature = '新开工'
          and m.started_on between date '2020-01-01' and date '2020-09-30'
          and m.ytd_completed > 0) as staged_rows
from indicator_scores s
where s.quarter = '2020Q3' and s.unit_code = '410527' and s.indicator_code = 'C2';
```

### 5. 每个文件的行数核对

每个文件都满足 读取行数 = 入库 + 退回 + 跳过；退回的行在 `rejected_rows` 中逐行列出原因。

```sql
select path, return_code, status, rows_read, rows_loaded, rows_rejected, rows_skipped,
       rows_read = rows_loaded + rows_rejected + rows_skipped as balanced
from source_files
where quarter = '2020Q3'
order by path;
```

### 6. 观摩评价：各组排名、评分人数和去掉的评分

评分人达到规定人数（默认5人）的单位，每项去掉一个最高分和一个最低分（`trimmed` = 2）；
没有观摩评分的单位 `total` 为空，`flags` 为 `not_reviewed`。

```sql
select r.unit_group, r.group_rank, r.unit_name, r.total, r.assessors, r.trimmed,
       r.planning, r.attraction, r.construction, r.service, r.flags
from review_results r
where r.period = '2020H1'
order by r.unit_group, r.group_rank nulls last, r.unit_code;
```
"""


def _escape(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute("select table_name, comment from duckdb_tables() "
                       "where database_name = current_database() and schema_name = 'main'").fetchall()
    return {name: comment for name, comment in rows}


def _views(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    from sbsk.store.views import view_names

    rows = dict(con.execute("select view_name, comment from duckdb_views() where not internal "
                            "and database_name = current_database() and schema_name = 'main'").fetchall())
    return {name: rows[name] for name in view_names() if name in rows} | rows


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, str | None]]:
    return con.execute("""
        select column_name, lower(data_type), comment from duckdb_columns()
        where database_name = current_database() and schema_name = 'main' and table_name = ?
        order by column_index
    """, [table]).fetchall()


def _primary_key(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute("""
        select constraint_column_names from duckdb_constraints()
        where database_name = current_database() and schema_name = 'main' and table_name = ?
          and constraint_type = 'PRIMARY KEY'
    """, [table]).fetchall()
    return {c for (cols,) in rows for c in cols}


def table_section(con: duckdb.DuckDBPyConnection, table: str, comment: str | None) -> str:
    keys = _primary_key(con, table)
    lines = [f"### `{table}`", "", _escape(comment), "", "| 列 | 类型 | 主键 | 说明 |", "|---|---|---|---|"]
    for name, dtype, col_comment in _columns(con, table):
        lines.append(f"| `{name}` | {dtype} | {'是' if name in keys else ''} | {_escape(col_comment)} |")
    return "\n".join(lines) + "\n"


def _staging_order(names: list[str]) -> list[str]:
    """Staging tables in return order (R01 … R11), any other after them by name."""
    from sbsk.schemas import load_returns

    order = [f"stg_{r.table}" for r in load_returns().returns.values()]
    return [t for t in order if t in names] + sorted(t for t in names if t not in order)


def generate(con: duckdb.DuckDBPyConnection) -> str:
    """The whole document, from the comments of the schema `con` holds."""
    tables = _tables(con)
    staging = _staging_order([t for t in tables if t.startswith("stg_")])
    parts = [INTRO, "## 公共表\n"]
    parts += [table_section(con, t, tables.get(t)) for t in CONTRACT_TABLES]
    parts.append("## 分析视图\n\n视图不存数据，每次查询时从上面的公共表计算，因此总与最新结果一致。\n")
    parts += [table_section(con, v, comment) for v, comment in _views(con).items()]
    parts.append("## 暂存表（stg_*：每张报表入库的明细行及其来源）\n\n"
                 "每张暂存表保存各季度入库的全部行（同一季度重新运行时整体替换），最后四列是来源："
                 "`source_file`（相对于报表目录的文件路径）、`sha256`、`sheet`、`row_number`（Excel 行号）。\n")
    parts += [table_section(con, t, tables.get(t)) for t in staging]
    parts.append(EXAMPLES + "\n" + VIEW_EXAMPLES)
    parts.insert(1, CLIENTS)
    return "\n".join(parts)


def fresh_schema() -> duckdb.DuckDBPyConnection:
    """An in-memory database holding just the schema every run creates."""
    from sbsk.schemas import load_returns

    con = duckdb.connect()
    ensure_schema(con, load_returns())
    return con


def render() -> str:
    con = fresh_schema()
    try:
        return generate(con)
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    path = Path(argv[0]) if argv else DOC_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
