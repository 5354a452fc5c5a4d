"""决策公布 (713号令 art. 32): an approved decision is published promptly."""

from __future__ import annotations

from collections.abc import Iterator

from ..labels import zh_date
from ..vocabulary import Outcome, Severity, StepKind
from .base import REG, Context, Issue, as_date, fallback_note, rule


@rule(
    "PUB-01",
    Severity.WARNING,
    None,
    citation=f"{REG}第三十二条；《政府信息公开条例》第二十六条",
    title_zh="决策未及时公布",
    title_en="Decision not published promptly",
)
def published_in_time(ctx: Context) -> Iterator[Issue]:
    """The regulation says 及时; the profile's working-day limit makes that checkable."""
    step = ctx.step(StepKind.COLLECTIVE_DECISION)
    meeting = as_date(step.get("meeting_date"))
    if step.get("outcome") != Outcome.APPROVED or meeting is None:
        return
    limit = ctx.profile.publish_workdays
    deadline, fallback = ctx.calendar.add_workdays(meeting, limit)
    published = ctx.snapshot.published_on
    if published is not None and published > deadline:
        count = ctx.calendar.count_workdays(meeting, published)
        note_zh, note_en = fallback_note(tuple(sorted({*fallback, *count.fallback_years})))
        yield Issue(
            f"决策于{zh_date(published)}公布，为集体讨论（{zh_date(meeting)}）后第{count.days}个工作日，"
            f"超过{limit}个工作日（应不晚于{zh_date(deadline)}）{note_zh}",
            f"The decision was published on {published}, {count.days} working days after the meeting of "
            f"{meeting}, more than {limit} (due by {deadline}){note_en}",
        )
    elif published is None and ctx.snapshot.today > deadline:
        note_zh, note_en = fallback_note(fallback)
        yield Issue(
            f"集体讨论（{zh_date(meeting)}）通过已超过{limit}个工作日（应不晚于{zh_date(deadline)}），决策尚未公布"
            f"{note_zh}",
            f"The decision approved at the meeting of {meeting} is still unpublished more than {limit} "
            f"working days later (due by {deadline}){note_en}",
        )
