"""The demo's catalogues (事项目录): 2024 lists the 47 decisions of the year, all five procedures each;
2025 lists the year's cases, with an item added mid-year and one removed, and items whose 履行程序要求 leave out
expert review or risk assessment (those decisions are exempted citing the catalogue).

The catalogues are published before the decisions go to the meeting, so CAT-01 holds under the
``nantong`` profile for every listed decision; two 2025 matters stay unlisted to show it.
"""

from __future__ import annotations

from datetime import date

from app.models import Catalogue, CatalogueItem, User
from app.rulebook.vocabulary import Category
from app.services import catalogues

from .cases import Case

BODY = {Category.CADRE_APPOINTMENT: "白甸镇党委"}
BASIS = {
    Category.MAJOR_MATTER: "《重大行政决策程序暂行条例》",
    Category.CADRE_APPOINTMENT: "《党政领导干部选拔任用工作条例》",
    Category.MAJOR_PROJECT: "《政府投资条例》",
    Category.LARGE_FUND: "《中华人民共和国预算法》",
}
#: 2025 matters not in the catalogue: a 2026 matter drafted early, and a project nobody listed (CAT-01 under nantong).
UNLISTED_2025 = ("白甸镇2026年度为民办实事项目安排", "白甸镇农村公共厕所改造项目")
#: Listed only in June, after publication (年中调整新增).
ADDED_2025 = "白甸镇村级活动阵地提升工程"
#: Listed, then taken out in July (调出): it never became a decision.
REMOVED_2025 = "白甸镇镇区停车场建设项目"
#: 2025 items whose 履行程序要求 leave a procedure out.
NOT_REQUIRED_2025 = {
    "白甸镇机关事务管理办法": {"expert_review": False},
    "白甸镇残疾人两项补贴资金发放": {"risk_assessment": False},
}


def _item(case: Case, planned: date, procedures: dict[str, bool] | None = None, **extra) -> dict:
    return {"title": case.title, "category": case.category.value, "sponsor_unit": f"白甸镇{case.department}",
            "decision_body": BODY.get(case.category, "白甸镇人民政府"), "legal_basis": BASIS[case.category],
            "planned_completion": planned.isoformat(), "procedures": procedures or {}, **extra}


def catalogue_2024(clerk: User, cases: list[Case]) -> tuple[Catalogue, list[CatalogueItem]]:
    """Every decision of 2024 listed, all five procedures required, agreed and published in time."""
    catalogue = catalogues.create_catalogue(clerk, {"year": 2024})
    items = [catalogues.add_item(clerk, catalogue, _item(case, date(2024, 12, 31))) for case in cases]
    catalogues.approve_catalogue(clerk, catalogue, {"approved_on": "2024-02-26", "approval_ref": "白委〔2024〕6号"})
    catalogues.publish_catalogue(clerk, catalogue, {"published_on": "2024-03-08"})
    return catalogue, items


def catalogue_2025(clerk: User, cases: tuple[Case, ...]) -> tuple[Catalogue, dict[str, CatalogueItem]]:
    """The 2025 catalogue, adjusted during the year; the change log is dated as the adjustments were made."""
    catalogue = catalogues.create_catalogue(clerk, {"year": 2025})
    items: dict[str, CatalogueItem] = {}
    listed = [case for case in cases if case.title not in UNLISTED_2025 and case.title != ADDED_2025]
    for index, case in enumerate(listed):
        planned = date(2025, 6, 30) if index % 2 == 0 else date(2025, 11, 30)
        items[case.title] = catalogues.add_item(clerk, catalogue,
                                                _item(case, planned, NOT_REQUIRED_2025.get(case.title)))
    removed = catalogues.add_item(clerk, catalogue, {
        "title": REMOVED_2025, "category": Category.MAJOR_PROJECT.value, "sponsor_unit": "白甸镇建设局",
        "decision_body": "白甸镇人民政府", "legal_basis": BASIS[Category.MAJOR_PROJECT],
        "planned_completion": "2025-09-30"})
    catalogues.approve_catalogue(clerk, catalogue, {"approved_on": "2025-03-05", "approval_ref": "白委〔2025〕4号"})
    catalogues.publish_catalogue(clerk, catalogue, {"published_on": "2025-03-13"})
    added = next(case for case in cases if case.title == ADDED_2025)
    items[added.title] = catalogues.add_item(clerk, catalogue, _item(
        added, date(2025, 10, 31), adjustment_reason="村级活动阵地提升列入省级补助计划，经镇政府常务会议研究增补"))
    catalogues.remove_item(clerk, catalogue, removed, {
        "adjustment_reason": "停车场建设并入《白甸镇集镇区机动车停放管理办法》统筹实施，不再单独决策"})
    for change, day in zip(catalogue.changes, (date(2025, 6, 16), date(2025, 7, 10)), strict=True):
        change.on = day  # the demo's adjustments as they would have been recorded during the year
    return catalogue, items
