"""The scenarios of the synthetic data: how far a decision got, what went wrong, and the rulebook's verdict.

A scenario's step facts are built once per category, year, month and variant
and judged by the real rulebook, through the same ``step_facts`` the services
use, so the summaries stored with every decision that draws them are exactly
what ``flask compliance rebuild`` recomputes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from app.models import Step
from app.rulebook import DecisionSnapshot, Profile, WorkdayCalendar, evaluate, is_complete
from app.rulebook.vocabulary import Category, DecisionStatus, StepKind
from app.services.compliance import summarise
from app.services.step_fields import step_facts

from .dates import next_workday

MM, CA, MP, LF = Category.MAJOR_MATTER, Category.CADRE_APPOINTMENT, Category.MAJOR_PROJECT, Category.LARGE_FUND
CATEGORIES = (MM, CA, MP, LF)

EXPERT_POOL = (
    ("周立新", "行政法学", "省委党校"), ("钱慧", "公共管理", "市行政学院"), ("沈建军", "财政学", "南京财经大学"),
    ("张国栋", "道路桥梁", "南通大学"), ("李秀英", "水利工程", "河海大学"), ("王海峰", "工程造价", "县造价管理站"),
    ("陈丽华", "会计审计", "县审计事务所"), ("吴振宇", "农业经济", "扬州大学"), ("严国庆", "组织人事", "县委党校"),
)  # fmt: skip
EXECUTIVE = ("副镇长甲", "副镇长乙", "副镇长丙", "党政办主任", "财政所所长", "人大主席", "镇长")
COMMITTEE = ("党委副书记", "纪委书记", "组织委员", "宣传委员", "武装部长", "副镇长甲", "副镇长乙", "镇长", "党委书记")



@dataclass(frozen=True)
class Scenario:
    """How far a decision got and what, if anything, went wrong on the way."""

    name: str
    #: The last stage reached: draft, pp, er, ra, lr_submitted, signed, submitted, decided, published, archived.
    reach: str
    #: A deviation from the clean facts (see ``_apply_twist``); most scenarios have none.
    twist: str | None = None
    #: The collective decision's outcome when the meeting was held.
    outcome: str = "approved"


REACH = ("draft", "pp", "er", "ra", "lr_submitted", "signed", "submitted", "decided", "published", "archived")

S = Scenario
#: (scenario, weight) for years already closed, and for the current year (more work in progress).
CLOSED_YEARS: tuple[tuple[Scenario, int], ...] = (
    (S("published", "published"), 104), (S("archived", "archived"), 28),
    (S("er_exempt", "published", "er_exempt"), 6), (S("pp_exempt", "published", "pp_exempt"), 2),
    (S("ra_exempt", "published", "ra_exempt"), 2), (S("pub_late", "published", "pub_late"), 4),
    (S("pp_short_reason", "published", "pp_short_reason"), 4),
    (S("pp_feedback_late", "published", "pp_feedback_late"), 4),
    (S("er_two", "published", "er_two"), 4), (S("rejected", "archived", outcome="rejected"), 4),
    (S("decided_unpublished", "decided"), 2),
    (S("pp_short", "published", "pp_short"), 4), (S("pp_hearing_late", "published", "pp_hearing_late"), 2),
    (S("er_conflict", "published", "er_conflict"), 2), (S("er_unsigned", "published", "er_unsigned"), 4),
    (S("lr_short", "published", "lr_short"), 6), (S("cd_quorum", "published", "cd_quorum"), 2),
    (S("cd_principal", "published", "cd_principal"), 4), (S("cd_dissent", "published", "cd_dissent"), 4),
    (S("cd_before_review", "published", "cd_before_review"), 2), (S("cd_recused", "published", "cd_recused"), 2),
    (S("cd_overrule", "decided", "cd_overrule", outcome="rejected"), 2),
    (S("cd_minority", "published", "cd_minority"), 2),
    (S("stalled_pp", "pp"), 1), (S("stalled_ra", "ra"), 1), (S("lr_unlawful", "signed", "lr_unlawful"), 1),
    (S("lr_revised", "signed", "lr_revised"), 1), (S("ra_high", "ra", "ra_high"), 1), (S("abandoned", "draft"), 1),
)  # fmt: skip
CURRENT_YEAR: tuple[tuple[Scenario, int], ...] = (
    (S("draft", "draft"), 6), (S("pp", "pp"), 8), (S("er", "er"), 6), (S("ra", "ra"), 6),
    (S("lr_submitted", "lr_submitted"), 6), (S("signed", "signed"), 4), (S("lr_unlawful", "signed", "lr_unlawful"), 1),
    (S("lr_revised", "signed", "lr_revised"), 1), (S("ra_high", "ra", "ra_high"), 1), (S("submitted", "submitted"), 5),
    (S("decided", "decided"), 6), (S("deferred", "submitted", "deferred"), 1),
    (S("rejected", "decided", outcome="rejected"), 1), (S("published", "published"), 35),
    (S("archived", "archived"), 3), (S("er_exempt", "published", "er_exempt"), 2),
    (S("lr_short", "published", "lr_short"), 2), (S("pp_short", "ra", "pp_short"), 2),
    (S("cd_principal", "decided", "cd_principal"), 1), (S("cd_dissent", "published", "cd_dissent"), 1),
    (S("er_unsigned", "er", "er_unsigned"), 1), (S("cd_quorum", "decided", "cd_quorum"), 1),
)  # fmt: skip

REG = "《重大行政决策程序暂行条例》"
EXEMPTIONS = {
    StepKind.PUBLIC_PARTICIPATION: ("涉及依法不予公开的事项，不公开征求意见", f"{REG}第十四条"),
    StepKind.EXPERT_REVIEW: ("不属于专业性、技术性较强的决策事项", f"{REG}第十九条"),
    StepKind.RISK_ASSESSMENT: ("已就同一事项开展社会稳定风险评估，不再重复评估", f"{REG}第二十二条"),
}
#: Stand-ins for the draft hashes while a scenario is evaluated (LR-05 only compares them).
CURRENT_SHA, PREVIOUS_SHA = "c" * 64, "p" * 64
STEP_COLUMNS = tuple(column.name for column in Step.__table__.columns)


@dataclass
class Variant:
    """A scenario's facts for one category and start date, with the rulebook's verdict on them."""

    status: str
    published_on: date | None
    created_on: date
    #: Step rows by kind, without ``id``/``decision_id``; ``draft_sha256`` of the review is "current"/"previous".
    steps: list[dict[str, Any]]
    experts: list[dict[str, Any]]
    opinions: list[dict[str, Any]]
    signed: str | None
    drafts: int
    complete: bool = False
    findings: list[tuple[str, str, int]] = field(default_factory=list)
    step_statuses: dict[str, str] = field(default_factory=dict)
    #: The rows above encoded for the database (``BulkWriter.encode_variant``), on first use.
    encoded: tuple | None = None


def _timeline(twist: str | None, start: date, variant: int, calendar: WorkdayCalendar) -> dict[str, date]:
    """The dates of each procedure, from the start of the comment period."""
    end = start + timedelta(days=29 + 10 * variant)
    t = {
        "comment_start": start, "comment_end": end, "feedback": end + timedelta(days=3),
        "review": next_workday(end + timedelta(days=5), calendar),
        "assessed": next_workday(end + timedelta(days=8), calendar),
    }  # fmt: skip
    t["submitted"] = next_workday(t["assessed"] + timedelta(days=2), calendar)
    t["reviewed"] = calendar.add_workdays(t["submitted"], 4 if twist == "lr_short" else 8 + 3 * variant)[0]
    t["meeting"] = next_workday(t["reviewed"] + timedelta(days=5 + variant), calendar)
    if twist == "cd_before_review":
        t["meeting"] = next_workday(t["reviewed"] - timedelta(days=6), calendar)
    t["published"] = t["meeting"] + timedelta(days=45 if twist == "pub_late" else 6 + variant)
    if twist == "pp_feedback_late":
        t["feedback"] = t["meeting"] + timedelta(days=2)
    return t


def _exempted(kind: StepKind) -> dict[str, Any]:
    reason, basis = EXEMPTIONS[kind]
    return {"kind": kind.value, "status": "exempted", "exemption_reason": reason, "exemption_basis": basis}


def _participation(twist: str | None, category: Category, variant: int, t: dict[str, date]) -> dict[str, Any]:
    start = t["comment_start"]
    received = 5 + 7 * variant + 3 * CATEGORIES.index(category)
    pp = {"kind": "public_participation", "status": "completed", "completed_on": t["feedback"],
          "comments_received": received, "comments_adopted": received // 3,
          "feedback_summary": f"收到意见{received}条，采纳{received // 3}条",
          "feedback_published_on": t["feedback"]}
    if category == CA:
        pp["method"] = "symposium"
    else:
        comment_end = t["comment_end"]
        if twist == "pp_short":
            comment_end = start + timedelta(days=19)
        elif twist == "pp_short_reason":
            comment_end = start + timedelta(days=14)
            pp["short_period_reason"] = "事项时间紧迫，经批准缩短征求意见期限"
        pp.update(method="online_comment", comment_start=start, comment_end=comment_end)
    if twist == "pp_hearing_late":
        hearing = t["comment_end"] - timedelta(days=6)
        pp.update(method="hearing", hearing_date=hearing, materials_sent_on=hearing - timedelta(days=2))
    return pp


def _expert_review(
    twist: str | None, category: Category, variant: int, t: dict[str, date]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    count = 2 if twist == "er_two" else 3 + variant
    offset = 3 * CATEGORIES.index(category) + variant
    experts = []
    for position in range(1, count + 1):
        name, field_, institution = EXPERT_POOL[(offset + position) % len(EXPERT_POOL)]
        conflict = twist == "er_conflict" and position == 2
        experts.append({"position": position, "name": name, "field": field_, "institution": institution,
                        "no_conflict": not conflict})
    row = {
        "kind": "expert_review", "status": "completed", "method": "meeting", "review_date": t["review"],
        "opinion_text": "方案可行，建议细化实施步骤", "opinion_signed": twist != "er_unsigned",
        "completed_on": t["review"],
    }
    return row, experts


def _risk_assessment(twist: str | None, category: Category, variant: int, t: dict[str, date]) -> dict[str, Any]:
    high = twist == "ra_high"
    return {
        "kind": "risk_assessment", "status": "completed", "risk_types": ["fiscal"] if category == LF else
        ["social_stability"], "risk_level": "high" if high else ("medium" if variant else "low"),
        "risk_points": "群众诉求与资金监管风险", "mitigation": None if high else "专户管理，建立诉求响应机制",
        "conclusion": "proceed_with_measures" if variant else "proceed", "assessed_on": t["assessed"],
        "completed_on": t["assessed"],
    }


def _signature(twist: str | None, reviewed: date, signed: str) -> dict[str, Any]:
    unlawful = twist == "lr_unlawful"
    return {
        "status": "completed", "reviewer": "法律顾问", "opinion": "unlawful" if unlawful else "lawful",
        "opinion_text": "草案部分条款与上位法不一致" if unlawful else "决策事项在法定权限内，内容合法",
        "reviewed_on": reviewed, "completed_on": reviewed, "draft_sha256": signed,
        "signed_at": datetime.combine(reviewed, datetime.min.time(), UTC) + timedelta(hours=8),
    }


def _deferred_meeting(category: Category, day: date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    members = COMMITTEE if category == CA else EXECUTIVE
    row = {
        "kind": "collective_decision", "status": "in_progress", "meeting_type": "government_executive"
        if category != CA else "party_committee", "meeting_date": day, "members_total": len(members),
        "members_present": len(members), "outcome": "deferred",
    }
    opinions = [{"speaking_order": i, "member": m, "position": "defer", "remarks": "需补充调研",
                 "is_principal": i == len(members), "recused": False} for i, m in enumerate(members, start=1)]
    return row, opinions


def _status(scenario: Scenario) -> str:
    if scenario.twist == "deferred":
        return "in_progress"
    return {"draft": "draft", "submitted": "submitted", "decided": "decided", "published": "published",
            "archived": "archived"}.get(scenario.reach, "in_progress")


def build(scenario: Scenario, category: Category, start: date, variant: int, calendar: WorkdayCalendar) -> Variant:
    """The step facts of one scenario, as the services would have stored them."""
    reach = REACH.index(scenario.reach)
    twist = scenario.twist
    t = _timeline(twist, start, variant, calendar)
    rows: dict[StepKind, dict[str, Any]] = {kind: {"kind": kind.value, "status": "not_started"} for kind in StepKind}
    experts: list[dict[str, Any]] = []
    opinions: list[dict[str, Any]] = []
    if reach >= REACH.index("pp"):
        rows[StepKind.PUBLIC_PARTICIPATION] = (
            _exempted(StepKind.PUBLIC_PARTICIPATION) if twist == "pp_exempt"
            else _participation(twist, category, variant, t)
        )
    if reach >= REACH.index("er"):
        if twist == "er_exempt":
            rows[StepKind.EXPERT_REVIEW] = _exempted(StepKind.EXPERT_REVIEW)
        else:
            rows[StepKind.EXPERT_REVIEW], experts = _expert_review(twist, category, variant, t)
    if reach >= REACH.index("ra"):
        rows[StepKind.RISK_ASSESSMENT] = (
            _exempted(StepKind.RISK_ASSESSMENT) if twist == "ra_exempt"
            else _risk_assessment(twist, category, variant, t)
        )
    signed = None
    if reach >= REACH.index("lr_submitted"):
        rows[StepKind.LEGALITY_REVIEW] = {"kind": "legality_review", "status": "in_progress",
                                          "submitted_on": t["submitted"]}
    if reach >= REACH.index("signed"):
        signed = "previous" if twist == "lr_revised" else "current"
        rows[StepKind.LEGALITY_REVIEW].update(_signature(twist, t["reviewed"], signed))
    if reach >= REACH.index("submitted") and twist == "deferred":
        rows[StepKind.COLLECTIVE_DECISION], opinions = _deferred_meeting(category, t["meeting"])
    if reach >= REACH.index("decided"):
        rows[StepKind.COLLECTIVE_DECISION], opinions = _meeting(category, scenario, t["meeting"], variant)

    published_on = t["published"] if reach >= REACH.index("published") and scenario.outcome == "approved" else None
    return Variant(
        status=_status(scenario), published_on=published_on, created_on=start - timedelta(days=2),
        steps=[rows[kind] for kind in StepKind], experts=experts, opinions=opinions, signed=signed,
        drafts=2 if twist == "lr_revised" else 1,
    )

def _meeting(category: Category, scenario: Scenario, day: date, variant: int) -> tuple[dict, list[dict]]:
    """The meeting: quorum, every present member's position, the principal last (unless the twist says otherwise)."""
    twist = scenario.twist
    members = COMMITTEE if category == CA else EXECUTIVE
    present = len(members) - variant
    if twist == "cd_quorum":
        present = len(members) // 2
    elif twist == "cd_minority":
        present = len(members) - 2
    speakers = [*members[: present - 1], members[-1]]
    positions = ["agree"] * present
    remarks: list[str | None] = [None] * present
    if variant:
        positions[1], remarks[1] = "disagree", "建议分期实施"
    if twist == "cd_dissent":
        positions[0], remarks[0] = "disagree", None
    if twist == "cd_minority":
        # Seven of nine present (quorum kept), four agree: not more than half of all nine members.
        for i in range(1, present - 1, 2):
            positions[i], remarks[i] = "abstain", "对情况了解不够"
    if scenario.outcome == "rejected" and twist != "cd_overrule":
        for i in range(present - 1):
            if i % 3 != 2:
                positions[i], remarks[i] = "disagree", "时机尚不成熟，建议暂缓"
        positions[-1], remarks[-1] = "disagree", "同意多数意见，不予通过"
    opinions = [
        {"speaking_order": i + 1, "member": member, "position": positions[i], "remarks": remarks[i],
         "is_principal": i == present - 1, "recused": twist == "cd_recused" and i == 1}
        for i, member in enumerate(speakers)
    ]
    if twist == "cd_principal":
        principal = opinions.pop()
        opinions.insert(1, principal)
        for order, opinion in enumerate(opinions, start=1):
            opinion["speaking_order"] = order
    row = {
        "kind": "collective_decision", "status": "completed",
        "meeting_type": "party_committee" if category == CA else "government_executive",
        "meeting_date": day, "members_total": len(members), "members_present": present,
        "outcome": scenario.outcome, "minutes_ref": f"会议纪要〔{day.year}〕{day.month}号", "completed_on": day,
    }
    return row, opinions


def _judge(variant: Variant, category: Category, profile: Profile, calendar: WorkdayCalendar, now: date) -> None:
    """Run the real rulebook once on the variant, through the services' own ``step_facts``."""
    facts = {}
    for row in variant.steps:
        kind = StepKind(row["kind"])
        values = dict.fromkeys(STEP_COLUMNS)
        values.update(row)
        if values["draft_sha256"] is not None:
            values["draft_sha256"] = CURRENT_SHA if row["draft_sha256"] == "current" else PREVIOUS_SHA
        step = SimpleNamespace(
            **values,
            experts=[SimpleNamespace(**e) for e in variant.experts] if kind == StepKind.EXPERT_REVIEW else [],
            opinions=[SimpleNamespace(**o) for o in variant.opinions] if kind == StepKind.COLLECTIVE_DECISION else [],
        )
        facts[kind] = step_facts(step, 0)
    snapshot = DecisionSnapshot(
        category=category, status=DecisionStatus(variant.status), draft_sha256=CURRENT_SHA, steps=facts, today=now,
        published_on=variant.published_on,
        # Every synthetic project and fund has an amount (GEN-03); the record dates precede the stated ones.
        amount_cny=Decimal(1) if category in (MP, LF) else None,
    )
    findings = evaluate(snapshot, profile, calendar)
    variant.complete = is_complete(snapshot, findings, profile)
    variant.findings = [(rule, severity, count) for rule, (severity, count) in summarise(findings).items()]
    variant.step_statuses = {row["kind"]: row["status"] for row in variant.steps}


class Scenarios:
    """Variants built and judged on first use, then shared by every decision that draws them."""

    def __init__(self, profile: Profile, calendar: WorkdayCalendar, now: date) -> None:
        self.profile, self.calendar, self.now = profile, calendar, now
        self.evaluated = 0
        self._cache: dict[tuple, Variant | None] = {}

    def get(self, scenario: Scenario, category: Category, year: int, month: int, variant: int) -> Variant | None:
        """The variant, or None when one of its dates would lie in the future."""
        key = (scenario, category, year, month, variant)
        if key not in self._cache:
            self._cache[key] = self._make(*key)
        return self._cache[key]

    def _make(self, scenario: Scenario, category: Category, year: int, month: int, variant: int) -> Variant | None:
        start = next_workday(date(year, month, 3 + 10 * variant), self.calendar)
        built = build(scenario, category, start, variant, self.calendar)
        if max(_dates(built), default=start) > self.now:
            return None
        _judge(built, category, self.profile, self.calendar, self.now)
        self.evaluated += 1
        return built

    def pick(self, scenario: Scenario, category: Category, year: int, month: int, variant: int) -> Variant:
        for earlier in range(month, 0, -1):
            found = self.get(scenario, category, year, earlier, variant)
            if found is not None:
                return found
        # Too early in the year for this scenario to have happened: it is a fresh draft.
        return self.get(Scenario("draft", "draft"), category, year, 1, 0)


def _dates(variant: Variant) -> Iterator[date]:
    yield variant.created_on
    if variant.published_on:
        yield variant.published_on
    for row in variant.steps:
        yield from (value for value in row.values() if isinstance(value, date) and not isinstance(value, datetime))
