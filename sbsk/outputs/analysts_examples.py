"""The hand-written parts of docs/analysts.md about the analyst views and the clients that open the
database: which DuckDB versions read it, an example query for each view, and the Python idioms of
DuckDB 2.0. Every ```sql and ```python block is run by the tests (tests/test_analysts_doc.py in
DuckDB 2.0, tests/test_old_clients.py in the 1.x clients), so keep them runnable on the sample
quarter they name.
"""

CLIENTS = """\
## 哪些 DuckDB 版本能打开

数据库按 DuckDB 1.0 的存储格式写入（`sbsk/store/storage.py`），DuckDB 1.0 及以后的任何版本都能打开，
不必升级到 2.0：测试中用 DuckDB 命令行 1.5、Python `duckdb` 1.4（长期支持版）和 Node 客户端
`@duckdb/node-api` 1.5 以只读方式打开数据库和 Parquet 副本，逐条运行下面的示例查询，结果与 DuckDB 2.0
相同。DBeaver 自带的 DuckDB 驱动同样是 1.x 版本，可以直接打开。

- 命令行：`duckdb -readonly data/out/sbsk.duckdb`
- Node：`await DuckDBInstance.create("data/out/sbsk.duckdb", { access_mode: "READ_ONLY" })`
"""

VIEW_EXAMPLES = """\
### 6. 名次变化：县(市)组各单位各季度的名次和进退位

`rank_change` = 上季度名次 − 本季度名次，正数为进位；第一季度与上一年第四季度比较（已计算时）。

```sql
select quarter, unit_name, total, group_rank, previous_rank, rank_change, movement, total_change
from unit_quarter_ranks
where unit_group = 'county'
order by quarter, group_rank, unit_code;
```

### 7. 指标得分（长表）：内黄县各指标失分与组内排位

```sql
select category_name, indicator_code, indicator_name, points, max_points, points_lost, score_rate, indicator_rank
from indicator_points
where quarter = '2020Q3' and unit_code = '410527'
order by points_lost desc, indicator_code;
```

按类别汇总同一张长表，得到各单位四类得分及满分：

```sql
select unit_name, category_code, category_name, sum(points) as points, max(category_max_points) as max_points
from indicator_points
where quarter = '2020Q3'
group by unit_code, unit_name, category_code, category_name
order by unit_code, category_code;
```

### 8. 各部门报送情况

每个部门应报的每张报表一行：未报、整表退回、部分退回或已入库；别的部门误报的文件也列出（`owner` 为 false）。
（收到时间和逾期工作日见 `submissions`，示例 10。）

```sql
select department_name, return_code, return_title, owner, state, files, rows_read, rows_loaded, rows_rejected,
       rejected_whole_because
from department_submissions
where quarter = '2020Q3'
order by department, return_code nulls last;
```

### 9. 数据核查标记：各单位本季度被标记了什么

```sql
select unit_name, flag, flag_label, flag_count, details
from unit_flags
where quarter = '2020Q3' and unit_code is not null
order by unit_code, flag;
```

### 10. 各部门报送是否及时：收到时间和逾期工作日

`submissions` 每个部门每张报表一行（状态 未报、已报、整表退回、部分退回、已入库），`received_at` 为北京时间，
`working_days_late` 按国家法定节假日和调休计算；`submission_quality` 是各部门全年的汇总。

```sql
select department, return_code, state, received_at, due_on, working_days_late, rows_rejected
from submissions
where period = '2020Q3'
order by working_days_late desc nulls first, department, return_code;
```

## 在 Python 中使用（DuckDB 2.0）

`con.execute(sql, 参数)` 返回结果，可以 `fetchone()`（一行，没有时为 `None`）、`fetchall()`（全部行）
或 `df()`（pandas 表）。`con.sql(sql)` 返回的“关系”在 DuckDB 2.0 中不再有 `fetchone()`，请用
`fetchall()`、`df()`，或 `limit(1).fetchall()`。参数用 `?` 占位，不要把值拼进 SQL 字符串。

```python
import duckdb

con = duckdb.connect("data/out/sbsk.duckdb", read_only=True)
try:
    total, rank = con.execute(
        "select total, group_rank from quarter_results where quarter = ? and unit_code = ?",
        ["2020Q3", "410527"],
    ).fetchone()
    print(f"内黄县 2020Q3：总分 {total}，组内第 {rank} 名")

    ranking = con.execute(
        "select unit_name, total, group_rank from unit_quarter_ranks "
        "where quarter = ? and unit_group = 'county' order by group_rank, unit_code",
        ["2020Q3"],
    ).fetchall()

    points = con.execute("select * from indicator_points where quarter = ?", ["2020Q3"]).df()
    wide = points.pivot(index="unit_name", columns="indicator_code", values="points")

    first = con.sql("select unit_name from quarter_results order by total desc, unit_code").limit(1).fetchall()
finally:
    con.close()
```
"""
