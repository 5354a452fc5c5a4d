"""GEN-03 (money categories state an amount), REC-01 (stated dates against the system's record), REC-02."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.rulebook.vocabulary import Category, Severity, StepStatus
from tests.unit.builders import CD, LR, MEETING, PUBLISHED, compliant_snapshot, findings_of, rule_ids, with_step

REVIEWED = date(2025, 5, 21)
DAY = timedelta(days=1)


def _rec01(snapshot) -> list:
    return [f for f in findings_of(snapshot) if f.rule == "REC-01"]


# -- GEN-03 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("category", [Category.MAJOR_PROJECT, Category.LARGE_FUND])
def test_gen03_money_category_without_amount_is_a_violation(category) -> None:
    found = [f for f in findings_of(compliant_snapshot(category=category)) if f.rule == "GEN-03"]
    assert len(found) == 1
    assert found[0].severity == Severity.VIOLATION
    assert found[0].step is None
    assert "金额" in found[0].message_zh
    assert found[0].citation.startswith("“三重一大”")


@pytest.mark.parametrize("category", [Category.MAJOR_PROJECT, Category.LARGE_FUND])
@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("0.01"), Decimal("1250000.00")])
def test_gen03_holds_with_any_amount_even_zero(category, amount) -> None:
    assert "GEN-03" not in rule_ids(findings_of(compliant_snapshot(category=category, amount_cny=amount)))


@pytest.mark.parametrize("category", [Category.MAJOR_MATTER, Category.CADRE_APPOINTMENT])
def test_gen03_other_categories_need_no_amount(category) -> None:
    assert "GEN-03" not in rule_ids(findings_of(compliant_snapshot(category=category)))


# -- REC-01: the signed draft ------------------------------------------------------------------------


def test_rec01_review_dated_before_the_signed_draft_existed() -> None:
    found = _rec01(compliant_snapshot(signed_draft_recorded_on=REVIEWED + DAY))
    assert len(found) == 1
    finding = found[0]
    assert finding.severity == Severity.VIOLATION
    assert finding.step == LR
    # The message names both dates.
    assert "2025年5月21日" in finding.message_zh and "2025年5月22日" in finding.message_zh
    assert "2025-05-21" in finding.message_en and "2025-05-22" in finding.message_en


def test_rec01_review_on_the_day_the_draft_was_recorded_holds() -> None:
    assert _rec01(compliant_snapshot(signed_draft_recorded_on=REVIEWED)) == []
    assert _rec01(compliant_snapshot(signed_draft_recorded_on=REVIEWED - DAY)) == []


def test_rec01_needs_a_signature_and_a_review_date() -> None:
    unsigned = with_step(compliant_snapshot(signed_draft_recorded_on=REVIEWED + DAY), LR, {"draft_sha256": None})
    assert _rec01(unsigned) == []
    undated = with_step(compliant_snapshot(signed_draft_recorded_on=REVIEWED + DAY), LR, {"reviewed_on": None})
    assert _rec01(undated) == []


# -- REC-01: the meeting -----------------------------------------------------------------------------


def test_rec01_meeting_dated_before_the_submission() -> None:
    found = _rec01(compliant_snapshot(submitted_recorded_on=MEETING + DAY))
    assert [(f.step, f.severity) for f in found] == [(CD, Severity.VIOLATION)]
    assert "2025年5月23日" in found[0].message_zh and "2025年5月24日" in found[0].message_zh
    assert "2025-05-23" in found[0].message_en and "2025-05-24" in found[0].message_en


def test_rec01_meeting_on_the_day_of_submission_holds() -> None:
    assert _rec01(compliant_snapshot(submitted_recorded_on=MEETING)) == []


def test_rec01_meeting_not_yet_recorded_is_not_judged() -> None:
    snapshot = with_step(compliant_snapshot(submitted_recorded_on=MEETING + DAY), CD, status=StepStatus.NOT_STARTED)
    assert _rec01(snapshot) == []


# -- REC-01: the publication -------------------------------------------------------------------------


def test_rec01_publication_dated_before_the_decision_was_recorded() -> None:
    found = _rec01(compliant_snapshot(decided_recorded_on=PUBLISHED + DAY))
    assert len(found) == 1
    assert found[0].step == CD
    assert "2025年6月6日" in found[0].message_zh and "2025年6月7日" in found[0].message_zh


def test_rec01_publication_on_the_day_of_the_record_holds() -> None:
    assert _rec01(compliant_snapshot(decided_recorded_on=PUBLISHED)) == []
    assert _rec01(compliant_snapshot(decided_recorded_on=PUBLISHED + DAY, published_on=None)) == []


def test_rec01_all_three_at_once_and_the_decision_is_not_complete() -> None:
    from app.rulebook import is_complete
    from app.rulebook.profiles import NATIONAL

    snapshot = compliant_snapshot(signed_draft_recorded_on=REVIEWED + DAY, submitted_recorded_on=MEETING + DAY,
                                  decided_recorded_on=PUBLISHED + DAY)
    findings = findings_of(snapshot)
    assert rule_ids(findings).count("REC-01") == 3
    assert not is_complete(snapshot, findings, NATIONAL)


def test_rec01_does_not_apply_to_a_backfilled_decision() -> None:
    snapshot = compliant_snapshot(backfilled=True, signed_draft_recorded_on=REVIEWED + DAY,
                                  submitted_recorded_on=MEETING + DAY, decided_recorded_on=PUBLISHED + DAY)
    assert _rec01(snapshot) == []


def test_no_system_record_no_rec01() -> None:
    assert _rec01(compliant_snapshot()) == []


# -- REC-02 ------------------------------------------------------------------------------------------


def test_rec02_warns_on_a_backfilled_decision_and_it_stays_complete() -> None:
    from app.rulebook import is_complete
    from app.rulebook.profiles import NATIONAL

    snapshot = compliant_snapshot(backfilled=True)
    findings = findings_of(snapshot)
    assert rule_ids(findings) == ["REC-02"]
    assert findings[0].severity == Severity.WARNING
    assert findings[0].step is None
    assert "补录" in findings[0].message_zh
    assert is_complete(snapshot, findings, NATIONAL)


def test_rec02_not_on_a_live_decision() -> None:
    assert "REC-02" not in rule_ids(findings_of(compliant_snapshot(backfilled=False)))
