"""Rules about the record itself: stated dates against the system's own timestamps, and backfilled decisions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..labels import zh_date
from ..vocabulary import Severity, StepKind
from .base import REG, Context, Issue, active, as_date, rule

LR, CD = StepKind.LEGALITY_REVIEW, StepKind.COLLECTIVE_DECISION


def _before(stated: date | None, recorded: date | None) -> bool:
    return stated is not None and recorded is not None and stated < recorded


@rule(
    "REC-01",
    Severity.VIOLATION,
    None,
    citation=f"{REG}第二十五条、第二十八条、第三十条",
    title_zh="记载日期早于系统记录",
    title_en="A stated date precedes the system's own record",
)
def date_before_record(ctx: Context) -> Iterator[Issue]:
    """A review, meeting or publication cannot have happened before what it depends on existed (事后补签).

    The system's timestamps are the only independent evidence of order; a decision
    entered after the fact says so instead (``backfilled``, REC-02) and is not judged here.
    """
    snap = ctx.snapshot
    if snap.backfilled:
        return
    review = ctx.step(LR)
    reviewed = as_date(review.get("reviewed_on"))
    if review.get("draft_sha256") and _before(reviewed, snap.signed_draft_recorded_on):
        recorded = snap.signed_draft_recorded_on
        yield Issue(
            f"合法性审查意见出具日期（{zh_date(reviewed)}）早于所签决策草案录入系统的日期（{zh_date(recorded)}）",
            f"The legality opinion is dated {reviewed}, before the signed draft was recorded ({recorded})",
            step=LR,
        )
    meeting = ctx.step(CD)
    held = as_date(meeting.get("meeting_date"))
    if active(meeting) and _before(held, snap.submitted_recorded_on):
        recorded = snap.submitted_recorded_on
        yield Issue(
            f"集体讨论会议日期（{zh_date(held)}）早于决策提请集体讨论的日期（{zh_date(recorded)}）",
            f"The meeting is dated {held}, before the decision was submitted for discussion ({recorded})",
            step=CD,
        )
    if _before(snap.published_on, snap.decided_recorded_on):
        recorded = snap.decided_recorded_on
        yield Issue(
            f"决策公布日期（{zh_date(snap.published_on)}）早于集体讨论决定录入系统的日期（{zh_date(recorded)}）",
            f"The decision is published on {snap.published_on}, before the collective decision was recorded "
            f"({recorded})",
            step=CD,
        )


@rule(
    "REC-02",
    Severity.WARNING,
    None,
    citation=f"{REG}第三十三条",
    title_zh="事后补录的决策",
    title_en="Decision entered after the fact",
)
def backfilled(ctx: Context) -> Iterator[Issue]:
    """The process record must be complete and truthful: a decision typed in afterwards says so."""
    if ctx.snapshot.backfilled:
        yield Issue(
            "本决策系事后补录，各项日期为记载日期，未经系统实时记录印证",
            "This decision was entered after the fact: its dates are as stated, not as recorded by the system",
        )
