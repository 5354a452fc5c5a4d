"""CAT-01 (a decision not in the published catalogue), CAT-02 (catalogue published late), CAT-03 (item overdue)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.rulebook import CatalogueItemFacts, CatalogueSnapshot, evaluate_catalogue, get_profile
from app.rulebook.profiles import NATIONAL
from app.rulebook.vocabulary import CatalogueStatus, Category, DecisionStatus, Severity
from tests.unit.builders import blockers_of, compliant_snapshot, findings_of, rule_ids

JIANGSU, NANTONG = get_profile("jiangsu"), get_profile("nantong")


def test_profiles_say_where_catalogues_are_the_rule() -> None:
    assert not NATIONAL.catalogue_required
    assert JIANGSU.catalogue_required and NANTONG.catalogue_required
    assert NANTONG.catalogue_categories == (Category.MAJOR_MATTER, Category.MAJOR_PROJECT)
    assert NANTONG.catalogue_publish_by == (3, 31)
    assert "南通市重大行政决策程序规定》第四条" in NANTONG.citation("CAT-01", "")


@pytest.mark.parametrize("profile", [JIANGSU, NANTONG])
@pytest.mark.parametrize("category", [Category.MAJOR_MATTER, Category.MAJOR_PROJECT])
def test_cat01_an_unlisted_decision_where_catalogues_are_required(profile, category) -> None:
    snapshot = compliant_snapshot(category=category, in_published_catalogue=False,
                                  status=DecisionStatus.IN_PROGRESS, published_on=None)
    findings = [f for f in findings_of(snapshot, profile) if f.rule == "CAT-01"]
    assert len(findings) == 1 and findings[0].severity == Severity.BLOCKER and findings[0].step is None
    assert "目录" in findings[0].message_zh
    assert "CAT-01" in rule_ids(blockers_of("submit", snapshot, profile=profile))


def test_cat01_not_nationally_nor_for_other_categories_nor_when_listed() -> None:
    unlisted = compliant_snapshot(in_published_catalogue=False)
    assert "CAT-01" not in rule_ids(findings_of(unlisted, NATIONAL))
    assert "CAT-01" not in rule_ids(blockers_of("submit", replace(unlisted, status=DecisionStatus.IN_PROGRESS)))
    for category in (Category.CADRE_APPOINTMENT, Category.LARGE_FUND):
        assert "CAT-01" not in rule_ids(findings_of(replace(unlisted, category=category), NANTONG))
    assert "CAT-01" not in rule_ids(findings_of(compliant_snapshot(), NANTONG))


def catalogue(**changes) -> CatalogueSnapshot:
    base = CatalogueSnapshot(year=2025, status=CatalogueStatus.PUBLISHED, published_on=date(2025, 3, 13),
                             today=date(2025, 7, 1), items=())
    return replace(base, **changes)


def rules(snapshot: CatalogueSnapshot, profile=NANTONG) -> list[str]:
    return rule_ids(evaluate_catalogue(snapshot, profile))


def test_cat02_boundaries() -> None:
    assert rules(catalogue(published_on=date(2025, 3, 31))) == []
    late = evaluate_catalogue(catalogue(published_on=date(2025, 4, 1)), NANTONG)
    assert rule_ids(late) == ["CAT-02"] and late[0].severity == Severity.WARNING
    assert "2025年4月1日" in late[0].message_zh
    # Not yet published: a finding only once the day has passed.
    draft = catalogue(status=CatalogueStatus.APPROVED, published_on=None, today=date(2025, 3, 31))
    assert rules(draft) == []
    assert rules(replace(draft, today=date(2025, 4, 1))) == ["CAT-02"]
    assert rules(replace(draft, today=date(2025, 4, 1)), JIANGSU) == ["CAT-02"]
    assert rules(replace(draft, today=date(2025, 4, 1)), NATIONAL) == []


def test_cat03_an_item_past_its_planned_completion_without_a_decided_decision() -> None:
    items = (
        CatalogueItemFacts(1, "农桥建设", date(2025, 6, 30), decided=False),
        CatalogueItemFacts(2, "垃圾分类", date(2025, 6, 30), decided=True),
        CatalogueItemFacts(3, "老旧小区", date(2025, 7, 1), decided=False),  # due today: not yet overdue
        CatalogueItemFacts(4, "无期限", None, decided=False),
    )
    findings = evaluate_catalogue(catalogue(items=items), NATIONAL)
    assert rule_ids(findings) == ["CAT-03"]
    assert "第1项" in findings[0].message_zh and "农桥建设" in findings[0].message_zh
    assert findings[0].severity == Severity.WARNING


def test_catalogue_rules_are_not_decision_rules() -> None:
    from app.rulebook import RULES

    assert {r.id for r in RULES.values() if r.subject == "catalogue"} == {"CAT-02", "CAT-03"}
    assert RULES["CAT-01"].subject == "decision"
