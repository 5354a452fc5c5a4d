"""集体讨论决定 (713号令 arts. 25, 30; 干部任免事项守则): who met, who spoke last, what was recorded."""

from __future__ import annotations

from collections.abc import Iterator

from ..labels import (
    DECISION_STATUS_EN,
    DECISION_STATUS_ZH,
    OUTCOME_EN,
    OUTCOME_ZH,
    POSITION_EN,
    POSITION_ZH,
    en_list,
    zh_date,
    zh_list,
)
from ..snapshot import MemberOpinion
from ..vocabulary import EDITABLE_STATUSES, Category, DecisionStatus, Outcome, Position, Severity, StepKind, StepStatus
from .base import CADRE_RULES, REG, Context, Issue, active, as_date, filled, rule

CD = StepKind.COLLECTIVE_DECISION


def _voters(opinions: tuple[MemberOpinion, ...]) -> list[MemberOpinion]:
    """Members whose stated position counts: not recused and actually stated."""
    return [o for o in opinions if not o.recused and o.position is not None]


def _agrees(opinions: tuple[MemberOpinion, ...]) -> int:
    return sum(o.position == Position.AGREE for o in _voters(opinions))


@rule(
    "CD-01",
    Severity.BLOCKER,
    CD,
    citation=f"{REG}第二十五条、第三十条",
    title_zh="未提请讨论不得记录集体讨论决定",
    title_en="Collective decision recorded out of turn",
    action_only=True,
)
def recordable(ctx: Context) -> Iterator[Issue]:
    """Only a draft put to the meeting can be decided, and a decision is corrected only until it is published."""
    snapshot = ctx.snapshot
    status = snapshot.status
    if status == DecisionStatus.SUBMITTED or (status == DecisionStatus.DECIDED and snapshot.published_on is None):
        return
    if status in EDITABLE_STATUSES:
        yield Issue(
            f"决策尚未提请集体讨论（当前状态：{DECISION_STATUS_ZH[status]}），不能记录集体讨论决定",
            f"The decision has not been submitted for collective discussion (status: {DECISION_STATUS_EN[status]}); "
            "the collective decision cannot be recorded",
        )
    else:
        yield Issue(
            f"决策已公布或归档（当前状态：{DECISION_STATUS_ZH[status]}），集体讨论决定不能再更正",
            f"The decision is already published or archived (status: {DECISION_STATUS_EN[status]}); "
            "the collective decision can no longer be corrected",
        )


@rule(
    "CD-02",
    Severity.VIOLATION,
    CD,
    citation=f"“三重一大”集体决策制度；{CADRE_RULES}",
    title_zh="到会人数不足",
    title_en="No quorum",
)
def quorum(ctx: Context) -> Iterator[Issue]:
    """A meeting below quorum cannot decide collectively; personnel items need two thirds."""
    step = ctx.step(CD)
    total, present = step.get("members_total"), step.get("members_present")
    if not active(step) or total is None or present is None:
        return
    needed = ctx.profile.quorum(ctx.snapshot.category)
    if not needed.met(present, total):
        yield Issue(
            f"应到会{total}人，实到{present}人；到会人数须{needed.text_zh}，会议未达到法定人数",
            f"{present} of {total} members were present; the quorum is {needed.text_en}",
        )


@rule(
    "CD-03",
    Severity.VIOLATION,
    CD,
    citation=f"{REG}第三十条",
    title_zh="行政首长未最后发表意见",
    title_en="The principal did not speak last",
)
def principal_speaks_last(ctx: Context) -> Iterator[Issue]:
    """The head speaks last so that every member's view is heard before the head's is known."""
    step = ctx.step(CD)
    if not active(step):
        return
    opinions = step.opinions
    if not opinions:
        if step.status == StepStatus.COMPLETED:
            yield Issue(
                "未记录会议组成人员的发言顺序和意见，无法确认行政首长（主要负责人）最后发表意见",
                "No member's position is recorded, so it cannot be shown that the principal spoke last",
            )
        return
    principals = [i for i, o in enumerate(opinions) if o.is_principal]
    speakers = [i for i, o in enumerate(opinions) if not o.recused]
    if not principals:
        yield Issue(
            "未标明行政首长（主要负责人），无法确认其最后发表意见",
            "No member is marked as the principal, so it cannot be shown that the principal spoke last",
        )
    elif len(principals) > 1:
        names = [opinions[i].member for i in principals]
        yield Issue(
            f"标明了{len(names)}名行政首长（主要负责人）：{zh_list(names)}，只能有一名",
            f"{len(names)} members are marked as the principal ({en_list(names)}); there can be only one",
        )
    elif not speakers or speakers[-1] != principals[0]:
        principal = opinions[principals[0]].member
        last = opinions[speakers[-1]].member if speakers else None
        yield Issue(
            f"行政首长（主要负责人）{principal}未最后发表意见（最后发言的是{last or '无'}）",
            f"The principal, {principal}, did not state a position last (the last speaker was {last or 'nobody'})",
        )


@rule(
    "CD-04",
    Severity.VIOLATION,
    CD,
    citation=f"{REG}第三十条",
    title_zh="不同意见未如实载明",
    title_en="Dissent not recorded",
)
def dissent_recorded(ctx: Context) -> Iterator[Issue]:
    """Dissent must be recorded as stated: it is what later reduces a dissenting member's liability (art. 38)."""
    step = ctx.step(CD)
    silent = [o.member for o in step.opinions if o.position == Position.DISAGREE and not filled(o.remarks)]
    if active(step) and silent:
        yield Issue(
            f"以下成员表示不同意，但其不同意见未如实载明：{zh_list(silent)}",
            f"These members disagreed but their dissent is not recorded: {en_list(silent)}",
        )


@rule(
    "CD-05",
    Severity.VIOLATION,
    CD,
    citation=f"{REG}第二十五条",
    title_zh="会议早于合法性审查",
    title_en="Meeting held before the legality review",
)
def meeting_after_review(ctx: Context) -> Iterator[Issue]:
    """A draft may be discussed only after its legality review, so the meeting cannot precede the opinion."""
    step = ctx.step(CD)
    meeting = as_date(step.get("meeting_date"))
    reviewed = as_date(ctx.step(StepKind.LEGALITY_REVIEW).get("reviewed_on"))
    if active(step) and meeting is not None and reviewed is not None and meeting < reviewed:
        yield Issue(
            f"集体讨论会议（{zh_date(meeting)}）早于合法性审查意见出具日期（{zh_date(reviewed)}）",
            f"The meeting ({meeting}) was held before the legality opinion was signed ({reviewed})",
        )


@rule(
    "CD-06",
    Severity.VIOLATION,
    CD,
    citation=CADRE_RULES,
    title_zh="干部任免同意票未超过应到会人数半数",
    title_en="Appointment approved without a majority of all members",
)
def appointment_majority(ctx: Context) -> Iterator[Issue]:
    """A personnel decision needs the votes of more than half of all members, not just of those present."""
    step = ctx.step(CD)
    total = step.get("members_total")
    if (
        not active(step)
        or ctx.snapshot.category != Category.CADRE_APPOINTMENT
        or step.get("outcome") != Outcome.APPROVED
        or total is None
    ):
        return
    agrees, needed = _agrees(step.opinions), ctx.profile.appointment_majority
    if not needed.met(agrees, total):
        yield Issue(
            f"干部任免事项同意票为{agrees}票，应到会{total}人；同意票须{needed.text_zh}，不能通过",
            f"The appointment was approved with {agrees} agree votes of {total} members; it needs {needed.text_en}",
        )


@rule(
    "CD-07",
    Severity.VIOLATION,
    CD,
    citation=f"{CADRE_RULES}（回避）",
    title_zh="回避成员参与表态",
    title_en="A recused member stated a position",
)
def recused_silent(ctx: Context) -> Iterator[Issue]:
    """A member who must recuse takes no part in the discussion, so a recorded position is a breach."""
    step = ctx.step(CD)
    stated = [o for o in step.opinions if o.recused and o.position is not None]
    if active(step) and stated:
        yield Issue(
            "以下成员已回避，但仍记录了表态："
            + zh_list(f"{o.member}（{POSITION_ZH[Position(o.position)]}）" for o in stated),
            "These members recused but a position is recorded for them: "
            + en_list(f"{o.member} ({POSITION_EN[Position(o.position)]})" for o in stated),
        )


@rule(
    "CD-08",
    Severity.VIOLATION,
    CD,
    citation=f"{REG}第三十条",
    title_zh="决定与多数意见不一致未说明理由",
    title_en="Outcome departs from the majority without a reason",
)
def majority_or_reason(ctx: Context) -> Iterator[Issue]:
    """The head may overrule the majority only by explaining why at the meeting."""
    step = ctx.step(CD)
    outcome = step.get("outcome")
    voters = _voters(step.opinions)
    if not active(step) or outcome not in (Outcome.APPROVED, Outcome.REJECTED) or not voters:
        return
    agrees, stated = _agrees(step.opinions), len(voters)
    majority_agrees = agrees * 2 > stated
    departs = majority_agrees if outcome == Outcome.REJECTED else not majority_agrees
    if departs and not filled(step.get("principal_reason")):
        yield Issue(
            f"决定结果为“{OUTCOME_ZH[Outcome(outcome)]}”，而{stated}名表态成员中{agrees}名同意，"
            "与多数人意见不一致，行政首长未在会上说明理由",
            f"The outcome is '{OUTCOME_EN[Outcome(outcome)]}' while {agrees} of {stated} stated positions agree; "
            "the principal gave no reason for departing from the majority",
        )
