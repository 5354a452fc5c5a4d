"""The catalogue as a whole, GEN-01, GEN-02, EVD-01, ordering, the finding shape and completeness."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.rulebook import (
    CATALOGUE,
    RULES,
    Finding,
    WorkdayCalendar,
    evaluate,
    is_complete,
    required_steps,
    sort_findings,
)
from app.rulebook.profiles import NATIONAL
from app.rulebook.vocabulary import EXEMPTIBLE_STEPS, Category, Severity, StepKind, StepStatus
from tests.unit.builders import CD, ER, LR, PP, RA, compliant_snapshot, findings_of, rule_ids, with_step, without_step

B, V, W = Severity.BLOCKER, Severity.VIOLATION, Severity.WARNING

#: DESIGN §3: ids and severities are a fixed contract.
CONTRACT = {
    "GEN-01": B, "GEN-02": B,
    "PP-01": V, "PP-02": W, "PP-03": V,
    "ER-01": W, "ER-02": V, "ER-03": V,
    "RA-01": B,
    "LR-01": B, "LR-02": B, "LR-03": V, "LR-04": B, "LR-05": B,
    "CD-01": B, "CD-02": V, "CD-03": V, "CD-04": V, "CD-05": V, "CD-06": V, "CD-07": V, "CD-08": V,
    "PUB-01": W,
    "EVD-01": W,
    "GEN-03": V,
    "REC-01": V, "REC-02": W,
    "CAT-01": B, "CAT-02": W, "CAT-03": W,
}  # fmt: skip


def test_catalogue_ids_and_severities_are_the_contract() -> None:
    assert list(RULES) == list(CATALOGUE) == list(CONTRACT)
    assert {rule_id: rule.severity for rule_id, rule in RULES.items()} == CONTRACT


def test_only_the_action_guards_are_action_only() -> None:
    assert {r.id for r in RULES.values() if r.action_only} == {"LR-01", "LR-02", "CD-01"}


@pytest.mark.parametrize("rule_id", CATALOGUE)
def test_every_rule_cites_and_explains(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.id == rule_id
    assert rule.citation.startswith(("《", "“", "地方实践"))
    assert rule.title_zh
    assert rule.title_en
    assert rule.check.__doc__, "a rule's docstring says why it exists"


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        RULES["GEN-01"] = RULES["GEN-02"]  # type: ignore[index]


def test_compliant_decision_has_no_findings_and_is_complete() -> None:
    snapshot = compliant_snapshot()
    findings = evaluate(snapshot, NATIONAL, WorkdayCalendar())
    assert findings == []
    assert is_complete(snapshot, findings, NATIONAL)


@pytest.mark.parametrize("kind", list(StepKind))
@pytest.mark.parametrize("status", [StepStatus.NOT_STARTED, StepStatus.IN_PROGRESS])
def test_gen01_one_blocker_per_missing_step(kind: StepKind, status: StepStatus) -> None:
    snapshot = with_step(compliant_snapshot(), kind, status=status)
    findings = [f for f in findings_of(snapshot) if f.rule == "GEN-01"]
    assert [(f.severity, f.step) for f in findings] == [(B, kind)]
    assert "尚未完成，也未依法免除" in findings[0].message_zh
    assert "neither completed nor exempted" in findings[0].message_en
    assert not is_complete(snapshot, findings, NATIONAL)


def test_gen01_cites_the_article_of_the_missing_step() -> None:
    snapshot = without_step(without_step(compliant_snapshot(), PP), LR)
    findings = findings_of(snapshot)
    assert [(f.rule, f.step, f.citation) for f in findings] == [
        ("GEN-01", PP, "《重大行政决策程序暂行条例》第十四条"),
        ("GEN-01", LR, "《重大行政决策程序暂行条例》第二十五条"),
    ]
    assert "（当前状态：未开始）" in findings[0].message_zh


def test_gen01_all_missing_in_step_order() -> None:
    snapshot = compliant_snapshot(steps={})
    findings = findings_of(snapshot)
    assert [(f.rule, f.step) for f in findings] == [("GEN-01", kind) for kind in StepKind]


def test_gen01_only_for_required_steps() -> None:
    profile = replace(NATIONAL, required={Category.MAJOR_MATTER: (LR, CD)})
    snapshot = without_step(without_step(compliant_snapshot(), ER), RA)
    assert findings_of(snapshot, profile) == []
    assert is_complete(snapshot, [], profile)
    assert rule_ids(findings_of(snapshot)) == ["GEN-01", "GEN-01"]


@pytest.mark.parametrize("kind", sorted(EXEMPTIBLE_STEPS))
def test_lawful_exemption_counts_as_done(kind: StepKind) -> None:
    snapshot = with_step(
        compliant_snapshot(), kind, status=StepStatus.EXEMPTED, exemption_reason="理由", exemption_basis="依据"
    )
    findings = findings_of(snapshot)
    assert findings == []
    assert is_complete(snapshot, findings, NATIONAL)


@pytest.mark.parametrize("kind", [LR, CD])
def test_gen02_statutory_steps_cannot_be_exempted(kind: StepKind) -> None:
    snapshot = with_step(
        compliant_snapshot(), kind, status=StepStatus.EXEMPTED, exemption_reason="理由", exemption_basis="依据"
    )
    findings = findings_of(snapshot)
    assert [(f.rule, f.severity, f.step) for f in findings] == [("GEN-02", B, kind)]
    assert "不得免除" in findings[0].message_zh
    assert "cannot be exempted" in findings[0].message_en
    assert findings[0].citation == "《重大行政决策程序暂行条例》第十四条、第十九条、第二十二条"
    assert not is_complete(snapshot, findings, NATIONAL)


@pytest.mark.parametrize(
    ("reason", "basis", "zh", "en"),
    [
        (None, "《保守国家秘密法》", "未载明免除理由", "states no reason"),
        ("涉密事项", " ", "未载明法律依据", "states no legal basis"),
        ("", None, "未载明免除理由和法律依据", "no reason and no legal basis"),
    ],
)
def test_gen02_exemption_needs_reason_and_basis(reason, basis, zh: str, en: str) -> None:
    snapshot = with_step(
        compliant_snapshot(), PP, status=StepStatus.EXEMPTED, exemption_reason=reason, exemption_basis=basis
    )
    (finding,) = findings_of(snapshot)
    assert (finding.rule, finding.step) == ("GEN-02", PP)
    assert zh in finding.message_zh
    assert en in finding.message_en


@pytest.mark.parametrize("kind", list(StepKind))
def test_evd01_completed_step_without_evidence(kind: StepKind) -> None:
    snapshot = with_step(compliant_snapshot(), kind, evidence_count=0)
    findings = findings_of(snapshot)
    assert [(f.rule, f.severity, f.step) for f in findings] == [("EVD-01", W, kind)]
    assert "未上传任何证明材料" in findings[0].message_zh
    assert is_complete(snapshot, findings, NATIONAL), "a warning does not affect completeness"


def test_evd01_not_for_exempted_steps() -> None:
    snapshot = with_step(
        compliant_snapshot(),
        ER,
        status=StepStatus.EXEMPTED,
        evidence_count=0,
        exemption_reason="r",
        exemption_basis="b",
    )
    assert findings_of(snapshot) == []


def test_findings_sorted_by_severity_then_step_then_rule() -> None:
    snapshot = compliant_snapshot()
    snapshot = with_step(snapshot, CD, {"members_present": 3}, evidence_count=0)  # CD-02 V, EVD-01 W
    snapshot = with_step(snapshot, PP, {"comment_end": "2025-03-20", "feedback_published_on": None})  # PP-01 V, PP-02 W
    snapshot = with_step(snapshot, RA, {"conclusion": "suspend"})  # RA-01 B
    snapshot = with_step(snapshot, ER, status=StepStatus.IN_PROGRESS)  # GEN-01 B
    snapshot = replace(snapshot, published_on=None, today=snapshot.today.replace(year=2026))  # PUB-01 W, no step
    findings = findings_of(snapshot)
    assert [(f.severity, f.step, f.rule) for f in findings] == [
        (B, ER, "GEN-01"),
        (B, RA, "RA-01"),
        (V, PP, "PP-01"),
        (V, CD, "CD-02"),
        (W, PP, "PP-02"),
        (W, CD, "EVD-01"),
        (W, None, "PUB-01"),
    ]


def test_sort_findings_orders_by_rule_within_a_step() -> None:
    def finding(rule: str, severity: Severity, step: StepKind | None) -> Finding:
        return Finding(rule, severity, step, "中", "en", "cite")

    shuffled = [finding("EVD-01", W, None), finding("CD-04", V, CD), finding("CD-03", V, CD), finding("GEN-01", B, LR)]
    assert [f.rule for f in sort_findings(shuffled)] == ["GEN-01", "CD-03", "CD-04", "EVD-01"]


def test_finding_to_dict_is_the_api_shape() -> None:
    snapshot = with_step(compliant_snapshot(), PP, {"comment_end": "2025-03-21"})
    (finding,) = findings_of(snapshot)
    assert finding.to_dict() == {
        "rule": "PP-01",
        "severity": "violation",
        "step": "public_participation",
        "message": "公开征求意见期限为21日（2025年3月1日至2025年3月21日，首尾两日均计入），少于30日，"
        "且未说明缩短期限的理由",
        "citation": "《重大行政决策程序暂行条例》第十五条",
    }
    assert finding.to_dict("en")["message"] == (
        "The comment period was 21 days (2025-03-01 to 2025-03-21, both ends counted), fewer than 30, "
        "and no reason for the shorter period was stated"
    )


def test_finding_without_step_serialises_null() -> None:
    snapshot = replace(compliant_snapshot(), published_on=None, today=compliant_snapshot().today.replace(year=2026))
    (finding,) = findings_of(snapshot)
    assert finding.to_dict("en_US")["step"] is None
    assert finding.rule == "PUB-01"


class TestIsComplete:
    def test_warnings_do_not_prevent_completeness(self) -> None:
        snapshot = with_step(compliant_snapshot(), ER, experts=())
        findings = findings_of(snapshot)
        assert {f.severity for f in findings} == {W}
        assert is_complete(snapshot, findings, NATIONAL)

    def test_a_violation_prevents_completeness(self) -> None:
        snapshot = with_step(compliant_snapshot(), CD, {"members_present": 2})
        assert not is_complete(snapshot, findings_of(snapshot), NATIONAL)

    def test_a_missing_step_prevents_completeness_even_without_findings(self) -> None:
        snapshot = without_step(compliant_snapshot(), RA)
        assert not is_complete(snapshot, [], NATIONAL)


@pytest.mark.parametrize("category", list(Category))
def test_required_steps_default_all_five(category: Category) -> None:
    assert required_steps(NATIONAL, category) == tuple(StepKind)


def test_required_steps_follow_the_profile_in_statutory_order() -> None:
    profile = replace(NATIONAL, required={Category.LARGE_FUND: (CD, LR, RA)})
    assert required_steps(profile, Category.LARGE_FUND) == (RA, LR, CD)
    assert required_steps(profile, Category.MAJOR_PROJECT) == tuple(StepKind)
