"""Chinese and English words for the vocabulary, so every message names things the same way."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .vocabulary import (
    DecisionStatus,
    LegalOpinion,
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
    StepStatus.EXEMPTED: "已免除",
}

DECISION_STATUS_ZH: dict[DecisionStatus, str] = {
    DecisionStatus.DRAFT: "草稿",
    DecisionStatus.IN_PROGRESS: "办理中",
    DecisionStatus.SUBMITTED: "已提请集体讨论",
    DecisionStatus.DECIDED: "已作出决定",
    DecisionStatus.PUBLISHED: "已公布",
    DecisionStatus.ARCHIVED: "已归档",
}

ROLE_ZH: dict[Role, str] = {
    Role.CLERK: "经办人",
    Role.LEGAL_ADVISER: "法律顾问",
    Role.AUDITOR: "审计监督",
    Role.ADMIN: "管理员",
}

POSITION_ZH: dict[Position, str] = {
    Position.AGREE: "同意",
    Position.DISAGREE: "不同意",
    Position.ABSTAIN: "弃权",
    Position.DEFER: "缓议",
}

OUTCOME_ZH: dict[Outcome, str] = {
    Outcome.APPROVED: "通过",
    Outcome.REJECTED: "不通过",
    Outcome.DEFERRED: "暂缓决定",
}

CONCLUSION_ZH: dict[RiskConclusion, str] = {
    RiskConclusion.PROCEED: "可以实施",
    RiskConclusion.PROCEED_WITH_MEASURES: "采取措施后实施",
    RiskConclusion.ADJUST: "调整决策草案",
    RiskConclusion.SUSPEND: "暂缓或不予决策",
}

OPINION_ZH: dict[LegalOpinion, str] = {
    LegalOpinion.LAWFUL: "合法",
    LegalOpinion.LAWFUL_WITH_CHANGES: "修改后合法",
    LegalOpinion.UNLAWFUL: "不合法",
}


def en_word(value: object) -> str:
    """Spell a stored value (``in_progress``) as English words (``in progress``)."""
    return str(value).replace("_", " ")


def zh_date(day: date) -> str:
    """Write a date the way a Chinese ledger does: 2025年5月23日."""
    return f"{day.year}年{day.month}月{day.day}日"


def zh_list(items: Iterable[object]) -> str:
    """Join names with the Chinese enumeration comma."""
    return "、".join(str(item) for item in items)


def en_list(items: Iterable[object]) -> str:
    """Join names with commas."""
    return ", ".join(str(item) for item in items)
