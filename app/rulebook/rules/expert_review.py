"""专家论证 (713号令 arts. 19–21): enough independent experts and a signed written opinion."""

from __future__ import annotations

from collections.abc import Iterator

from ..labels import en_list, zh_list
from ..vocabulary import Severity, StepKind, StepStatus
from .base import REG, Context, Issue, active, rule

ER = StepKind.EXPERT_REVIEW


@rule(
    "ER-01",
    Severity.WARNING,
    ER,
    citation="地方实践（《重大行政决策程序暂行条例》未规定专家人数）",
    title_zh="论证专家人数偏少",
    title_en="Few experts",
)
def experts_count(ctx: Context) -> Iterator[Issue]:
    """One or two experts give neither representativeness nor dissenting views (art. 20), by local practice."""
    step = ctx.step(ER)
    count, minimum = len(step.experts), ctx.profile.experts_min
    if step.status == StepStatus.COMPLETED and count < minimum:
        yield Issue(
            f"专家论证仅有{count}名专家参加，少于{minimum}名",
            f"Only {count} experts took part in the review, fewer than {minimum}",
        )


@rule(
    "ER-02",
    Severity.VIOLATION,
    ER,
    citation=f"{REG}第二十条",
    title_zh="有直接利害关系的专家参加论证",
    title_en="An expert with a direct interest took part",
)
def expert_conflict(ctx: Context) -> Iterator[Issue]:
    """Experts with a direct interest in the matter may not be chosen, or the review is not neutral."""
    step = ctx.step(ER)
    conflicted = [expert.name for expert in step.experts if not expert.no_conflict]
    if active(step) and conflicted:
        yield Issue(
            f"与决策事项有直接利害关系的专家参加了论证：{zh_list(conflicted)}",
            f"Experts with a direct interest in the matter took part: {en_list(conflicted)}",
        )


@rule(
    "ER-03",
    Severity.VIOLATION,
    ER,
    citation=f"{REG}第十九条",
    title_zh="书面论证意见未署名盖章",
    title_en="Expert opinion not signed and sealed",
)
def opinion_signed(ctx: Context) -> Iterator[Issue]:
    """A written expert opinion counts only when the experts sign and seal it, so they answer for it."""
    step = ctx.step(ER)
    if step.status == StepStatus.COMPLETED and step.get("opinion_signed") is not True:
        yield Issue(
            "书面专家论证意见未署名、盖章",
            "The written expert opinion is not signed and sealed",
        )
