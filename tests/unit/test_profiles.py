"""Jurisdiction profiles: parameters, inheritance from national, citations and notes."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import date

import pytest

from app.rulebook import PROFILES, Profile, Quorum, get_profile
from app.rulebook.profiles import PARAMETERS
from app.rulebook.vocabulary import Category, StepKind
from tests.unit.builders import LR, compliant_snapshot, findings_of, with_step

NATIONAL_REVIEW = "《重大行政决策程序暂行条例》第二十六条"


def test_three_profiles() -> None:
    assert list(PROFILES) == ["national", "jiangsu", "nantong"]
    assert all(get_profile(name) is PROFILES[name] for name in PROFILES)


def test_unknown_profile_fails_clearly() -> None:
    with pytest.raises(KeyError, match=r"unknown rulebook profile 'shanghai'; known profiles: national, jiangsu"):
        get_profile("shanghai")


def test_national_parameters() -> None:
    national = get_profile("national")
    assert (
        national.comment_period_days,
        national.hearing_notice_days,
        national.experts_min,
        national.review_workdays_min,
        national.publish_workdays,
        national.archive_days,
    ) == (30, 7, 3, 7, 20, 30)
    assert national.label_zh
    assert national.inherited_from_national == ()


@pytest.mark.parametrize("category", [c for c in Category if c != Category.CADRE_APPOINTMENT])
def test_quorum_is_more_than_half_by_default(category: Category) -> None:
    assert get_profile("national").quorum(category) == Quorum(1, 2, inclusive=False)


def test_cadre_quorum_is_two_thirds_inclusive() -> None:
    assert get_profile("national").quorum(Category.CADRE_APPOINTMENT) == Quorum(2, 3, inclusive=True)


@pytest.mark.parametrize(
    ("quorum", "count", "total", "met"),
    [
        (Quorum(1, 2, False), 5, 10, False),
        (Quorum(1, 2, False), 6, 10, True),
        (Quorum(1, 2, False), 5, 9, True),
        (Quorum(1, 2, False), 4, 9, False),
        (Quorum(2, 3, True), 6, 9, True),
        (Quorum(2, 3, True), 5, 9, False),
        (Quorum(2, 3, True), 7, 10, True),
        (Quorum(2, 3, True), 6, 10, False),
    ],
)
def test_quorum_boundaries(quorum: Quorum, count: int, total: int, met: bool) -> None:
    assert quorum.met(count, total) is met


def test_quorum_wording() -> None:
    assert Quorum(1, 2, False).text_zh == "超过应到会人数的1/2"
    assert Quorum(2, 3, True).text_en == "at least 2/3 of the members"


@pytest.mark.parametrize("name", ["jiangsu", "nantong"])
def test_local_profiles_inherit_every_national_value(name: str) -> None:
    national, local = get_profile("national"), get_profile(name)
    assert local.inherited_from_national == PARAMETERS
    for parameter in PARAMETERS:
        assert getattr(local, parameter) == getattr(national, parameter), parameter


def test_jiangsu_notes_the_missing_text() -> None:
    notes = " ".join(get_profile("jiangsu").notes)
    assert "省政府令第134号" in notes
    assert "未能找到" in notes
    assert get_profile("jiangsu").citations == {}


def test_nantong_cites_its_own_article_for_lr03() -> None:
    nantong = get_profile("nantong")
    assert nantong.citation("LR-03", NATIONAL_REVIEW) == (
        "《重大行政决策程序暂行条例》第二十六条；《南通市重大行政决策程序规定》第二十三条"
    )
    assert nantong.citation("LR-04", "default") == "default"
    notes = " ".join(nantong.notes)
    assert "Q*" in notes
    assert "不计入审查期限" in notes


def test_nantong_citation_reaches_the_finding() -> None:
    snapshot = with_step(compliant_snapshot(), LR, {"reviewed_on": date(2025, 5, 20)})
    (national,) = findings_of(snapshot, get_profile("national"))
    (nantong,) = findings_of(snapshot, get_profile("nantong"))
    assert national.citation == NATIONAL_REVIEW
    assert "《南通市重大行政决策程序规定》第二十三条" in nantong.citation
    assert nantong.message_zh == national.message_zh


def test_national_notes_name_the_unconfirmed_values() -> None:
    notes = " ".join(get_profile("national").notes)
    assert "《政府信息公开条例》第二十六条" in notes
    assert "无法定依据" in notes


def test_profile_parameters_drive_the_rules() -> None:
    strict = replace(get_profile("national"), name="strict", review_workdays_min=8)
    snapshot = compliant_snapshot()
    assert findings_of(snapshot, get_profile("national")) == []
    (finding,) = findings_of(snapshot, strict)
    assert finding.rule == "LR-03"
    assert "少于8个工作日" in finding.message_zh


def test_profiles_are_immutable() -> None:
    national = get_profile("national")
    with pytest.raises(FrozenInstanceError):
        national.experts_min = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        national.citations["LR-03"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        national.required[Category.MAJOR_MATTER] = ()  # type: ignore[index]


def test_profiles_are_hashable() -> None:
    assert len({get_profile("national"), get_profile("national"), get_profile("nantong")}) == 2


def test_custom_profile_sorts_required_steps() -> None:
    required = {Category.LARGE_FUND: ("collective_decision", "legality_review")}
    profile = Profile(name="t", label_zh="测试", label_en="Test", required=required)
    assert profile.required_steps(Category.LARGE_FUND) == (StepKind.LEGALITY_REVIEW, StepKind.COLLECTIVE_DECISION)
    assert profile.required_steps(Category.MAJOR_MATTER) == tuple(StepKind)
