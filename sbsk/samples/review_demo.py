"""The demo's on-site reviews (SPEC §11): one R12 file per review group for each half year, written
under raw_dir/<YYYYHn>/zdxmb/.

Three groups: the first (six assessors) visits three counties, the second (four) the other two, the
third (five) the districts; so some units have five or more assessors (their highest and lowest
scores are dropped) and others fewer. One assessor of the first group comes from 安阳县 and scores it
anyway (回避: that row is rejected), and one assessor of the third group is lenient (flagged
outlier_assessor). Scores are reproducible from the seed.
"""

from __future__ import annotations

import random
from pathlib import Path

from sbsk.config.periods import halves_of
from sbsk.config.registry import load_registry
from sbsk.outputs.return_writer import write_plain
from sbsk.schemas import load_returns

ITEMS = ("planning", "attraction", "construction", "service")
# group → (its assessors and their own units, the units it visits, by name)
GROUPS = {
    "第一观摩组": ([("王建国", "市发展改革委"), ("李红", "市财政局"), ("张伟", "市统计局"), ("刘洋", "安阳县"),
                ("陈静", "市商务局"), ("杨帆", "文峰区")], ("林州市", "安阳县", "汤阴县")),
    "第二观摩组": ([("赵磊", "市政务服务和大数据局"), ("孙丽", "市政府重点项目办"), ("周强", "北关区"),
                ("吴敏", "市发展改革委")], ("滑县", "内黄县")),
    "第三观摩组": ([("郑凯", "林州市"), ("冯雪", "市财政局"), ("何鹏", "汤阴县"), ("许诺", "市统计局"),
                ("高远", "滑县")], ("文峰区", "北关区", "殷都区", "龙安区")),
}
LENIENT = "高远"          # scores every unit 3 points above what he sees on each item
LENIENT_EXTRA = 3
PROJECTS = {"林州市": "红旗渠经济技术开发区智能装备产业园", "安阳县": "安阳县现代农业产业园", "汤阴县": "汤阴县食品产业园",
            "滑县": "滑县高铁新区综合开发", "内黄县": "内黄县陶瓷产业园", "文峰区": "文峰区城市更新项目",
            "北关区": "北关区数字经济产业园", "殷都区": "殷都区钢铁深加工园区", "龙安区": "龙安区文旅融合项目"}


def _score(rng: random.Random, base: float, extra: float = 0) -> float:
    """A score to the half point, within 0 … 25."""
    return min(25.0, max(0.0, round((base + rng.gauss(0, 1.2) + extra) * 2) / 2))


def review_rows(year: int, h: int, seed: int) -> dict[str, list[dict]]:
    """Rows per review group for one half year."""
    rng = random.Random(f"{seed}-review-{year}H{h}")
    names = {u.name for u in load_registry().for_year(year)}
    quality = {u: {item: rng.uniform(17, 22.5) for item in ITEMS} for u in sorted(names)}
    out = {}
    for group, (assessors, units) in GROUPS.items():
        rows = []
        for unit in units:
            if unit not in names:
                continue
            for name, own in assessors:
                if own == unit and not (h == 1 and name == "刘洋"):
                    continue  # a careful group leaves its own members out; 刘洋 did not, in H1 (回避)
                extra = LENIENT_EXTRA if name == LENIENT else 0
                rows.append(dict(unit=unit, review_group=group, assessor=name, assessor_unit=own,
                                 **{item: _score(rng, quality[unit][item], extra) for item in ITEMS},
                                 projects=PROJECTS.get(unit), note=None))
        out[group] = rows
    return out


def generate_reviews(raw_dir: Path, year: int = 2020, seed: int = 2020) -> list[Path]:
    """Write the R12 files of both half years; return their paths."""
    ret = load_returns().half_year["R12"]
    paths = []
    for half in halves_of(year):
        for group, rows in review_rows(year, half.h, seed).items():
            path = Path(raw_dir) / str(half) / ret.owner / f"R12-观摩评分-{group}.xlsx"
            paths.append(write_plain(path, ret, rows, title=f"{half.chinese}观摩评分表（{group}）"))
    return paths
