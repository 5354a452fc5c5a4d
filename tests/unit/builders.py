"""A fully compliant decision, and helpers to vary one fact of it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from app.rulebook import (
    Action,
    DecisionSnapshot,
    Expert,
    Finding,
    MemberOpinion,
    Profile,
    StepFacts,
    WorkdayCalendar,
    check_action,
    evaluate,
)
from app.rulebook.profiles import NATIONAL
from app.rulebook.vocabulary import Category, DecisionStatus, Role, StepKind, StepStatus

PP = StepKind.PUBLIC_PARTICIPATION
ER = StepKind.EXPERT_REVIEW
RA = StepKind.RISK_ASSESSMENT
LR = StepKind.LEGALITY_REVIEW
CD = StepKind.COLLECTIVE_DECISION

SHA = "a" * 64
OTHER_SHA = "b" * 64
TODAY = date(2025, 7, 1)
MEETING = date(2025, 5, 23)  # a Friday; the legality opinion was signed two days earlier
PUBLISHED = date(2025, 6, 6)
MEMBERS = ("王委员", "李委员", "张委员", "刘委员", "陈委员", "杨委员")
PRINCIPAL = "赵镇长"


def opinion(member: str, position: str | None = "agree", **changes: Any) -> MemberOpinion:
    return MemberOpinion(member=member, position=position, **changes)


def principal(position: str | None = "agree", **changes: Any) -> MemberOpinion:
    return MemberOpinion(member=PRINCIPAL, position=position, is_principal=True, **changes)


def compliant_steps() -> dict[StepKind, StepFacts]:
    """Every step completed lawfully, each with one evidence file; dates in 2025 (calendar data known)."""
    return {
        PP: StepFacts(
            kind=PP,
            status=StepStatus.COMPLETED,
            evidence_count=1,
            data={
                "method": "online_comment",
                "comment_start": date(2025, 3, 1),
                "comment_end": date(2025, 3, 30),  # 30 days, both ends counted
                "comments_received": 12,
                "comments_adopted": 5,
                "feedback_summary": "采纳5条，未采纳7条并说明理由",
                "feedback_published_on": date(2025, 4, 20),
                "completed_on": date(2025, 4, 20),
            },
        ),
        ER: StepFacts(
            kind=ER,
            status=StepStatus.COMPLETED,
            evidence_count=1,
            experts=(
                Expert("周教授", "城市规划", "南通大学"),
                Expert("吴工", "给排水", "市设计院"),
                Expert("郑律师", "行政法", "律师事务所"),
            ),
            data={
                "method": "meeting",
                "review_date": date(2025, 4, 10),
                "opinion_text": "方案可行",
                "opinion_signed": True,
                "completed_on": date(2025, 4, 10),
            },
        ),
        RA: StepFacts(
            kind=RA,
            status=StepStatus.COMPLETED,
            evidence_count=1,
            data={
                "risk_types": ["social_stability"],
                "risk_level": "medium",
                "risk_points": "征地补偿",
                "mitigation": "公开补偿标准，设立咨询点",
                "contingency_plan": "信访接待预案",
                "conclusion": "proceed_with_measures",
                "assessed_on": date(2025, 4, 15),
                "completed_on": date(2025, 4, 15),
            },
        ),
        LR: StepFacts(
            kind=LR,
            status=StepStatus.COMPLETED,
            evidence_count=1,
            data={
                "submitted_on": date(2025, 5, 12),  # Monday
                "reviewer": "钱律师",
                "opinion": "lawful",
                "opinion_text": "符合法定权限和程序",
                "reviewed_on": date(2025, 5, 21),  # 7 working days later
                "draft_sha256": SHA,
            },
        ),
        CD: StepFacts(
            kind=CD,
            status=StepStatus.COMPLETED,
            evidence_count=1,
            opinions=(*(opinion(member) for member in MEMBERS), principal()),
            data={
                "meeting_type": "government_executive",
                "meeting_date": MEETING,
                "members_total": 9,
                "members_present": 7,
                "outcome": "approved",
                "minutes_ref": "镇政府常务会议纪要〔2025〕5号",
                "completed_on": MEETING,
            },
        ),
    }


def compliant_snapshot(**changes: Any) -> DecisionSnapshot:
    """A published 2025 decision with nothing to find (listed in its catalogue); ``changes`` replace snapshot fields."""
    snapshot = DecisionSnapshot(
        category=Category.MAJOR_MATTER,
        status=DecisionStatus.PUBLISHED,
        draft_sha256=SHA,
        steps=compliant_steps(),
        today=TODAY,
        ref_no="BD-2025-001",
        published_on=PUBLISHED,
        in_published_catalogue=True,
    )
    return replace(snapshot, **changes)


def with_step(
    snapshot: DecisionSnapshot, kind: StepKind, data: dict[str, Any] | None = None, **changes: Any
) -> DecisionSnapshot:
    """Vary one step: ``data`` keys are merged (None removes a key), other keywords replace StepFacts fields."""
    step = snapshot.step(kind)
    merged = {**step.data, **(data or {})}
    step = replace(step, data={k: v for k, v in merged.items() if v is not None}, **changes)
    return replace(snapshot, steps={**snapshot.steps, kind: step})


def without_step(snapshot: DecisionSnapshot, kind: StepKind) -> DecisionSnapshot:
    """The decision as if the step had never been recorded."""
    return replace(snapshot, steps={k: v for k, v in snapshot.steps.items() if k != kind})


def findings_of(
    snapshot: DecisionSnapshot, profile: Profile = NATIONAL, calendar: WorkdayCalendar | None = None
) -> list[Finding]:
    return evaluate(snapshot, profile, calendar or WorkdayCalendar())


def rule_ids(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def blockers_of(
    name: str,
    snapshot: DecisionSnapshot,
    *,
    role: Role | None = Role.CLERK,
    step: StepFacts | None = None,
    profile: Profile = NATIONAL,
) -> list[Finding]:
    return check_action(Action(name, actor_role=role, step=step), snapshot, profile, WorkdayCalendar())
