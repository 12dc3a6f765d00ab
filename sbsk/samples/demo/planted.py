"""The planted invalid rows of the demo year (the package docstring lists them), one rule broken in each."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

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
