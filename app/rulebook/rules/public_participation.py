"""公众参与 (713号令 arts. 14–18): the comment period, hearings, and the published feedback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from ..labels import zh_date
from ..vocabulary import DecisionStatus, ParticipationMethod, Severity, StepKind, StepStatus
from .base import REG, Context, Issue, active, as_date, filled, rule

PP = StepKind.PUBLIC_PARTICIPATION

#: From submission on the meeting is due, so the feedback must be out.
_SUBMITTED_OR_LATER = frozenset(
    {DecisionStatus.SUBMITTED, DecisionStatus.DECIDED, DecisionStatus.PUBLISHED, DecisionStatus.ARCHIVED}
)


@rule(
    "PP-01",
    Severity.VIOLATION,
    PP,
    citation=f"{REG}第十五条",
    title_zh="公开征求意见期限不足",
    title_en="Comment period too short",
)
def comment_period(ctx: Context) -> Iterator[Issue]:
    """The public gets at least 30 days to comment; a shorter period must be explained when it opens."""
    step = ctx.step(PP)
    start, end = as_date(step.get("comment_start")), as_date(step.get("comment_end"))
    if not active(step) or start is None or end is None:
        return
    if end < start:
        yield Issue(
            f"公开征求意见截止日期（{zh_date(end)}）早于开始日期（{zh_date(start)}）",
            f"The comment period ends ({end}) before it starts ({start})",
        )
        return
    days, minimum = (end - start).days + 1, ctx.profile.comment_period_days
    if days >= minimum:
        return
    zh = f"公开征求意见期限为{days}日（{zh_date(start)}至{zh_date(end)}，首尾两日均计入），少于{minimum}日"
    en = f"The comment period was {days} days ({start} to {end}, both ends counted), fewer than {minimum}"
    reason = step.get("short_period_reason")
    if filled(reason):
        yield Issue(
            f"{zh}；已说明缩短期限的理由：{reason}",
            f"{en}; the reason for the shorter period was stated: {reason}",
            severity=Severity.WARNING,
        )
    else:
        yield Issue(f"{zh}，且未说明缩短期限的理由", f"{en}, and no reason for the shorter period was stated")


@rule(
    "PP-02",
    Severity.WARNING,
    PP,
    citation=f"{REG}第十八条、第二十九条、第三十二条",
    title_zh="意见采纳情况未在会前公布",
    title_en="Comment feedback not published before the meeting",
)
def feedback_published(ctx: Context) -> Iterator[Issue]:
    """The meeting weighs how public comments were adopted, so that account is written and out before it."""
    step = ctx.step(PP)
    if step.status != StepStatus.COMPLETED:
        return
    meeting = as_date(ctx.step(StepKind.COLLECTIVE_DECISION).get("meeting_date"))
    if meeting is None and ctx.snapshot.status not in _SUBMITTED_OR_LATER:
        return
    published = as_date(step.get("feedback_published_on"))
    problems: list[tuple[str, str]] = []
    if not filled(step.get("feedback_summary")):
        problems.append(("未记录公众意见的研究采纳情况", "no account of how comments were adopted is recorded"))
    if published is None:
        problems.append(("采纳情况未公布", "it was not published"))
    elif meeting is not None and published >= meeting:
        problems.append(
            (
                f"采纳情况于{zh_date(published)}公布，未早于集体讨论会议（{zh_date(meeting)}）",
                f"it was published on {published}, not before the meeting of {meeting}",
            )
        )
    if problems:
        yield Issue(
            "公众意见采纳情况应在集体讨论前公布：" + "；".join(zh for zh, _ in problems),
            "The adoption of public comments should be published before the meeting: "
            + "; ".join(en for _, en in problems),
        )


@rule(
    "PP-03",
    Severity.VIOLATION,
    PP,
    citation=f"{REG}第十六条",
    title_zh="听证材料送达过迟",
    title_en="Hearing materials sent too late",
)
def hearing_notice(ctx: Context) -> Iterator[Issue]:
    """Hearing participants must have the materials 7 days ahead to prepare their views."""
    step = ctx.step(PP)
    hearing = as_date(step.get("hearing_date"))
    if not active(step) or step.get("method") != ParticipationMethod.HEARING or hearing is None:
        return
    days = ctx.profile.hearing_notice_days
    latest = hearing - timedelta(days=days)
    sent = as_date(step.get("materials_sent_on"))
    if sent is None:
        yield Issue(
            f"听证会于{zh_date(hearing)}召开，未记录听证材料送达参加人的日期"
            f"（应于听证会{days}日前、即{zh_date(latest)}或之前送达）",
            f"The hearing was on {hearing} but no date is recorded for sending the materials "
            f"(due {days} days before, on or before {latest})",
        )
    elif sent > latest:
        yield Issue(
            f"听证材料于{zh_date(sent)}送达，距听证会（{zh_date(hearing)}）仅{(hearing - sent).days}日，"
            f"应于{days}日前、即{zh_date(latest)}或之前送达",
            f"The hearing materials were sent on {sent}, only {(hearing - sent).days} days before the "
            f"hearing of {hearing}; they were due {days} days before, on or before {latest}",
        )
