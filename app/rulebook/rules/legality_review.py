"""合法性审查 (713号令 arts. 25–28): who signs, when, for how long, and on which draft."""

from __future__ import annotations

from collections.abc import Iterator

from ..labels import ROLE_EN, ROLE_ZH, STEP_EN, STEP_ZH, zh_date
from ..vocabulary import PREPARATORY_STEPS, LegalOpinion, Role, Severity, StepKind
from .base import REG, Context, Issue, active, as_date, fallback_note, filled, rule

LR = StepKind.LEGALITY_REVIEW


@rule(
    "LR-01",
    Severity.BLOCKER,
    LR,
    citation=f"{REG}第二十八条",
    title_zh="合法性审查意见须由法律顾问签署",
    title_en="Only a legal adviser signs the legality opinion",
    action_only=True,
)
def signed_by_legal_adviser(ctx: Context) -> Iterator[Issue]:
    """The legal opinion must come from a legal adviser or public-sector lawyer, who answers for it."""
    role = ctx.action.actor_role if ctx.action else None
    if role != Role.LEGAL_ADVISER:
        role_zh = ROLE_ZH[Role(role)] if role else "未知"
        yield Issue(
            f"合法性审查意见只能由法律顾问或公职律师记录并签署，当前用户角色为“{role_zh}”",
            f"Only a legal adviser may record and sign the legality opinion; the current role is "
            f"{ROLE_EN[Role(role)] if role else 'unknown'}",
        )


@rule(
    "LR-02",
    Severity.BLOCKER,
    LR,
    citation=f"{REG}第二十六条",
    title_zh="前置程序未完成即签署合法性审查",
    title_en="Legality review signed before the preparatory steps",
    action_only=True,
)
def preparatory_steps_done(ctx: Context) -> Iterator[Issue]:
    """The review examines how the statutory procedures were performed, so they must be done first."""
    required = ctx.profile.required_steps(ctx.snapshot.category)
    for kind in PREPARATORY_STEPS:
        if kind in required and not ctx.step(kind).is_done:
            yield Issue(
                f"{STEP_ZH[kind]}程序尚未完成或依法免除，不能签署合法性审查意见"
                "（送审材料应包括履行决策法定程序的说明）",
                f"The legality review cannot be signed before the {STEP_EN[kind]} step is completed or "
                "exempted (the review examines how the statutory procedures were performed)",
                step=kind,
            )


@rule(
    "LR-03",
    Severity.VIOLATION,
    LR,
    citation=f"{REG}第二十六条",
    title_zh="合法性审查时间不足",
    title_en="Legality review too short",
)
def review_time(ctx: Context) -> Iterator[Issue]:
    """Reviewers need at least 7 working days, counted from the day after submission, holidays off."""
    step = ctx.step(LR)
    submitted, reviewed = as_date(step.get("submitted_on")), as_date(step.get("reviewed_on"))
    if not active(step) or submitted is None or reviewed is None:
        return
    count = ctx.calendar.count_workdays(submitted, reviewed)
    minimum = ctx.profile.review_workdays_min
    note_zh, note_en = fallback_note(count.fallback_years)
    if count.days < minimum:
        yield Issue(
            f"合法性审查时间为{count.days}个工作日（{zh_date(submitted)}送审，{zh_date(reviewed)}出具意见），"
            f"少于{minimum}个工作日{note_zh}",
            f"The legality review took {count.days} working days (submitted {submitted}, opinion "
            f"{reviewed}), fewer than {minimum}{note_en}",
        )
    elif count.fallback_years:
        yield Issue(
            f"合法性审查时间按{count.days}个工作日计算，结果为暂定{note_zh}；请管理员导入该年度节假日安排后复核",
            f"The legality review time of {count.days} working days is provisional{note_en}; "
            "an admin should load that year's holidays",
            severity=Severity.WARNING,
        )


@rule(
    "LR-04",
    Severity.BLOCKER,
    LR,
    citation=f"{REG}第二十五条",
    title_zh="经审查不合法的草案不得提交讨论",
    title_en="An unlawful draft may not go to the meeting",
)
def unlawful_draft(ctx: Context) -> Iterator[Issue]:
    """An unlawful draft may go to the meeting only as exploratory reform with its legal risk stated."""
    step = ctx.step(LR)
    if active(step) and step.get("opinion") == LegalOpinion.UNLAWFUL and not filled(step.get("legal_risk_statement")):
        yield Issue(
            "合法性审查意见为“不合法”，且未明示法律风险（探索性改革事项），决策草案不得提交集体讨论",
            "The legality opinion is 'unlawful' and no legal risk is stated (exploratory reform): "
            "the draft may not be submitted for discussion",
        )


@rule(
    "LR-05",
    Severity.BLOCKER,
    LR,
    citation=f"{REG}第二十五条",
    title_zh="审查后草案已修改",
    title_en="The draft changed after the legality review",
)
def reviewed_draft_is_current(ctx: Context) -> Iterator[Issue]:
    """The opinion covers the draft it was signed on; a changed draft has not been reviewed."""
    step = ctx.step(LR)
    signed, current = step.get("draft_sha256"), ctx.snapshot.draft_sha256
    if active(step) and signed and signed != current:
        current_text = f"{current[:12]}…" if current else "无"
        yield Issue(
            f"决策草案在合法性审查签署后已修改（签署稿 {signed[:12]}…，当前稿 {current_text}），须重新进行合法性审查",
            f"The draft changed after the legality review was signed (signed {signed[:12]}…, current "
            f"{current[:12] + '…' if current else 'none'}); it needs a new review",
        )
