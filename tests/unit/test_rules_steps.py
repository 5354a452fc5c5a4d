"""Each step rule of DESIGN §3, failing and holding, with its boundaries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from app.rulebook import DecisionSnapshot, Expert, WorkdayCalendar, is_complete
from app.rulebook.profiles import NATIONAL
from app.rulebook.vocabulary import Category, DecisionStatus, Severity, StepStatus
from tests.unit.builders import (
    CD,
    ER,
    LR,
    MEETING,
    MEMBERS,
    OTHER_SHA,
    PP,
    RA,
    SHA,
    compliant_snapshot,
    findings_of,
    opinion,
    principal,
    rule_ids,
    with_step,
)

V, W, B = Severity.VIOLATION, Severity.WARNING, Severity.BLOCKER
Mutation = Callable[[DecisionSnapshot], DecisionSnapshot]


def votes(*positions: str, principal_position: str = "agree") -> dict:
    """Opinions of the six members in order, then the principal last."""
    return {
        "opinions": (
            *(
                opinion(m, p, remarks="理由" if p == "disagree" else None)
                for m, p in zip(MEMBERS, positions, strict=False)
            ),
            principal(principal_position),
        )
    }


def cd(data: dict | None = None, **changes) -> Mutation:
    return lambda s: with_step(s, CD, data, **changes)


def step(kind, data: dict | None = None, **changes) -> Mutation:
    return lambda s: with_step(s, kind, data, **changes)


def cadre(mutation: Mutation) -> Mutation:
    return lambda s: mutation(replace(s, category=Category.CADRE_APPOINTMENT))


def case(mutate: Mutation, rule: str, severity: Severity, zh: tuple, en: tuple, *, id: str, also: tuple = ()):
    """A failing case: ``rule`` fires once with ``severity``; ``also`` names the other rules expected."""
    return pytest.param(mutate, rule, severity, zh, en, also, id=id)


def hearing(sent: date | None) -> Mutation:
    return step(PP, {"method": "hearing", "hearing_date": date(2025, 3, 20), "materials_sent_on": sent})


FAILING = [
    # PP-01: 30 days both ends counted
    case(
        step(PP, {"comment_end": date(2025, 3, 29)}),
        "PP-01",
        V,
        ("29日", "少于30日"),
        ("29 days", "fewer than 30"),
        id="PP-01 29 days",
    ),
    case(
        step(PP, {"comment_end": date(2025, 3, 21)}),
        "PP-01",
        V,
        ("21日", "未说明"),
        ("21 days", "no reason"),
        id="PP-01 21 days",
    ),
    case(
        step(PP, {"comment_end": date(2025, 3, 21), "short_period_reason": "防汛紧急"}),
        "PP-01",
        W,
        ("21日", "防汛紧急"),
        ("was stated",),
        id="PP-01 short with reason",
    ),
    case(
        step(PP, {"comment_end": date(2025, 2, 21)}),
        "PP-01",
        V,
        ("早于开始日期",),
        ("before it starts",),
        id="PP-01 reversed",
    ),
    case(
        step(PP, {"comment_end": date(2025, 3, 29)}, status=StepStatus.IN_PROGRESS),
        "PP-01",
        V,
        ("29日",),
        ("29 days",),
        id="PP-01 in progress",
        also=("GEN-01",),
    ),
    # PP-02: feedback published before the meeting
    case(
        step(PP, {"feedback_published_on": None}), "PP-02", W, ("未公布",), ("not published",), id="PP-02 unpublished"
    ),
    case(
        step(PP, {"feedback_published_on": MEETING}),
        "PP-02",
        W,
        ("未早于集体讨论会议",),
        ("not before the meeting",),
        id="PP-02 same day",
    ),
    case(step(PP, {"feedback_summary": "  "}), "PP-02", W, ("研究采纳情况",), ("no account",), id="PP-02 no summary"),
    case(
        lambda s: with_step(
            with_step(
                replace(s, status=DecisionStatus.SUBMITTED, published_on=None),
                CD,
                {"meeting_date": None, "outcome": None},
                status=StepStatus.NOT_STARTED,
                opinions=(),
            ),
            PP,
            {"feedback_published_on": None},
        ),
        "PP-02",
        W,
        ("未公布",),
        ("not published",),
        id="PP-02 submitted no meeting",
        also=("GEN-01",),
    ),
    # PP-03: hearing materials 7 days ahead
    case(
        hearing(date(2025, 3, 14)), "PP-03", V, ("仅6日", "7日前"), ("only 6 days", "7 days before"), id="PP-03 6 days"
    ),
    case(hearing(None), "PP-03", V, ("未记录听证材料送达",), ("no date is recorded",), id="PP-03 not sent"),
    # ER
    case(
        step(ER, experts=(Expert("周教授"), Expert("吴工"))),
        "ER-01",
        W,
        ("仅有2名", "少于3名"),
        ("Only 2 experts", "fewer than 3"),
        id="ER-01 two experts",
    ),
    case(
        step(ER, experts=(Expert("周教授", no_conflict=False), Expert("吴工"), Expert("郑律师", no_conflict=False))),
        "ER-02",
        V,
        ("周教授、郑律师",),
        ("周教授, 郑律师",),
        id="ER-02 conflict",
    ),
    case(
        step(ER, {"opinion_signed": False}),
        "ER-03",
        V,
        ("未署名、盖章",),
        ("not signed and sealed",),
        id="ER-03 unsigned",
    ),
    case(step(ER, {"opinion_signed": None}), "ER-03", V, ("未署名、盖章",), ("not signed",), id="ER-03 not recorded"),
    # RA-01
    case(
        step(RA, {"risk_level": "high", "mitigation": ""}),
        "RA-01",
        B,
        ("风险等级为高",),
        ("high",),
        id="RA-01 high no mitigation",
    ),
    case(step(RA, {"conclusion": "adjust"}), "RA-01", B, ("调整决策草案",), ("'adjust the draft'",), id="RA-01 adjust"),
    case(step(RA, {"conclusion": "suspend"}), "RA-01", B, ("暂缓或不予决策",), ("'suspend or do not decide'",),
         id="RA-01 suspend"),
    # LR
    case(
        step(LR, {"reviewed_on": date(2025, 5, 20)}),
        "LR-03",
        V,
        ("6个工作日", "少于7个工作日"),
        ("6 working days", "fewer than 7"),
        id="LR-03 6 workdays",
    ),
    case(step(LR, {"opinion": "unlawful"}), "LR-04", B, ("不合法",), ("unlawful",), id="LR-04 unlawful"),
    case(
        lambda s: replace(s, draft_sha256=OTHER_SHA),
        "LR-05",
        B,
        ("重新进行合法性审查", SHA[:12]),
        ("new review",),
        id="LR-05 draft changed",
    ),
    case(lambda s: replace(s, draft_sha256=None), "LR-05", B, ("当前稿 无",), ("current none",), id="LR-05 no draft"),
    # CD-02 quorum: > 1/2, cadre >= 2/3
    case(
        cd({"members_present": 4}),
        "CD-02",
        V,
        ("应到会9人，实到4人", "超过应到会人数的1/2"),
        ("4 of 9", "more than 1/2"),
        id="CD-02 4 of 9",
    ),
    case(
        cd({"members_total": 10, "members_present": 5}), "CD-02", V, ("实到5人",), ("5 of 10",), id="CD-02 exactly half"
    ),
    case(
        cadre(cd({"members_present": 5})),
        "CD-02",
        V,
        ("不少于应到会人数的2/3",),
        ("at least 2/3",),
        id="CD-02 cadre 5 of 9",
    ),
    # CD-03 principal last
    case(
        cd(opinions=(principal(), *(opinion(m) for m in MEMBERS))),
        "CD-03",
        V,
        ("赵镇长未最后发表意见", "杨委员"),
        ("did not state a position last",),
        id="CD-03 principal first",
    ),
    case(
        cd(opinions=tuple(opinion(m) for m in MEMBERS)),
        "CD-03",
        V,
        ("未标明行政首长",),
        ("No member is marked",),
        id="CD-03 no principal",
    ),
    case(
        cd(opinions=(*(opinion(m) for m in MEMBERS[:-1]), opinion(MEMBERS[-1], is_principal=True), principal())),
        "CD-03",
        V,
        ("2名",),
        ("2 members",),
        id="CD-03 two principals",
    ),
    case(cd(opinions=()), "CD-03", V, ("未记录会议组成人员",), ("No member's position",), id="CD-03 no opinions"),
    # CD-04 dissent recorded
    case(
        cd(
            opinions=(
                opinion("王委员", "disagree"),
                opinion("李委员", "disagree", remarks=" "),
                *(opinion(m) for m in MEMBERS[2:]),
                principal(),
            )
        ),
        "CD-04",
        V,
        ("王委员、李委员",),
        ("王委员, 李委员",),
        id="CD-04 dissent without remarks",
    ),
    # CD-05 meeting after the review
    case(
        cd({"meeting_date": date(2025, 5, 20)}),
        "CD-05",
        V,
        ("早于合法性审查意见",),
        ("before the legality opinion",),
        id="CD-05 meeting before review",
    ),
    # CD-06 cadre: agree > 1/2 of all members
    case(
        cadre(
            cd(
                {"members_total": 8, "members_present": 8},
                **votes("agree", "agree", "agree", "disagree", "disagree", "disagree"),
            )
        ),
        "CD-06",
        V,
        ("同意票为4票", "须超过应到会人数的1/2"),
        ("4 agree votes",),
        id="CD-06 4 of 8",
    ),
    # CD-07 recused members stay silent
    case(
        cd(opinions=(opinion("王委员", recused=True), *(opinion(m) for m in MEMBERS[1:]), principal())),
        "CD-07",
        V,
        ("王委员（同意）",),
        ("王委员 (agree)",),
        id="CD-07 recused agreed",
    ),
    # CD-08 outcome vs majority
    case(
        cd(**votes("agree", "agree", "disagree", "disagree", "disagree", "abstain")),
        "CD-08",
        V,
        ("“通过”", "7名表态成员中3名同意"),
        ("3 of 7",),
        id="CD-08 approved minority",
    ),
    case(
        cd(**votes("agree", "agree", "disagree", "disagree", "disagree", principal_position="defer")),
        "CD-08",
        V,
        ("6名表态成员中2名同意",),
        ("2 of 6",),
        id="CD-08 defer counts as stated",
    ),
    case(cd({"outcome": "rejected"}), "CD-08", V, ("“不通过”",), ("'rejected'",), id="CD-08 rejected majority"),
    case(
        cd(**votes("agree", "agree", "disagree", "disagree", "disagree", "disagree", principal_position="agree")),
        "CD-08",
        V,
        ("7名表态成员中3名同意",),
        ("3 of 7",),
        id="CD-08 approved 3 of 7",
    ),
    # PUB-01
    case(
        lambda s: replace(s, published_on=date(2025, 6, 24)),
        "PUB-01",
        W,
        ("第21个工作日", "超过20个工作日", "2025年6月23日"),
        ("21 working days", "due by 2025-06-23"),
        id="PUB-01 late",
    ),
    case(
        lambda s: replace(s, published_on=None, status=DecisionStatus.DECIDED, today=date(2025, 6, 24)),
        "PUB-01",
        W,
        ("尚未公布",),
        ("still unpublished",),
        id="PUB-01 unpublished",
    ),
]


@pytest.mark.parametrize(("mutate", "rule", "severity", "zh_parts", "en_parts", "also"), FAILING)
def test_rule_fails(
    mutate: Mutation, rule: str, severity: Severity, zh_parts: tuple, en_parts: tuple, also: tuple
) -> None:
    findings = findings_of(mutate(compliant_snapshot()))
    assert sorted(rule_ids(findings)) == sorted([rule, *also]), [f.message_zh for f in findings]
    (finding,) = (f for f in findings if f.rule == rule)
    assert finding.severity == severity
    for part in zh_parts:
        assert part in finding.message_zh
    for part in en_parts:
        assert part in finding.message_en
    assert finding.citation


HOLDING = [
    pytest.param(step(PP, {"comment_end": date(2025, 3, 30)}), id="PP-01 exactly 30 days"),
    pytest.param(step(PP, {"comment_start": None}), id="PP-01 dates not recorded"),
    pytest.param(step(PP, {"feedback_published_on": date(2025, 5, 22)}), id="PP-02 published the day before"),
    pytest.param(hearing(date(2025, 3, 13)), id="PP-03 exactly 7 days"),
    pytest.param(step(PP, {"method": "symposium", "hearing_date": date(2025, 3, 20)}), id="PP-03 not a hearing"),
    pytest.param(step(RA, {"risk_level": "high"}), id="RA-01 high with mitigation"),
    pytest.param(
        step(LR, {"opinion": "unlawful", "legal_risk_statement": "探索性改革，法律风险已明示"}),
        id="LR-04 exploratory reform",
    ),
    pytest.param(step(LR, {"opinion": "lawful_with_changes"}), id="LR-04 lawful with changes"),
    pytest.param(cd({"members_present": 5}), id="CD-02 5 of 9"),
    pytest.param(cd({"members_total": 10, "members_present": 6}), id="CD-02 half plus one"),
    pytest.param(cadre(cd({"members_present": 6})), id="CD-02 cadre exactly 2/3"),
    pytest.param(
        cd(opinions=(*(opinion(m) for m in MEMBERS), principal(), opinion("钱委员", None, recused=True))),
        id="CD-03 recused member after principal",
    ),
    pytest.param(
        cd(
            opinions=(
                opinion("王委员", "disagree", remarks="补偿标准偏低"),
                *(opinion(m) for m in MEMBERS[1:]),
                principal(),
            )
        ),
        id="CD-04 dissent recorded",
    ),
    pytest.param(cd({"meeting_date": date(2025, 5, 21)}), id="CD-05 same day as review"),
    pytest.param(
        cadre(
            cd(
                {"members_total": 8, "members_present": 8},
                **votes("agree", "agree", "agree", "agree", "disagree", "disagree"),
            )
        ),
        id="CD-06 5 of 8",
    ),
    pytest.param(
        cd(
            {"members_total": 8, "members_present": 8},
            **votes("agree", "agree", "agree", "disagree", "disagree", "disagree", principal_position="agree"),
        ),
        id="CD-06 not a cadre item",
    ),
    pytest.param(
        cd(opinions=(opinion("王委员", None, recused=True), *(opinion(m) for m in MEMBERS[1:]), principal())),
        id="CD-07 recused silent",
    ),
    pytest.param(
        cd(
            {"principal_reason": "上级已批复，时间紧迫"},
            **votes("agree", "agree", "disagree", "disagree", "disagree", "abstain"),
        ),
        id="CD-08 reason given",
    ),
    pytest.param(
        cd({"outcome": "deferred"}, **votes("disagree", "disagree", "disagree", "disagree", "disagree", "disagree")),
        id="CD-08 deferred",
    ),
    pytest.param(
        cd({"outcome": "rejected"}, **votes("disagree", "disagree", "disagree", "disagree", "agree", "agree")),
        id="CD-08 rejected by majority",
    ),
    pytest.param(lambda s: replace(s, published_on=date(2025, 6, 23)), id="PUB-01 published on the last day"),
    pytest.param(
        lambda s: replace(s, published_on=None, status=DecisionStatus.DECIDED, today=date(2025, 6, 23)),
        id="PUB-01 unpublished within limit",
    ),
    pytest.param(
        cd({"outcome": "rejected", "principal_reason": "多数同意但资金未落实"}),
        id="PUB-01 rejected needs no publication",
    ),
]


@pytest.mark.parametrize("mutate", HOLDING)
def test_rule_holds(mutate: Mutation) -> None:
    snapshot = mutate(compliant_snapshot())
    findings = findings_of(snapshot)
    assert findings == []
    assert is_complete(snapshot, findings, NATIONAL)


def test_feedback_not_due_before_submission() -> None:
    snapshot = compliant_snapshot(status=DecisionStatus.IN_PROGRESS, published_on=None)
    snapshot = with_step(snapshot, PP, {"feedback_published_on": None, "feedback_summary": None})
    snapshot = with_step(snapshot, CD, {"meeting_date": None, "outcome": None}, status=StepStatus.NOT_STARTED)
    assert rule_ids(findings_of(snapshot)) == ["GEN-01"]  # the meeting step itself, not PP-02


def test_fact_rules_skip_exempted_and_untouched_steps() -> None:
    """The facts of a step set aside or not started are not judged (GEN-01/GEN-02 speak for it)."""
    snapshot = with_step(
        compliant_snapshot(),
        PP,
        {"comment_end": date(2025, 3, 2)},
        status=StepStatus.EXEMPTED,
        exemption_reason="涉密",
        exemption_basis="《保守国家秘密法》",
    )
    assert findings_of(snapshot) == []
    untouched = with_step(compliant_snapshot(), RA, {"conclusion": "suspend"}, status=StepStatus.NOT_STARTED)
    assert rule_ids(findings_of(untouched)) == ["GEN-01"]


def test_dates_may_come_as_iso_text() -> None:
    snapshot = with_step(compliant_snapshot(), PP, {"comment_start": "2025-03-01", "comment_end": "2025-03-29"})
    assert rule_ids(findings_of(snapshot)) == ["PP-01"]


def test_conflicted_expert_and_too_few_together() -> None:
    snapshot = with_step(compliant_snapshot(), ER, experts=(Expert("周教授", no_conflict=False),))
    findings = findings_of(snapshot)
    assert [(f.rule, f.severity) for f in findings] == [("ER-02", V), ("ER-01", W)]


def test_risk_problems_are_one_finding() -> None:
    snapshot = with_step(compliant_snapshot(), RA, {"risk_level": "high", "mitigation": None, "conclusion": "suspend"})
    (finding,) = findings_of(snapshot)
    assert "风险等级为高" in finding.message_zh
    assert "暂缓或不予决策" in finding.message_zh


class TestLegalityReviewTime:
    """LR-03 counts working days from the day after submission, with holidays and make-up days."""

    def review(self, submitted: date, reviewed: date, calendar: WorkdayCalendar | None = None):
        snapshot = with_step(compliant_snapshot(), LR, {"submitted_on": submitted, "reviewed_on": reviewed})
        snapshot = with_step(snapshot, CD, {"meeting_date": reviewed})
        return [f for f in findings_of(snapshot, calendar=calendar) if f.rule == "LR-03"]

    def test_national_day_2025_holds_at_seven(self) -> None:
        # Fri 26 Sep → Mon 13 Oct: 28 Sep (Sun, make-up), 29, 30 Sep, 9, 10, 11 (Sat, make-up), 13 Oct.
        assert self.review(date(2025, 9, 26), date(2025, 10, 13)) == []

    def test_national_day_2025_make_up_saturday_counts(self) -> None:
        (finding,) = self.review(date(2025, 9, 26), date(2025, 10, 11))
        assert finding.severity == V
        assert "合法性审查时间为6个工作日" in finding.message_zh
        assert "took 6 working days" in finding.message_en
        assert "未加载" not in finding.message_zh

    def test_boundary_six_and_seven(self) -> None:
        assert self.review(date(2025, 5, 12), date(2025, 5, 21)) == []
        (finding,) = self.review(date(2025, 5, 12), date(2025, 5, 20))
        assert "6个工作日" in finding.message_zh

    def test_fallback_year_violation_carries_the_note(self) -> None:
        # 2031 has no calendar data: Monday to Friday. Mon 3 Mar → Tue 11 Mar = 6 working days.
        (finding,) = self.review(date(2031, 3, 3), date(2031, 3, 11))
        assert finding.severity == V
        assert "2031年的法定节假日和调休安排未加载，按周一至周五计算" in finding.message_zh
        assert "2031: statutory holidays not loaded, Monday to Friday was used" in finding.message_en

    def test_fallback_year_holding_is_a_provisional_warning(self) -> None:
        (finding,) = self.review(date(2031, 3, 3), date(2031, 3, 12))
        assert finding.severity == W
        assert "按7个工作日计算，结果为暂定" in finding.message_zh
        assert "provisional" in finding.message_en

    def test_overrides_make_a_year_known(self) -> None:
        # An admin loaded 2027: 4–6 Oct are holidays, Sat 9 Oct a make-up workday.
        overrides = {date(2027, 10, d): "holiday" for d in (1, 4, 5, 6, 7)} | {date(2027, 10, 9): "workday"}
        calendar = WorkdayCalendar(overrides)
        # Thu 30 Sep → Tue 12 Oct: 8 (Fri), 9 (Sat, make-up), 11, 12 = 4 working days.
        (finding,) = self.review(date(2027, 9, 30), date(2027, 10, 12), calendar)
        assert "4个工作日" in finding.message_zh
        assert "未加载" not in finding.message_zh
        assert self.review(date(2027, 9, 30), date(2027, 10, 19), calendar) == []


def test_publication_in_fallback_year_says_so() -> None:
    snapshot = compliant_snapshot(published_on=None, status=DecisionStatus.DECIDED, today=date(2031, 6, 30))
    snapshot = with_step(snapshot, CD, {"meeting_date": date(2031, 5, 23)})
    snapshot = with_step(snapshot, LR, {"submitted_on": date(2031, 5, 2), "reviewed_on": date(2031, 5, 21)})
    findings = [f for f in findings_of(snapshot) if f.rule == "PUB-01"]
    (finding,) = findings
    assert "2031年的法定节假日" in finding.message_zh
