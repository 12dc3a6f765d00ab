"""The last lines of `sbsk demo`: each group's annual ranking, from a hand-made annual_results."""

from __future__ import annotations

import duckdb

from sbsk.demo import _print_rankings
from sbsk.schemas import load_returns
from sbsk.store.warehouse import DB_NAME, ensure_schema


def test_each_groups_ranking_is_printed(tmp_path, capsys):
    con = duckdb.connect(str(tmp_path / DB_NAME))
    ensure_schema(con, load_returns())
    con.execute("insert into units values ('A', '甲县', 'county', '县(市)组', null, null), "
                "('B', '乙县', 'county', '县(市)组', null, null), ('C', '丙区', 'district', '区组', null, null), "
                "('D', '丁区', 'district', '区组', null, null)")
    for code, name, group, total, rank, reward in (("A", "甲县", "county", "80.50", 1, 500000),
                                                   ("B", "乙县", "county", "70.25", 2, -500000),
                                                   ("C", "丙区", "district", "60.00", 2, -500000),
                                                   ("D", "丁区", "district", "90.00", 1, 500000)):
        con.execute("insert into annual_results (year, unit_code, unit_name, unit_group, score_a, score_b, score_c, "
                    "score_d, total, group_rank, reward_yuan, tie, quarters_used, status) "
                    "values (2020, ?, ?, ?, 0, 0, 0, 0, ?, ?, ?, false, '', 'final')", [code, name, group, total, rank, reward])
    con.close()
    _print_rankings(tmp_path, 2020)
    lines = [line.strip() for line in capsys.readouterr().out.strip().splitlines()]
    assert lines == ["2020年度排名：", "县(市)组", "1  甲县  80.50  +50万元", "2  乙县  70.25  −50万元",
                     "区组", "1  丁区  90.00  +50万元", "2  丙区  60.00  −50万元"]
