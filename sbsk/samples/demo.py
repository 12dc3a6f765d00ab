"""A realistic sample year of departmental returns, for `sbsk demo` and the tests.

The year is modelled first and then photographed at each quarter end. Every unit has a strength
(林州市 and 文峰区 strong, 滑县 and 北关区 weak) that drives how many projects it reports, how large
they are and how fast they progress. Projects persist across the quarters under the same name and
project code, their year-to-date money never decreases and, summed per unit, grows every quarter;
new projects are added as the year goes on. A quarter's file holds the snapshot as at its end, so
no date in it is later than the quarter end except the due dates of approval items (R09); only R01
entries listed in the previous year and R04 projects started in earlier years (续建) carry earlier
dates. R03 lists the events held in the quarter, R10 one score per unit and assessed indicator. Unit names are mostly canonical, sometimes written as clerks do: a short alias (林州), a
Traditional form (湯陰縣) or padded with spaces; all of them resolve through the registry.

Deliberate features:

- 北关区 has no special-bond project (R07) in any quarter; the R07 file holds the other units.
- 滑县 held no groundbreaking event in Q2: no R03 row for it in that quarter.
- 内黄县 reports in Q3 a 新开工 project started in September with nothing invested yet
  (开而未动, the `suspect_start` flag); its money arrives in Q4.

Invalid rows, each an extra row after the unit's valid rows and each breaking exactly one rule:

    quarter return unit    field               value                        rule broken
    Q1      R01    殷都区  reserve_level       国家重大                     not 省重大 / 省重点
    Q1      R06    汤阴县  paid                850 (allocated 600)          paid ≤ allocated
    Q2      R02    龙安区  contract_amount     0                            contract_amount > 0
    Q2      R05    安阳市  unit                安阳市                       not a scored unit
    Q3      R09    安阳县  completed_on        08-12 (accepted_on 08-20)    completed_on ≥ accepted_on
    Q3      R11    文峰区  grade               较好                         not 优 / 良 / 一般
    Q4      R03    林州市  projects_over_100m  6 (project_count 4)          ≤ project_count
    Q4      R07    滑县    spent               3200 (bond_amount 3000)      spent ≤ bond_amount
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Callable, NamedTuple

from chinese_calendar import find_workday, get_workdays

from sbsk.config.periods import Quarter, quarters_of
from sbsk.config.registry import Unit, load_registry
from sbsk.samples.layouts import write_messy
from sbsk.outputs.return_writer import write_plain
from sbsk.config.rubric import Indicator, load_rubric
from sbsk.schemas import load_returns

STRENGTH = {
    "410581": 0.95,  # 林州市
    "410502": 0.90,  # 文峰区
    "410522": 0.70,  # 安阳县
    "410505": 0.70,  # 殷都区
    "410523": 0.60,  # 汤阴县
    "410506": 0.60,  # 龙安区
    "410527": 0.55,  # 内黄县
    "410503": 0.35,  # 北关区
    "410526": 0.30,  # 滑县
}
DEFAULT_STRENGTH = 0.6
NO_BONDS_UNIT = "410503"  # 北关区
NO_EVENT = ("410526", 2)  # 滑县, Q2
SUSPECT_START = ("410527", 3)  # 内黄县, Q3

# The share of a year's work done in each quarter: Q1 is slow for the Spring Festival (and, in 2020,
# the epidemic). Strong units front-load their work; weak ones rush at the year end.
PACE = (0.7, 1.2, 1.1, 1.0)
FRONT_LOADING = 0.4

Snapshots = list  # a row (dict) or None for each of Q1..Q4

# Where a unit's projects are: its industrial zone (产业集聚区) and two of its towns.
PLACES = {
    "410581": ("林州市产业集聚区", ("林州市陵阳镇", "林州市姚村镇")),
    "410522": ("安阳县产业集聚区", ("安阳县水冶镇", "安阳县白璧镇")),
    "410523": ("汤阴县产业集聚区", ("汤阴县宜沟镇", "汤阴县菜园镇")),
    "410526": ("滑县产业集聚区", ("滑县道口镇", "滑县留固镇")),
    "410527": ("内黄县产业集聚区", ("内黄县井店镇", "内黄县二安镇")),
    "410502": ("文峰区商务中心区", ("文峰区宝莲寺镇", "文峰区高庄镇")),
    "410503": ("北关区产业集聚区", ("北关区柏庄镇", "北关区洹北街道")),
    "410505": ("殷都区产业集聚区", ("殷都区西郊乡", "殷都区曲沟镇")),
    "410506": ("龙安区产业集聚区", ("龙安区龙泉镇", "龙安区马家乡")),
}

SUBJECTS = {
    "先进制造业": ("年产30万吨精密铸件项目", "智能装备制造产业园项目", "新能源汽车零部件生产基地项目",
              "装配式建筑产业园项目", "年产5000吨碳纤维复合材料项目", "锂离子电池材料项目",
              "无人机产业园项目", "数控机床生产线技术改造项目", "食品加工产业园项目"),
    "新基建": ("5G通信基站建设项目", "大数据产业园项目", "工业互联网平台建设项目",
            "新能源汽车充电设施项目", "智慧城市建设项目", "云计算数据中心项目"),
    "基础设施": ("城区道路提升改造工程", "城乡供水一体化工程", "污水处理厂提标改造工程",
             "集中供热管网工程", "农村公路提质改造工程", "天然气管网工程", "公路桥梁改造工程"),
    "生态环保": ("河道综合治理工程", "矿山地质环境恢复治理项目", "生活垃圾焚烧发电项目",
             "湿地公园建设项目", "国土绿化提速工程", "农村人居环境整治项目"),
    "社会民生": ("人民医院新院区项目", "高级中学新校区建设项目", "老旧小区改造项目", "养老服务中心项目",
             "棚户区改造安置房项目", "公共卫生应急救治中心项目", "职业教育园区项目"),
    "现代服务业": ("冷链物流园项目", "文化旅游综合体项目", "电子商务产业园项目", "商业综合体项目",
              "全域旅游开发项目", "现代物流中心项目"),
    "其他": ("乡村振兴示范区项目", "高标准农田建设项目", "特色小镇建设项目"),
}

# Which places (the unit itself, its zone, its towns) a sector's projects are named after:
# a hospital is the county's, a factory is in the zone, a wetland park is in a town.
SECTOR_PLACES = {"先进制造业": "UZ", "新基建": "UZ", "基础设施": "UZ", "生态环保": "UT", "社会民生": "U",
                 "现代服务业": "UZT", "其他": "UT"}

# The two-digit industry segment of a project code, by sector.
INDUSTRY = {"先进制造业": ("31", "34", "38", "39"), "新基建": ("63", "64"), "基础设施": ("46", "48", "54"),
            "生态环保": ("77", "78"), "社会民生": ("82", "83", "84"), "现代服务业": ("51", "59"),
            "其他": ("01", "05")}

# 补短板"982"工程: the area a project belongs to, and what such projects are called.
AREAS_982 = {
    "水利": ("水库除险加固工程", "灌区节水改造工程", "河道治理工程"),
    "交通": ("农村公路提质改造工程", "城区道路改造工程", "公路桥梁改造工程"),
    "能源": ("天然气管网工程", "光伏发电项目", "农网改造升级工程"),
    "信息基础设施": ("5G通信基站建设项目", "数字乡村建设项目"),
    "城镇基础设施": ("污水处理厂提标改造工程", "集中供热管网工程", "老旧小区改造项目"),
    "生态环保": ("矿山地质环境恢复治理项目", "湿地公园建设项目"),
    "社会民生": ("人民医院综合楼项目", "中小学校舍建设项目", "养老服务中心项目"),
    "物流": ("冷链物流园项目", "物流园区项目"),
}

APPROVAL_ITEMS = ("可行性研究报告审批", "用地预审与选址意见书", "建设用地规划许可证", "建设工程规划许可证",
                  "施工图审查", "建筑工程施工许可证", "环境影响评价审批", "节能审查", "水土保持方案审批")

POLICY_TITLES = (
    ("放管服改革", "关于深化“放管服”改革优化营商环境的实施意见"),
    ("放管服改革", "关于印发工程建设项目审批制度改革实施方案的通知"),
    ("放管服改革", "关于推行企业投资项目承诺制的实施意见"),
    ("放管服改革", "关于推进政务服务“一网通办”的实施方案"),
    ("放管服改革", "关于进一步压缩企业开办时间的通知"),
    ("放管服改革", "关于建立投资项目审批代办服务制度的通知"),
    ("放管服改革", "关于推行审批容缺办理机制的实施办法"),
    ("推进项目", "关于加快推进重大项目建设的若干措施"),
    ("推进项目", "关于建立重点项目分包联系制度的通知"),
    ("推进项目", "关于开展“四比四看”项目建设竞赛活动的实施方案"),
    ("推进项目", "关于印发重点项目建设攻坚行动方案的通知"),
    ("推进项目", "关于进一步加强项目谋划储备工作的通知"),
    ("推进项目", "关于建立项目建设周例会制度的通知"),
    ("推进项目", "关于加快项目复工复产的通知"),
)
DOC_PREFIX = {"410581": "林政", "410522": "安县政", "410523": "汤政", "410526": "滑政", "410527": "内政",
              "410502": "文政", "410503": "北政", "410505": "殷政", "410506": "龙政"}

ASSESSOR_NOTES = (  # from the lowest to the highest score band
    ("谋划项目数量偏少，前期工作滞后", "储备项目质量不高，谋划深度不够"),
    ("谋划工作有序推进，项目前期深度有待提高", "储备项目梯次基本合理"),
    ("谋划项目储备充足，前期工作扎实", "项目谋划质量高，储备梯次合理"),
)

TRADITIONAL = {"汤阴县": "湯陰縣", "龙安区": "龍安區", "内黄县": "內黃縣", "殷都区": "殷都區"}


# ---- the year being modelled ----

@dataclass
class _Year:
    year: int
    seed: int
    codes: set[str] = field(default_factory=set)  # project codes in use: unique across returns
    event_days: dict[int, date] = field(init=False)  # the city-wide groundbreaking event of each quarter
    allocation_docs: dict[int, list[str]] = field(init=False)  # the central-budget batches of each quarter
    assessed: list[Indicator] = field(init=False)  # the indicators the office scores itself (R10)

    def __post_init__(self) -> None:
        rng = self.rng("city")
        self.event_days = {q.q: _workday(rng, date(self.year, 3 * q.q - 1, 1), q.end) for q in self.quarters}
        self.allocation_docs = {q.q: [f"豫发改投资〔{self.year}〕{rng.randint(20, 999)}号" for _ in range(2)]
                                for q in self.quarters}
        self.assessed = [i for i in load_rubric().indicators if any(p.method == "assessor" for p in i.parts)]

    @property
    def quarters(self) -> list[Quarter]:
        return quarters_of(self.year)

    def quarter(self, q: int) -> Quarter:
        return Quarter(self.year, q)

    def rng(self, *keys) -> random.Random:
        """An independent stream per purpose, so changing one return leaves the others' data alone."""
        return random.Random("/".join(map(str, (self.seed, *keys))))

    def project_code(self, rng: random.Random, unit: Unit, sector: str, year: int) -> str:
        while True:
            code = (f"{year}-{unit.code}-{rng.choice(INDUSTRY[sector])}-{rng.choice(('01', '02', '03'))}"
                    f"-{rng.randint(1, 999999):06d}")
            if code not in self.codes:
                self.codes.add(code)
                return code


def strength(unit: Unit) -> float:
    return STRENGTH.get(unit.code, DEFAULT_STRENGTH)


@cache
def _workdays(start: date, end: date) -> tuple[date, ...]:
    return tuple(get_workdays(start, end))


def _workday(rng: random.Random, start: date, end: date) -> date:
    """A working day in [start, end]: offices date their papers on working days."""
    return rng.choice(_workdays(start, end))


def _quarter_of(day: date, year: int) -> int:
    """1..4 within the year, 1 for earlier years, 5 for later ones."""
    if day.year != year:
        return 1 if day.year < year else 5
    return (day.month - 1) // 3 + 1


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _count(rng: random.Random, s: float, base: float, spread: float) -> int:
    """How many items a unit of strength s reports: base + spread·s, give or take one."""
    return max(1, round(base + spread * s + rng.uniform(-1, 1)))


def _amount(rng: random.Random, lo: int, hi: int, s: float) -> int:
    """A planned amount in [lo, hi] 万元: log-uniform, larger for stronger units, rounded as planners do."""
    value = lo * (hi / lo) ** (rng.random() ** (1.5 - s))
    step = 100 if value >= 10000 else 10 if value >= 1000 else 1
    return int(min(max(round(value / step) * step, lo), hi))


def _delivery(rng: random.Random, s: float) -> float:
    """The share of the annual plan a project delivers by year end."""
    return min(max(rng.gauss(0.65 + 0.45 * s, 0.08), 0.4), 1.25)


def _ytd(rng: random.Random, s: float, final: float, first_q: int, last_q: int = 4) -> list[float]:
    """Year-to-date amounts at Q1..Q4: 0 before first_q, rising every quarter up to last_q, then flat."""
    weights = [PACE[q - 1] * (1 + FRONT_LOADING * (s - 0.6) * (2.5 - q)) * rng.uniform(0.7, 1.3)
               if first_q <= q <= last_q else 0.0 for q in range(1, 5)]
    total = sum(weights)
    running, out = 0.0, []
    for w in weights:
        running += w
        out.append(round(final * running / total, 2) if total else 0.0)
    return out


def _progress(rng: random.Random, s: float, fixed: dict, money: str, final: float, first_q: int) -> Snapshots:
    """A project reported from first_q on, with its year-to-date `money` growing towards `final`."""
    ytd = _ytd(rng, s, final, first_q)
    return [None if q < first_q else {**fixed, money: ytd[q - 1]} for q in range(1, 5)]


def _sector(rng: random.Random, s: float) -> str:
    # Strong units attract more manufacturing and new infrastructure (the A3 quality sectors).
    weights = {"先进制造业": 2 + 2 * s, "新基建": 1 + 1.5 * s, "基础设施": 2, "生态环保": 1.2,
               "社会民生": 1.5, "现代服务业": 1.2, "其他": 0.4}
    return rng.choices(list(weights), list(weights.values()))[0]


def _name(rng: random.Random, unit: Unit, subjects: tuple[str, ...], places: str, taken: set[str]) -> str:
    """A project name not yet used by the unit in this return: a place (see SECTOR_PLACES) and a subject."""
    zone, towns = PLACES.get(unit.code, (None, ()))
    where = [unit.name] + ([zone] if "Z" in places and zone else []) + (list(towns) if "T" in places else [])
    for _ in range(30):
        name = rng.choice(where) + rng.choice(subjects)
        if name not in taken:
            break
    base, phases = name, iter("二三四五六七八九")
    while name in taken:
        name = f"{base[:-2]}{next(phases)}期{base[-2:]}"  # 林州市冷链物流园二期项目
    taken.add(name)
    return name


def _sector_name(rng: random.Random, unit: Unit, sector: str, taken: set[str]) -> str:
    return _name(rng, unit, SUBJECTS[sector], SECTOR_PLACES[sector], taken)


# ---- R01 项目谋划储备 ----

def _reserve(y: _Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken, items = strength(unit), set(), []
    for level, lo, hi, base, spread in (("省重大", 10000, 500000, 2, 9), ("省重点", 5000, 150000, 3, 10)):
        for i in range(_count(rng, s, base, spread)):
            items.append(_reserve_entry(y, unit, rng, s, level, _amount(rng, lo, hi, s), i == 0, taken))
    return items


def _reserve_entry(y: _Year, unit: Unit, rng: random.Random, s: float, level: str, investment: int,
                   first: bool, taken: set[str]) -> Snapshots:
    sector = _sector(rng, s)
    listed = _listed_on(y, rng, first)
    started = _implemented_on(y, rng, s, listed)
    fixed = {"project_name": _sector_name(rng, unit, sector, taken),
             "project_code": y.project_code(rng, unit, sector, listed.year) if rng.random() < 0.7 else None,
             "reserve_level": level, "total_investment": investment, "sector": sector, "listed_on": listed}
    snaps = []
    for qtr in y.quarters:
        done = started is not None and started <= qtr.end
        snaps.append(None if listed > qtr.end else
                     {**fixed, "implemented": _yes(done), "started_on": started if done else None})
    return snaps


def _listed_on(y: _Year, rng: random.Random, first: bool) -> date:
    if not first and rng.random() < 0.25:
        return _workday(rng, date(y.year - 1, 3, 1), date(y.year - 1, 12, 31))
    q = 1 if first else rng.choices((1, 2, 3, 4), (0.35, 0.3, 0.2, 0.15))[0]
    return _workday(rng, y.quarter(q).start, y.quarter(q).end)


def _implemented_on(y: _Year, rng: random.Random, s: float, listed: date) -> date | None:
    if rng.random() > 0.2 + 0.5 * s:
        return None
    lo = max(listed + timedelta(days=30), date(y.year, 1, 10))
    hi = min(listed + timedelta(days=330), date(y.year, 12, 31))
    return _workday(rng, lo, hi) if lo + timedelta(days=7) <= hi else None


# ---- R02 招商引资签约项目 ----

def _attraction(y: _Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken = strength(unit), set()
    return [_signing(y, unit, rng, s, i == 0, taken) for i in range(_count(rng, s, 2, 8))]


def _signing(y: _Year, unit: Unit, rng: random.Random, s: float, first: bool, taken: set[str]) -> Snapshots:
    q_signed = 1 if first else rng.choices((1, 2, 3, 4), (0.2, 0.3, 0.3, 0.2))[0]
    signed = _workday(rng, y.quarter(q_signed).start, y.quarter(q_signed).end)
    amount = _amount(rng, 5000, 300000, s)
    # Money from a signing in a quarter's last month arrives the next quarter.
    first_money = q_signed + (0 if first or signed.month % 3 else 1)
    paid_in = _ytd(rng, s, amount * rng.uniform(0.05, 0.3) * (0.6 + s), first_money)
    landed_q = q_signed + rng.randint(0, 2) if rng.random() < 0.4 + 0.5 * s else 5
    fixed = {"project_name": _sector_name(rng, unit, _sector(rng, s), taken), "signed_on": signed,
             "contract_amount": amount,
             "funding_origin": rng.choices(("省外", "境外", "省内"), (0.55, 0.1, 0.35))[0],
             "top_investor": _yes(rng.random() < 0.1 + 0.25 * s + (0.3 if amount >= 200000 else 0))}
    return [None if q < q_signed else {**fixed, "paid_in": paid_in[q - 1], "landed": _yes(q >= landed_q)}
            for q in range(1, 5)]


# ---- R03 重大项目集中开工活动 ----

def _events(y: _Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, items = strength(unit), []
    for qtr in y.quarters:
        if (unit.code, qtr.q) == NO_EVENT:
            continue
        days = [y.event_days[qtr.q]]
        if rng.random() < 0.5 * s:  # strong units hold a second event of their own
            days.append(_workday(rng, qtr.start, qtr.end))
        for day in sorted(set(days)):
            row = _event(rng, s, day)
            items.append([row if q == qtr.q else None for q in range(1, 5)])
    return items


def _event(rng: random.Random, s: float, day: date) -> dict:
    count = max(1, round(rng.gauss(3 + 8 * s, 1.5)))
    big = [rng.random() < 0.3 + 0.4 * s for _ in range(count)]
    investment = sum(_amount(rng, 10000, 150000, s) if b else _amount(rng, 2000, 9900, s) for b in big)
    return {"event_on": day, "project_count": count, "total_investment": investment,
            "projects_over_100m": sum(big)}


# ---- R04 亿元以上项目 ----

def _major_projects(y: _Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken = strength(unit), set()
    # The first two continuing projects run all year, so every unit's investment grows each quarter.
    items = [_continuing(y, unit, rng, s, i >= 2, taken) for i in range(_count(rng, s, 3, 6))]
    items += [_new_start(y, unit, rng, s, taken) for _ in range(_count(rng, s, 2, 6))]
    if unit.code == SUSPECT_START[0]:
        items.append(_suspect_start(y, unit, rng, s, SUSPECT_START[1], taken))
    return items


def _major_fixed(y: _Year, unit: Unit, rng: random.Random, s: float, nature: str, code_year: int,
                 taken: set[str]) -> dict:
    sector = _sector(rng, s)
    total = _amount(rng, 10000, 500000, s)
    return {"project_name": _sector_name(rng, unit, sector, taken),
            "project_code": y.project_code(rng, unit, sector, code_year), "total_investment": total,
            "nature": nature, "annual_plan": int(round(total * rng.uniform(0.15, 0.35), -1))}


def _continuing(y: _Year, unit: Unit, rng: random.Random, s: float, may_finish: bool,
                taken: set[str]) -> Snapshots:
    started = _workday(rng, date(y.year - 3, 3, 1), date(y.year - 1, 11, 30))
    fixed = {**_major_fixed(y, unit, rng, s, "续建", started.year, taken), "started_on": started}
    finish_q = rng.choice((2, 3, 4)) if may_finish and rng.random() < 0.35 else None
    completed = _workday(rng, y.quarter(finish_q).start, y.quarter(finish_q).end) if finish_q else None
    ytd = _ytd(rng, s, fixed["annual_plan"] * _delivery(rng, s), 1, finish_q or 4)
    return [{**fixed, "completed_on": completed if finish_q and q >= finish_q else None,
             "ytd_completed": ytd[q - 1]} for q in range(1, 5)]


def _new_start(y: _Year, unit: Unit, rng: random.Random, s: float, taken: set[str]) -> Snapshots:
    fixed = _major_fixed(y, unit, rng, s, "新开工", rng.choice((y.year - 1, y.year)), taken)
    start_q = 5 if rng.random() < 0.3 * (1 - s) else rng.choices((1, 2, 3, 4), (0.3, 0.3, 0.25, 0.15))[0]
    started = _workday(rng, y.quarter(start_q).start, y.quarter(start_q).end) if start_q <= 4 else None
    # Most are in the annual plan from January; some are added when they start.
    listed_q = start_q if start_q <= 4 and rng.random() < 0.25 else 1
    completed = None
    if started and start_q <= 2 and rng.random() < 0.15:
        completed = _workday(rng, max(started + timedelta(days=120), y.quarter(4).start), y.quarter(4).end)
    final = fixed["annual_plan"] * _delivery(rng, s) * (0.4 + 0.15 * (5 - start_q))
    ytd = _ytd(rng, s, final, start_q)
    return [None if q < listed_q else
            {**fixed, "started_on": started if q >= start_q else None,
             "completed_on": completed if q == 4 else None, "ytd_completed": ytd[q - 1]}
            for q in range(1, 5)]


def _suspect_start(y: _Year, unit: Unit, rng: random.Random, s: float, q: int, taken: set[str]) -> Snapshots:
    """A 新开工 project reported as started in the last month of quarter q with nothing invested (开而未动)."""
    fixed = _major_fixed(y, unit, rng, s, "新开工", y.year, taken)
    started = _workday(rng, date(y.year, 3 * q, 1), y.quarter(q).end)
    ytd = _ytd(rng, s, fixed["annual_plan"] * 0.2, q + 1)
    return [{**fixed, "started_on": started if i >= q else None, "completed_on": None,
             "ytd_completed": ytd[i - 1]} for i in range(1, 5)]


# ---- R05 省市重点项目投资进度, R06 中央预算内, R07 专项债券, R08 补短板"982" ----

def _key_projects(y: _Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken, items = strength(unit), set(), []
    for level, lo, hi, base, spread in (("省重点", 8000, 120000, 1, 4), ("市重点", 2000, 50000, 3, 7)):
        for i in range(_count(rng, s, base, spread)):
            plan = _amount(rng, lo, hi, s)
            fixed = {"project_name": _sector_name(rng, unit, _sector(rng, s), taken), "level": level,
                     "annual_plan": plan}
            items.append(_progress(rng, s, fixed, "ytd_completed", plan * _delivery(rng, s), _added_q(rng, i)))
    return items


def _added_q(rng: random.Random, index: int) -> int:
    """The quarter an item is first reported: the first one from Q1, a few others later."""
    return 1 if index == 0 or rng.random() < 0.8 else rng.choice((2, 3))


def _central_budget(y: _Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken, items = strength(unit), set(), []
    for i in range(_count(rng, s, 1.5, 4)):
        first_q = 1 if i == 0 else rng.choices((1, 2, 3), (0.5, 0.3, 0.2))[0]
        allocated = _amount(rng, 100, 6000, s)
        sector = rng.choice(("社会民生", "基础设施", "生态环保"))
        fixed = {"project_name": _sector_name(rng, unit, sector, taken),
                 "allocation_doc": rng.choice(y.allocation_docs[first_q]) if rng.random() < 0.85 else None,
                 "allocated": allocated}
        paid = allocated * min(max(rng.gauss(0.65 + 0.3 * s, 0.1), 0.3), 1.0)
        items.append(_progress(rng, s, fixed, "paid", paid, first_q))
    return items


def _special_bonds(y: _Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    if unit.code == NO_BONDS_UNIT:
        return []
    s, taken, items = strength(unit), set(), []
    for i in range(_count(rng, s, 1, 3)):
        bond = _amount(rng, 1000, 50000, s)
        sector = rng.choice(("基础设施", "社会民生", "生态环保"))
        fixed = {"project_name": _sector_name(rng, unit, sector, taken), "bond_amount": bond}
        spent = bond * min(max(rng.gauss(0.7 + 0.25 * s, 0.1), 0.3), 1.0)
        items.append(_progress(rng, s, fixed, "spent", spent, _added_q(rng, i)))
    return items


def _program_982(y: _Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken, items = strength(unit), set(), []
    for i in range(_count(rng, s, 2, 5)):
        area = rng.choice(list(AREAS_982))
        plan = _amount(rng, 1000, 60000, s)
        fixed = {"project_name": _name(rng, unit, AREAS_982[area], "UT", taken), "area": area, "annual_plan": plan}
        items.append(_progress(rng, s, fixed, "ytd_completed", plan * _delivery(rng, s), _added_q(rng, i)))
    return items


# ---- R09 联审联批事项 ----

def _approvals(y: _Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, taken, items = strength(unit), set(), []
    for i in range(_count(rng, s, 2, 5)):
        project = _sector_name(rng, unit, _sector(rng, s), taken)
        # The first two projects are registered early, so every quarter has items due.
        registered = _workday(rng, date(y.year, 1, 2), date(y.year, 2, 28) if i < 2 else date(y.year, 11, 30))
        for item in sorted(rng.sample(APPROVAL_ITEMS, rng.randint(1, 3)), key=APPROVAL_ITEMS.index):
            registered = find_workday(rng.randint(0, 15), registered)
            items.append(_approval(y, rng, s, project, item, registered))
    return items


def _approval(y: _Year, rng: random.Random, s: float, project: str, item: str, registered: date) -> Snapshots:
    accepted = find_workday(rng.randint(0, 8), registered)
    limit = rng.choice((20, 30, 45, 60))  # working days allowed
    due = find_workday(limit, accepted)
    completed = None
    if rng.random() > 0.05 + 0.2 * (1 - s):  # the rest are stuck
        # Strong units finish in about half the time allowed, weak ones close to it or late.
        completed = find_workday(max(1, round(rng.gauss(limit * (1.1 - 0.6 * s), limit * 0.25))), accepted)
    snaps = []
    for qtr in y.quarters:
        if registered > qtr.end:
            snaps.append(None)
            continue
        snaps.append({"project_name": project, "item_name": item, "due_on": due,
                      "accepted_on": accepted if accepted <= qtr.end else None,
                      "completed_on": completed if completed and completed <= qtr.end else None})
    return snaps


# ---- R10 专班评分, R11 政策措施文件 ----

def _assessments(y: _Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s, items = strength(unit), []
    for ind in y.assessed:
        top = float(ind.max_points)
        snaps = []
        for _ in y.quarters:
            score = round(min(max(rng.gauss(top * (0.45 + 0.5 * s), top * 0.08), 0.0), top), 1)
            band = ASSESSOR_NOTES[min(int(score / top * 3), 2)]
            snaps.append({"indicator": ind.code if rng.random() < 0.8 else ind.name, "score": score,
                          "note": rng.choice(band) if rng.random() < 0.7 else None})
        items.append(snaps)
    return items


def _documents(y: _Year, unit: Unit, rng: random.Random) -> list[Snapshots]:
    s = strength(unit)
    n = _count(rng, s, 2, 5)
    q1 = y.quarter(1)
    # The first document is issued in Q1, so every quarter's return has the unit's rows.
    days = sorted([_workday(rng, q1.start, q1.end)] + [_workday(rng, q1.start, date(y.year, 12, 20))
                                                       for _ in range(n - 1)])
    serials = {"": rng.randint(1, 12), "办": rng.randint(1, 20)}
    items = []
    for day, (category, title) in zip(days, rng.sample(POLICY_TITLES, n)):
        office = rng.choice(("", "办"))
        serials[office] += rng.randint(2, 12)
        row = {"title": f"{unit.name}人民政府{'办公室' if office else ''}{title}",
               "doc_number": f"{DOC_PREFIX.get(unit.code, unit.name[0] + '政')}{office}〔{y.year}〕{serials[office]}号",
               "issued_on": day, "category": category,
               "grade": rng.choices(("优", "良", "一般"), (0.2 + 0.5 * s, 0.5, 0.8 - 0.5 * s))[0]}
        items.append([None if q < _quarter_of(day, y.year) else row for q in range(1, 5)])
    return items


BUILDERS: dict[str, Callable[[_Year, Unit, random.Random], list[Snapshots]]] = {
    "R01": _reserve, "R02": _attraction, "R03": _events, "R04": _major_projects, "R05": _key_projects,
    "R06": _central_budget, "R07": _special_bonds, "R08": _program_982, "R09": _approvals,
    "R10": _assessments, "R11": _documents,
}


# ---- the planted invalid rows (see the module docstring) ----

class Planted(NamedTuple):
    quarter: int
    code: str
    unit: str  # as written in the return
    row: dict


def planted_rows(year: int) -> list[Planted]:
    """The invalid rows of the module docstring, one rule broken in each."""
    def d(month: int, day: int) -> date:
        return date(year, month, day)

    return [
        Planted(1, "R01", "殷都区", {"project_name": "殷都区殷墟遗址保护展示提升工程", "reserve_level": "国家重大",
                                  "total_investment": 120000, "sector": "社会民生", "listed_on": d(2, 20),
                                  "implemented": "否"}),
        Planted(1, "R06", "汤阴县", {"project_name": "汤阴县食品产业园冷链仓储设施项目",
                                  "allocation_doc": f"豫发改投资〔{year}〕86号", "allocated": 600, "paid": 850}),
        Planted(2, "R02", "龙安区", {"project_name": "龙安区智能装备制造合作框架协议项目", "signed_on": d(5, 18),
                                  "contract_amount": 0, "funding_origin": "省外", "paid_in": 0,
                                  "top_investor": "否", "landed": "否"}),
        Planted(2, "R05", "安阳市", {"project_name": "安阳市中心城区雨污分流改造工程", "level": "市重点",
                                  "annual_plan": 30000, "ytd_completed": 12000}),
        Planted(3, "R09", "安阳县", {"project_name": "安阳县产业集聚区标准化厂房项目", "item_name": "建设工程规划许可证",
                                  "due_on": d(9, 30), "accepted_on": d(8, 20), "completed_on": d(8, 12)}),
        Planted(3, "R11", "文峰区", {"title": "文峰区人民政府关于推行投资项目审批容缺办理的实施意见",
                                  "doc_number": f"文政〔{year}〕58号", "issued_on": d(8, 5),
                                  "category": "放管服改革", "grade": "较好"}),
        Planted(4, "R03", "林州市", {"event_on": d(11, 18), "project_count": 4, "total_investment": 86000,
                                  "projects_over_100m": 6}),
        Planted(4, "R07", "滑县", {"project_name": "滑县道口古镇基础设施提升项目", "bond_amount": 3000,
                                "spent": 3200}),
    ]


# ---- writing ----

def _unit_text(rng: random.Random, unit: Unit) -> str:
    """The unit as a clerk writes it: mostly the canonical name, sometimes an accepted variant."""
    if rng.random() < 0.85:
        return unit.name
    variants = [a for a in unit.aliases if not a.endswith("政府")]
    variants += [TRADITIONAL[unit.name]] if unit.name in TRADITIONAL else []
    variants += [f" {unit.name} ", f"{unit.name}  "]
    return rng.choice(variants)


def _quarter_rows(items: list[tuple[Unit, Snapshots]], q: int, planted: list[Planted],
                  labels: random.Random) -> list[dict]:
    """The rows of one return at quarter q, each planted row after its unit's valid rows."""
    rows = [(unit.name, {**snaps[q - 1], "unit": _unit_text(labels, unit)})
            for unit, snaps in items if snaps[q - 1] is not None]
    for p in planted:
        at = max((i + 1 for i, (name, _) in enumerate(rows) if name == p.unit), default=len(rows))
        rows.insert(at, (p.unit, {**p.row, "unit": p.unit}))
    return [row for _, row in rows]


# Some departments send their own spreadsheets, not the plain layout (SPEC §8: "some messy").
MESSY = {
    "R04": frozenset({"title_rows", "filler_rows", "merged_header", "yi_yuan_header", "totals", "notes_below"}),
    "R09": frozenset({"header_noise", "dates_as_text", "notes_sheet", "extra_columns"}),
    "R05": frozenset({"yi_yuan_line", "numbers_as_text", "subtotals", "hidden_column"}),
}


def generate_year(raw_dir: Path, year: int = 2020, seed: int = 2020, messy: bool = True) -> list[Path]:
    """Write the four quarters of returns under raw_dir/<YYYYQn>/<dept_code>/<code>-<table>.xlsx; return the paths."""
    defs = load_returns()
    units = load_registry().for_year(year)
    y = _Year(year, seed)
    plan = {code: [(unit, snaps) for unit in units for snaps in build(y, unit, y.rng(code, unit.code))]
            for code, build in BUILDERS.items()}
    planted = planted_rows(year)
    labels = y.rng("unit-labels")
    paths = []
    for qtr in y.quarters:
        for code, ret in defs.returns.items():
            mine = [p for p in planted if (p.quarter, p.code) == (qtr.q, code)]
            rows = _quarter_rows(plan[code], qtr.q, mine, labels)
            path = Path(raw_dir) / str(qtr) / ret.owner / f"{code}-{ret.table}.xlsx"
            if code in MESSY and messy:
                paths.append(write_messy(path, code, rows, MESSY[code], quarter=str(qtr), seed=seed + qtr.q).path)
            else:
                paths.append(write_plain(path, ret, rows, title=f"{qtr.chinese} {ret.title}"))
    return paths
