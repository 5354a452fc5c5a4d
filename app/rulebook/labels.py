"""Chinese and English words for the vocabulary, so every message names things the same way.

The rulebook is pure (no Flask-Babel), so it keeps its own words; they are the
pages' words (``app.web.labels`` and its catalogue), English in lower case for
the middle of a sentence, and a test holds the two sources together.
"""

from __future__ import annotations

import re
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


#: The sources the rules cite, by their Chinese titles, and the words around them, in English.
CITATION_EN: tuple[tuple[str, str], ...] = (
    ("《重大行政决策程序暂行条例》", "Interim Regulation on Major Administrative Decision-making Procedures"),
    ("《南通市重大行政决策程序规定》", "Nantong Provisions on Major Administrative Decision-making Procedures"),
    ("《江苏省重大行政决策程序实施办法》", "Jiangsu Implementing Measures on Major Administrative Decision-making"),
    ("《政府信息公开条例》", "Regulation on Open Government Information"),
    ("《党委（党组）讨论决定干部任免事项守则》",
     "Rules for Party Committees (Leading Groups) Deciding on Cadre Appointments"),
    ("“三重一大”集体决策制度", "“three majors, one large” collective decision rules"),
    ("“三重一大”决策制度", "“three majors, one large” decision rules"),
    ("（大额度资金标准）", " (threshold of large funds)"),
    ("地方实践", "local practice"),
    ("未规定专家人数", " sets no number of experts"),
    ("（回避）", " (recusal)"),
    ("海安市2025年、八湖镇重大行政决策事项目录通知（“未履行相关程序的，不得提请审议”）",
     "Hai'an 2025 and Bahu town catalogue notices (“a matter not taken through the procedures may not be put to "
     "the meeting”)"),
    ("（向社会公布）", " (published to the public)"),
    ("嘉祥县目录“年终总公开”制度", "Jiaxiang county catalogue rule of year-end publication"),
)
_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def zh_number(text: str) -> int:
    """A Chinese numeral below 1000 as written in article numbers (十九, 二十六, 一百零二)."""
    total, digit = 0, 0
    for char in text:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif char in "十百":
            total += (digit or 1) * (10 if char == "十" else 100)
            digit = 0
        else:
            raise ValueError(text)
    return total + digit


def citation_en(citation: str) -> str:
    """A citation in English: the sources' English titles, "art. 26", "ch. 2", English punctuation.

    The rules cite in Chinese (the sources' own words); the English pages show
    this rendering, so that no citation is left in Chinese there.
    """
    text = citation
    for zh, en in CITATION_EN:
        text = text.replace(zh, en)

    def article(match: re.Match[str]) -> str:
        unit = {"条": "art.", "章": "ch."}[match.group(2)]
        return f" {unit} {zh_number(match.group(1))}"

    text = re.sub(r"第([零一二两三四五六七八九十百]+)([条章])", article, text)
    for zh, en in (("、", ","), ("；", "; "), ("，", ", "), ("至", " to"), ("（", " ("), ("）", ")")):
        text = text.replace(zh, en)
    return re.sub(r"\s+", " ", text).replace(" ,", ",").replace("( ", "(").strip()
