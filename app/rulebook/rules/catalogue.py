"""The annual catalogue of decision matters (事项目录, 713号令 art. 3): listed, published on time, carried out.

CAT-01 judges a decision (is it in the published catalogue of its organisation and year?), CAT-02 and
CAT-03 judge a catalogue (``evaluate_catalogue``). CAT-01 and CAT-02 apply only where the profile makes
the catalogue the rule (Jiangsu, Nantong); nationally art. 3 says only 可以.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..labels import zh_date
from ..vocabulary import CatalogueStatus, DecisionStatus, Severity
from .base import REG, CatalogueContext, Context, Issue, rule

CATALOGUE_NOTICES = "海安市2025年、八湖镇重大行政决策事项目录通知（“未履行相关程序的，不得提请审议”）"

#: A decision is decided once the meeting's outcome was recorded.
DECIDED_STATUSES = (DecisionStatus.DECIDED, DecisionStatus.PUBLISHED, DecisionStatus.ARCHIVED)


@rule(
    "CAT-01",
    Severity.BLOCKER,
    None,
    citation=f"{REG}第三条；{CATALOGUE_NOTICES}",
    title_zh="决策事项未列入已公布的年度目录",
    title_en="The matter is not in the published catalogue",
)
def not_in_catalogue(ctx: Context) -> Iterator[Issue]:
    """Where catalogues are the rule, a listed category goes to the meeting only as an item of the year's catalogue."""
    profile, snapshot = ctx.profile, ctx.snapshot
    if not profile.catalogue_required or snapshot.category not in profile.catalogue_categories:
        return
    if not snapshot.in_published_catalogue:
        yield Issue(
            "本决策未关联本单位本年度已公布的重大行政决策事项目录中的事项；未列入目录的事项不得提请审议",
            "The decision is not linked to an item of its organisation's published catalogue of its year; "
            "a matter not in the catalogue may not be put to the meeting",
        )


def publication_deadline(year: int, profile_date: tuple[int, int]) -> date:
    month, day = profile_date
    return date(year, month, day)


@rule(
    "CAT-02",
    Severity.WARNING,
    None,
    citation=f"{REG}第三条（向社会公布）",
    title_zh="年度目录未按期公布",
    title_en="The catalogue was not published on time",
    subject="catalogue",
)
def catalogue_published_late(ctx: CatalogueContext) -> Iterator[Issue]:
    """The catalogue tells the public what will be decided; published late, it tells them after the fact."""
    profile, snapshot = ctx.profile, ctx.snapshot
    if not profile.catalogue_required:
        return
    deadline = publication_deadline(snapshot.year, profile.catalogue_publish_by)
    published = snapshot.published_on if snapshot.status == CatalogueStatus.PUBLISHED else None
    if published is not None and published > deadline:
        yield Issue(
            f"{snapshot.year}年度目录于{zh_date(published)}公布，晚于{zh_date(deadline)}",
            f"The {snapshot.year} catalogue was published on {published}, after {deadline}",
        )
    elif published is None and snapshot.today > deadline:
        yield Issue(
            f"{snapshot.year}年度目录应于{zh_date(deadline)}前公布，至今尚未公布",
            f"The {snapshot.year} catalogue was due to be published by {deadline} and is still unpublished",
        )


@rule(
    "CAT-03",
    Severity.WARNING,
    None,
    citation=f"{REG}第三条；嘉祥县目录“年终总公开”制度",
    title_zh="目录事项逾期未决策",
    title_en="A catalogue item is past its planned completion",
    subject="catalogue",
)
def item_overdue(ctx: CatalogueContext) -> Iterator[Issue]:
    """An item past its planned completion with no decided decision is what the year-end publication must admit."""
    for item in ctx.snapshot.items:
        planned = item.planned_completion
        if planned is not None and not item.decided and ctx.snapshot.today > planned:
            yield Issue(
                f"目录第{item.seq}项“{item.title}”计划于{zh_date(planned)}前完成，尚无作出决定的决策",
                f"Item {item.seq} “{item.title}” was planned for completion by {planned} and has no decided "
                "decision",
            )
