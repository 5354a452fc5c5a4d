"""check_action: the blockers that refuse each workflow action."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.rulebook import ACTIONS, Action, StepFacts, WorkdayCalendar, check_action
from app.rulebook.profiles import NATIONAL
from app.rulebook.vocabulary import Category, DecisionStatus, Role, Severity, StepKind, StepStatus
from tests.unit.builders import (
    CD,
    ER,
    LR,
    OTHER_SHA,
    PP,
    RA,
    blockers_of,
    compliant_snapshot,
    with_step,
    without_step,
)


def before_meeting(**changes):
    """A decision whose four preparatory steps are done, ready to be submitted."""
    snapshot = compliant_snapshot(status=DecisionStatus.IN_PROGRESS, published_on=None, **changes)
    return without_step(snapshot, CD)


def test_actions_are_the_five_of_the_contract() -> None:
    assert set(ACTIONS) == {"record_step", "sign_legality_review", "submit", "record_collective_decision", "complete"}


def test_unknown_action_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown action 'publish'"):
        check_action(Action("publish"), compliant_snapshot(), NATIONAL, WorkdayCalendar())


class TestRecordStep:
    def exempt(self, kind: StepKind, reason: str | None = "涉密", basis: str | None = "《保守国家秘密法》"):
        return StepFacts(kind=kind, status=StepStatus.EXEMPTED, exemption_reason=reason, exemption_basis=basis)

    @pytest.mark.parametrize("kind", [PP, ER, RA])
    def test_lawful_exemption_passes(self, kind: StepKind) -> None:
        assert blockers_of("record_step", before_meeting(), step=self.exempt(kind)) == []

    @pytest.mark.parametrize("kind", [LR, CD])
    def test_statutory_step_cannot_be_exempted(self, kind: StepKind) -> None:
        (finding,) = blockers_of("record_step", before_meeting(), step=self.exempt(kind))
        assert (finding.rule, finding.severity, finding.step) == ("GEN-02", Severity.BLOCKER, kind)

    def test_exemption_without_basis_is_refused(self) -> None:
        (finding,) = blockers_of("record_step", before_meeting(), step=self.exempt(RA, basis=None))
        assert finding.rule == "GEN-02"
        assert "法律依据" in finding.message_zh

    def test_only_the_proposed_step_is_judged(self) -> None:
        bad = with_step(before_meeting(), ER, status=StepStatus.EXEMPTED)  # already stored without a reason
        assert blockers_of("record_step", bad, step=StepFacts(kind=PP, status=StepStatus.COMPLETED)) == []

    def test_completing_a_step_passes(self) -> None:
        assert blockers_of("record_step", before_meeting(), step=StepFacts(kind=PP, status=StepStatus.COMPLETED)) == []

    def test_proposed_step_is_required(self) -> None:
        with pytest.raises(ValueError, match=r"Action\.step"):
            blockers_of("record_step", before_meeting())


class TestSignLegalityReview:
    def test_legal_adviser_with_preparatory_steps_done(self) -> None:
        assert blockers_of("sign_legality_review", before_meeting(), role=Role.LEGAL_ADVISER) == []

    @pytest.mark.parametrize("role", [Role.CLERK, Role.AUDITOR, Role.ADMIN, None])
    def test_lr01_only_a_legal_adviser_signs(self, role: Role | None) -> None:
        (finding,) = blockers_of("sign_legality_review", before_meeting(), role=role)
        assert (finding.rule, finding.severity, finding.step) == ("LR-01", Severity.BLOCKER, LR)
        assert "法律顾问" in finding.message_zh
        assert "Only a legal adviser" in finding.message_en

    def test_lr01_names_the_role(self) -> None:
        (finding,) = blockers_of("sign_legality_review", before_meeting(), role=Role.CLERK)
        assert "当前用户角色为“经办人”" in finding.message_zh
        assert finding.message_en.endswith("the current role is clerk")

    @pytest.mark.parametrize("kind", [PP, ER, RA])
    def test_lr02_one_blocker_per_preparatory_step_not_done(self, kind: StepKind) -> None:
        snapshot = with_step(before_meeting(), kind, status=StepStatus.IN_PROGRESS)
        (finding,) = blockers_of("sign_legality_review", snapshot, role=Role.LEGAL_ADVISER)
        assert (finding.rule, finding.step) == ("LR-02", kind)
        assert finding.citation == "《重大行政决策程序暂行条例》第二十六条"

    def test_lr02_all_three_missing_and_wrong_role(self) -> None:
        snapshot = without_step(without_step(without_step(before_meeting(), PP), ER), RA)
        findings = blockers_of("sign_legality_review", snapshot, role=Role.CLERK)
        assert [(f.rule, f.step) for f in findings] == [("LR-02", PP), ("LR-02", ER), ("LR-02", RA), ("LR-01", LR)]

    def test_lr02_exempted_step_counts_as_done(self) -> None:
        snapshot = with_step(
            before_meeting(), ER, status=StepStatus.EXEMPTED, exemption_reason="r", exemption_basis="b"
        )
        assert blockers_of("sign_legality_review", snapshot, role=Role.LEGAL_ADVISER) == []

    def test_lr02_step_not_required_is_not_needed(self) -> None:
        profile = replace(NATIONAL, required={Category.MAJOR_MATTER: (PP, LR, CD)})
        snapshot = without_step(before_meeting(), ER)
        assert blockers_of("sign_legality_review", snapshot, role=Role.LEGAL_ADVISER, profile=profile) == []


class TestSubmit:
    def test_ready_decision_passes(self) -> None:
        assert blockers_of("submit", before_meeting()) == []

    @pytest.mark.parametrize("kind", [PP, ER, RA, LR])
    def test_gen01_for_each_missing_pre_meeting_step(self, kind: StepKind) -> None:
        (finding,) = blockers_of("submit", without_step(before_meeting(), kind))
        assert (finding.rule, finding.step) == ("GEN-01", kind)

    def test_the_meeting_step_is_not_needed_to_submit(self) -> None:
        assert all(f.step != CD for f in blockers_of("submit", compliant_snapshot(steps={})))

    def test_ra01_uncontrollable_risk(self) -> None:
        snapshot = with_step(before_meeting(), RA, {"risk_level": "high", "mitigation": None})
        assert [f.rule for f in blockers_of("submit", snapshot)] == ["RA-01"]

    def test_lr04_unlawful_draft(self) -> None:
        snapshot = with_step(before_meeting(), LR, {"opinion": "unlawful"})
        assert [f.rule for f in blockers_of("submit", snapshot)] == ["LR-04"]

    def test_lr04_exploratory_reform_may_go_forward(self) -> None:
        snapshot = with_step(before_meeting(), LR, {"opinion": "unlawful", "legal_risk_statement": "已明示法律风险"})
        assert blockers_of("submit", snapshot) == []

    def test_lr05_changed_draft(self) -> None:
        (finding,) = blockers_of("submit", before_meeting(draft_sha256=OTHER_SHA))
        assert (finding.rule, finding.step) == ("LR-05", LR)

    def test_unlawful_exemption_blocks_submit(self) -> None:
        snapshot = with_step(before_meeting(), RA, status=StepStatus.EXEMPTED, exemption_reason="无风险")
        assert [f.rule for f in blockers_of("submit", snapshot)] == ["GEN-02"]

    def test_violations_do_not_block_submit(self) -> None:
        snapshot = with_step(before_meeting(), PP, {"comment_end": "2025-03-10"})
        assert blockers_of("submit", snapshot) == []


class TestRecordCollectiveDecision:
    @pytest.mark.parametrize(
        ("status", "published_on"),
        [(DecisionStatus.SUBMITTED, None), (DecisionStatus.DECIDED, None)],
    )
    def test_allowed_when_submitted_or_correcting(self, status, published_on) -> None:
        snapshot = compliant_snapshot(status=status, published_on=published_on)
        assert blockers_of("record_collective_decision", snapshot) == []

    @pytest.mark.parametrize("status", [DecisionStatus.DRAFT, DecisionStatus.IN_PROGRESS])
    def test_cd01_not_yet_submitted(self, status: DecisionStatus) -> None:
        snapshot = compliant_snapshot(status=status, published_on=None)
        (finding,) = blockers_of("record_collective_decision", snapshot)
        assert (finding.rule, finding.severity, finding.step) == ("CD-01", Severity.BLOCKER, CD)
        assert "尚未提请集体讨论" in finding.message_zh

    @pytest.mark.parametrize(
        ("status", "published_on"),
        [
            (DecisionStatus.PUBLISHED, compliant_snapshot().published_on),
            (DecisionStatus.ARCHIVED, None),
            (DecisionStatus.DECIDED, compliant_snapshot().published_on),
        ],
    )
    def test_cd01_no_correction_after_publication(self, status, published_on) -> None:
        snapshot = compliant_snapshot(status=status, published_on=published_on)
        (finding,) = blockers_of("record_collective_decision", snapshot)
        assert finding.rule == "CD-01"
        assert "不能再更正" in finding.message_zh
        assert "can no longer be corrected" in finding.message_en


class TestComplete:
    def test_compliant_decision_can_be_completed(self) -> None:
        assert blockers_of("complete", compliant_snapshot()) == []

    def test_missing_meeting_blocks(self) -> None:
        (finding,) = blockers_of("complete", without_step(compliant_snapshot(), CD))
        assert (finding.rule, finding.step) == ("GEN-01", CD)

    def test_only_blockers_are_returned(self) -> None:
        snapshot = with_step(compliant_snapshot(), CD, {"members_present": 1}, evidence_count=0)
        snapshot = with_step(snapshot, RA, {"conclusion": "adjust"})
        snapshot = with_step(snapshot, ER, status=StepStatus.IN_PROGRESS)
        findings = blockers_of("complete", snapshot)
        assert [(f.rule, f.step) for f in findings] == [("GEN-01", ER), ("RA-01", RA)]
        assert {f.severity for f in findings} == {Severity.BLOCKER}
