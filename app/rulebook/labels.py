"""Chinese and English words for the vocabulary, so every message names things the same way.

The rulebook is pure (no Flask-Babel), so it keeps its own words; they are the
pages' words (``app.web.labels`` and its catalogue), English in lower case for
the middle of a sentence, and a test holds the two sources together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .vocabulary import (
    DecisionStatus,
    Outcome,
    Position,
    RiskConclusion,
    Role,
    StepKind,
    StepStatus,
)

STEP_ZH: dict[StepKind, str] = {
    StepKind.PUBLIC_PARTICIPATION: "公众参与",
    StepKind.EXPERT_REVIEW: "专家论证",
    StepKind.RISK_ASSESSMENT: "风险评估",
    StepKind.LEGALITY_REVIEW: "合法性审查",
    StepKind.COLLECTIVE_DECISION: "集体讨论决定",
}

STEP_EN: dict[StepKind, str] = {
    StepKind.PUBLIC_PARTICIPATION: "public participation",
    StepKind.EXPERT_REVIEW: "expert review",
    StepKind.RISK_ASSESSMENT: "risk assessment",
    StepKind.LEGALITY_REVIEW: "legality review",
    StepKind.COLLECTIVE_DECISION: "collective decision",
}

STEP_STATUS_ZH: dict[StepStatus, str] = {
    StepStatus.NOT_STARTED: "未开始",
    StepStatus.IN_PROGRESS: "进行中",
    StepStatus.COMPLETED: "已完成",
    StepStatus.EXEMPTED: "依法免除",
}

STEP_STATUS_EN: dict[StepStatus, str] = {
    StepStatus.NOT_STARTED: "not started",
    StepStatus.IN_PROGRESS: "in progress",
    StepStatus.COMPLETED: "completed",
    StepStatus.EXEMPTED: "lawfully exempted",
}

DECISION_STATUS_ZH: dict[DecisionStatus, str] = {
    DecisionStatus.DRAFT: "草稿",
    DecisionStatus.IN_PROGRESS: "办理中",
    DecisionStatus.SUBMITTED: "已提请集体讨论",
    DecisionStatus.DECIDED: "已决定",
    DecisionStatus.PUBLISHED: "已公布",
    DecisionStatus.ARCHIVED: "已归档",
}

DECISION_STATUS_EN: dict[DecisionStatus, str] = {
    DecisionStatus.DRAFT: "draft",
    DecisionStatus.IN_PROGRESS: "in preparation",
    DecisionStatus.SUBMITTED: "submitted for collective discussion",
    DecisionStatus.DECIDED: "decided",
    DecisionStatus.PUBLISHED: "published",
    DecisionStatus.ARCHIVED: "archived",
}

ROLE_ZH: dict[Role, str] = {
    Role.CLERK: "经办人",
    Role.LEGAL_ADVISER: "法律顾问",
    Role.AUDITOR: "审计监督",
    Role.ADMIN: "管理员",
}

ROLE_EN: dict[Role, str] = {
    Role.CLERK: "clerk",
    Role.LEGAL_ADVISER: "legal adviser",
    Role.AUDITOR: "auditor",
    Role.ADMIN: "administrator",
}

POSITION_ZH: dict[Position, str] = {
    Position.AGREE: "同意",
    Position.DISAGREE: "不同意",
    Position.ABSTAIN: "弃权",
    Position.DEFER: "缓议",
}

POSITION_EN: dict[Position, str] = {
    Position.AGREE: "agree",
    Position.DISAGREE: "disagree",
    Position.ABSTAIN: "abstain",
    Position.DEFER: "defer",
}

OUTCOME_ZH: dict[Outcome, str] = {
    Outcome.APPROVED: "通过",
    Outcome.REJECTED: "不通过",
    Outcome.DEFERRED: "暂缓决定",
}

OUTCOME_EN: dict[Outcome, str] = {
    Outcome.APPROVED: "approved",
    Outcome.REJECTED: "rejected",
    Outcome.DEFERRED: "deferred",
}

CONCLUSION_ZH: dict[RiskConclusion, str] = {
    RiskConclusion.PROCEED: "可以实施",
    RiskConclusion.PROCEED_WITH_MEASURES: "采取措施后实施",
    RiskConclusion.ADJUST: "调整决策草案",
    RiskConclusion.SUSPEND: "暂缓或不予决策",
}

CONCLUSION_EN: dict[RiskConclusion, str] = {
    RiskConclusion.PROCEED: "proceed",
    RiskConclusion.PROCEED_WITH_MEASURES: "proceed with measures",
    RiskConclusion.ADJUST: "adjust the draft",
    RiskConclusion.SUSPEND: "suspend or do not decide",
}


def zh_date(day: date) -> str:
    """Write a date the way a Chinese ledger does: 2025年5月23日."""
    return f"{day.year}年{day.month}月{day.day}日"


def zh_list(items: Iterable[object]) -> str:
    """Join names with the Chinese enumeration comma."""
    return "、".join(str(item) for item in items)


def en_list(items: Iterable[object]) -> str:
    """Join names with commas."""
    return ", ".join(str(item) for item in items)
