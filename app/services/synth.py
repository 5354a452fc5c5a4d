"""Bulk synthetic decisions for the benchmarks (``flask demo synth --decisions N --seed S``).

100,000 decisions with their drafts, five steps, experts, member opinions,
stored compliance summaries and hash-chained audit events in well under a
minute: the workflow services would take hours, so the rows are generated
from a small set of scenarios and bulk-written (``COPY`` on PostgreSQL, one
prepared ``executemany`` per table on SQLite), each value encoded by
SQLAlchemy's own bind processors so it is stored as the ORM would store it.

Correctness does not rest on the generator: the step facts of every scenario
(per category, year, month and variant) are evaluated once by the real
rulebook, through the same ``step_facts`` the services use, so the stored
summaries are exactly what ``flask compliance rebuild`` recomputes; the audit
events continue the existing chain with ``event_hash``, so ``flask audit
verify`` passes. The same seed gives the same data (ids and reference numbers
continue after whatever is already stored; audit timestamps are the time of the run).
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Dialect
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    AuditEvent,
    Decision,
    DecisionFinding,
    DraftVersion,
    Expert,
    MemberOpinion,
    Organization,
    Step,
    User,
)
from app.models.base import utcnow
from app.rulebook import DecisionSnapshot, Profile, WorkdayCalendar, evaluate, is_complete
from app.rulebook.vocabulary import Category, DecisionStatus, Role, StepKind

from .audit import _lock_chain, canonical_json, chain_tip, event_hash, record_event
from .compliance import current_profile, load_calendar, summarise, today
from .step_fields import step_facts
from .users import ensure_organization

#: Decisions generated and inserted per batch (each batch is a handful of multi-row INSERTs).
CHUNK = 5_000
FIRST_YEAR, LAST_YEAR = 2019, 2026
SYNTH_PASSWORD = "demo12345"  # noqa: S105 - documented benchmark password, like the demo's
ACTOR = "synth"

#: A fictitious county with ten towns, used when the database has no organisations yet.
COUNTY = ("LJ", "临江县")
TOWNS = (
    ("CG", "城关镇"), ("DH", "东湖镇"), ("XG", "西岗镇"), ("NT", "南塘镇"), ("BB", "北坝镇"),
    ("QT", "桥头镇"), ("LH", "柳河镇"), ("QS", "青山镇"), ("MJ", "马集镇"), ("BJ", "滨江街道"),
)  # fmt: skip

MM, CA, MP, LF = Category.MAJOR_MATTER, Category.CADRE_APPOINTMENT, Category.MAJOR_PROJECT, Category.LARGE_FUND
CATEGORIES = (MM, CA, MP, LF)
CATEGORY_WEIGHTS = (30, 15, 30, 25)

DEPARTMENTS = {
    MM: ("党政办", "财政所", "自然资源所", "社会事业局", "经济发展局", "综合执法局"),
    CA: ("党政办", "组织办"),
    MP: ("建设局", "农业农村局", "社会事业局", "经济发展局"),
    LF: ("财政所", "农业农村局", "社会事业局", "应急管理办"),
}
TOPICS_MM = ("农村宅基地管理", "集镇区停车管理", "河长制工作", "安全生产目标责任", "城乡低保实施", "养老服务设施布局",
             "农贸市场管理", "村级组织运转经费保障", "国土空间规划实施", "重点工作目标考核", "垃圾分类管理",
             "乡村振兴示范创建", "网格化社会治理", "农村集体资产管理")
FORMS_MM = ("{org}{topic}办法", "{org}{topic}实施方案", "关于{org}{topic}的决定")
UNITS_CA = ("村（社区）", "机关中层", "事业单位", "便民服务中心", "农业综合服务中心", "财政所", "网格")
FORMS_CA = ("关于任免{org}{unit}干部的决定", "关于调整{org}{unit}负责人的决定", "关于{org}{unit}干部转正定级的决定")
PLACES = ("镇区", "东片", "西片", "南片", "北片", "中心村", "沿河", "工业集中区")
PROJECTS = ("道路提档升级工程", "污水管网改造工程", "农桥建设工程", "高标准农田建设项目", "学校校舍改造工程",
            "文体活动中心建设项目", "供水管网延伸工程", "河道疏浚整治工程", "路灯亮化工程", "垃圾中转站建设项目")
FUNDS = ("农村人居环境整治", "困难群众临时救助", "农业保险保费补贴", "村级集体经济发展扶持", "老年人助餐服务补贴",
         "秸秆综合利用补助", "公益性岗位补贴", "耕地地力保护补贴", "危房改造补助", "防汛抗旱物资储备")
FORMS_LF = ("{org}{fund}资金使用", "{org}{year}年度{fund}资金安排")

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
IMPORT_BEFORE = canonical_json({"status": "draft"})
_STEP_COLUMNS = tuple(column.name for column in Step.__table__.columns)


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
    #: The rows above encoded for the database (``_Writer.encode_variant``), on first use.
    encoded: tuple | None = None


def _next_workday(day: date, calendar: WorkdayCalendar) -> date:
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def _build(scenario: Scenario, category: Category, start: date, variant: int, calendar: WorkdayCalendar) -> Variant:
    """The step facts of one scenario, as the services would have stored them."""
    reach = REACH.index(scenario.reach)
    twist = scenario.twist
    end = start + timedelta(days=29 + 10 * variant)
    t = {
        "comment_start": start, "comment_end": end, "feedback": end + timedelta(days=3),
        "review": _next_workday(end + timedelta(days=5), calendar),
        "assessed": _next_workday(end + timedelta(days=8), calendar),
    }  # fmt: skip
    t["submitted"] = _next_workday(t["assessed"] + timedelta(days=2), calendar)
    t["reviewed"] = calendar.add_workdays(t["submitted"], 4 if twist == "lr_short" else 8 + 3 * variant)[0]
    t["meeting"] = _next_workday(t["reviewed"] + timedelta(days=5 + variant), calendar)
    if twist == "cd_before_review":
        t["meeting"] = _next_workday(t["reviewed"] - timedelta(days=6), calendar)
    t["published"] = t["meeting"] + timedelta(days=45 if twist == "pub_late" else 6 + variant)
    if twist == "pp_feedback_late":
        t["feedback"] = t["meeting"] + timedelta(days=2)

    rows: dict[StepKind, dict[str, Any]] = {kind: {"kind": kind.value, "status": "not_started"} for kind in StepKind}
    experts: list[dict[str, Any]] = []
    opinions: list[dict[str, Any]] = []

    def exempt(kind: StepKind) -> None:
        reason, basis = EXEMPTIONS[kind]
        rows[kind] = {"kind": kind.value, "status": "exempted", "exemption_reason": reason, "exemption_basis": basis}

    if reach >= REACH.index("pp"):
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
        rows[StepKind.PUBLIC_PARTICIPATION] = pp
        if twist == "pp_exempt":
            exempt(StepKind.PUBLIC_PARTICIPATION)
    if reach >= REACH.index("er"):
        count = 2 if twist == "er_two" else 3 + variant
        offset = 3 * CATEGORIES.index(category) + variant
        for position in range(1, count + 1):
            name, field_, institution = EXPERT_POOL[(offset + position) % len(EXPERT_POOL)]
            conflict = twist == "er_conflict" and position == 2
            experts.append({"position": position, "name": name, "field": field_, "institution": institution,
                            "no_conflict": not conflict})
        rows[StepKind.EXPERT_REVIEW] = {
            "kind": "expert_review", "status": "completed", "method": "meeting", "review_date": t["review"],
            "opinion_text": "方案可行，建议细化实施步骤", "opinion_signed": twist != "er_unsigned",
            "completed_on": t["review"],
        }
        if twist == "er_exempt":
            exempt(StepKind.EXPERT_REVIEW)
            experts = []
    if reach >= REACH.index("ra"):
        high = twist == "ra_high"
        rows[StepKind.RISK_ASSESSMENT] = {
            "kind": "risk_assessment", "status": "completed", "risk_types": ["fiscal"] if category == LF else
            ["social_stability"], "risk_level": "high" if high else ("medium" if variant else "low"),
            "risk_points": "群众诉求与资金监管风险", "mitigation": None if high else "专户管理，建立诉求响应机制",
            "conclusion": "proceed_with_measures" if variant else "proceed", "assessed_on": t["assessed"],
            "completed_on": t["assessed"],
        }
        if twist == "ra_exempt":
            exempt(StepKind.RISK_ASSESSMENT)
    signed = None
    if reach >= REACH.index("lr_submitted"):
        rows[StepKind.LEGALITY_REVIEW] = {"kind": "legality_review", "status": "in_progress",
                                          "submitted_on": t["submitted"]}
    if reach >= REACH.index("signed"):
        signed = "previous" if twist == "lr_revised" else "current"
        unlawful = twist == "lr_unlawful"
        rows[StepKind.LEGALITY_REVIEW].update(
            status="completed", reviewer="法律顾问", opinion="unlawful" if unlawful else "lawful",
            opinion_text="草案部分条款与上位法不一致" if unlawful else "决策事项在法定权限内，内容合法",
            reviewed_on=t["reviewed"], completed_on=t["reviewed"], draft_sha256=signed,
            signed_at=datetime.combine(t["reviewed"], datetime.min.time(), UTC) + timedelta(hours=8),
        )
    if reach >= REACH.index("submitted") and twist == "deferred":
        members = COMMITTEE if category == CA else EXECUTIVE
        rows[StepKind.COLLECTIVE_DECISION] = {
            "kind": "collective_decision", "status": "in_progress", "meeting_type": "government_executive"
            if category != CA else "party_committee", "meeting_date": t["meeting"], "members_total": len(members),
            "members_present": len(members), "outcome": "deferred",
        }
        opinions = [{"speaking_order": i, "member": m, "position": "defer", "remarks": "需补充调研",
                     "is_principal": i == len(members), "recused": False} for i, m in enumerate(members, start=1)]
    if reach >= REACH.index("decided"):
        rows[StepKind.COLLECTIVE_DECISION], opinions = _meeting(category, scenario, t["meeting"], variant)

    status = {"draft": "draft", "submitted": "submitted", "decided": "decided", "published": "published",
              "archived": "archived"}.get(scenario.reach, "in_progress")
    if twist == "deferred":
        status = "in_progress"
    published_on = t["published"] if reach >= REACH.index("published") and scenario.outcome == "approved" else None
    return Variant(
        status=status, published_on=published_on, created_on=start - timedelta(days=2),
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
        values = dict.fromkeys(_STEP_COLUMNS)
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
        start = _next_workday(date(year, month, 3 + 10 * variant), self.calendar)
        built = _build(scenario, category, start, variant, self.calendar)
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


# -- organisations and users -------------------------------------------------------------------------------


def _organizations() -> list[Organization]:
    """Every existing organisation; an empty database gets the synthetic county and its towns and users."""
    existing = db.session.execute(select(Organization).order_by(Organization.code)).scalars().all()
    if existing:
        return list(existing)
    county = ensure_organization(*COUNTY)
    towns = [ensure_organization(code, name, county) for code, name in TOWNS]
    # One hash for all: these are benchmark accounts with one documented password, and
    # hashing it 22 times would cost two seconds of the benchmark's minute.
    password_hash = generate_password_hash(SYNTH_PASSWORD)
    accounts = [("synth_admin", Role.ADMIN, county, "管理员"), ("synth_auditor", Role.AUDITOR, county, "审计员")]
    for town in towns:
        accounts.append((f"{town.code.lower()}_clerk", Role.CLERK, town, f"{town.name}经办人"))
        accounts.append((f"{town.code.lower()}_legal", Role.LEGAL_ADVISER, town, f"{town.name}法律顾问"))
    for username, role, org, display_name in accounts:
        if db.session.execute(select(User.id).where(User.username == username)).first():
            continue
        user = User(username=username, display_name=display_name, role=role.value, organization=org,
                    password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
        record_event(None, "user.create", "user", user.id, actor_name=ACTOR,
                     after={"username": username, "role": role.value, "organization": org.code})
    return [county, *towns]


def _first_users(role: Role) -> dict[int, User]:
    """Per organisation, its first active user with ``role``."""
    users = db.session.execute(
        select(User).where(User.role == role.value, User.is_active.is_(True)).order_by(User.id)
    ).scalars()
    first: dict[int, User] = {}
    for user in users:
        first.setdefault(user.organization_id, user)
    return first


def _max_id(model) -> int:
    return db.session.execute(select(func.max(model.id))).scalar() or 0


# -- generation ----------------------------------------------------------------------------------------------


def _title(rng: random.Random, category: Category, org: str, year: int) -> str:
    if category == MM:
        return rng.choice(FORMS_MM).format(org=org, topic=rng.choice(TOPICS_MM))
    if category == CA:
        return rng.choice(FORMS_CA).format(org=org, unit=rng.choice(UNITS_CA))
    if category == MP:
        return f"{org}{rng.choice(PLACES)}{rng.choice(PROJECTS)}"
    return rng.choice(FORMS_LF).format(org=org, fund=rng.choice(FUNDS), year=year)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class _Table:
    """One table's rows, every column in table order, each value already as the driver takes it."""

    def __init__(self, model, dialect: Dialect, encode: bool) -> None:
        self.table: Table = model.__table__
        self.columns = [column.name for column in self.table.columns]
        self.position = {name: i for i, name in enumerate(self.columns)}
        # SQLAlchemy's own bind processors of this dialect (dates as text on SQLite, JSON, UTC timestamps…),
        # so the rows are stored exactly as the ORM would store them.
        self.processors = [
            column.type.dialect_impl(dialect).bind_processor(dialect) if encode else None
            for column in self.table.columns
        ]
        self.rows: list[tuple] = []

    def encode(self, values: dict[str, Any]) -> list[Any]:
        row: list[Any] = [None] * len(self.columns)
        for name, value in values.items():
            i = self.position[name]
            processor = self.processors[i]
            row[i] = processor(value) if processor is not None and value is not None else value
        return row

    def value(self, name: str, value: Any) -> Any:
        processor = self.processors[self.position[name]]
        return processor(value) if processor is not None and value is not None else value


class _Writer:
    """Bulk rows, written in foreign-key order every ``CHUNK`` decisions, inside the session's transaction.

    PostgreSQL gets ``COPY … FROM STDIN``; SQLite one prepared INSERT run by ``executemany``;
    any other database plain SQLAlchemy Core ``insert()`` executemany.
    """

    MODELS = (Decision, DraftVersion, Step, Expert, MemberOpinion, DecisionFinding, AuditEvent)

    def __init__(self) -> None:
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect
        self.mode = self.dialect.name if self.dialect.name in ("postgresql", "sqlite") else "core"
        self.tables = {model: _Table(model, self.dialect, self.mode != "core") for model in self.MODELS}

    def __getitem__(self, model) -> _Table:
        return self.tables[model]

    def encode_variant(self, variant: Variant) -> tuple:
        """The variant's step, expert, opinion and finding rows, encoded once and reused by every decision."""
        if variant.encoded is None:
            variant.encoded = (
                [self.tables[Step].encode(row) for row in variant.steps],
                [self.tables[Expert].encode(row) for row in variant.experts],
                [self.tables[MemberOpinion].encode(row) for row in variant.opinions],
                [self.tables[DecisionFinding].encode({"rule": r, "severity": s, "count": c})
                 for r, s, c in variant.findings],
            )
        return variant.encoded

    def flush(self) -> None:
        for model in self.MODELS:
            table = self.tables[model]
            if table.rows:
                self._write(table)
                table.rows = []

    def _write(self, table: _Table) -> None:
        quote = self.dialect.identifier_preparer.quote
        columns = ", ".join(quote(name) for name in table.columns)
        name = quote(table.table.name)
        if self.mode == "postgresql":
            raw = self.connection.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in table.rows:
                    copy.write_row(row)
        elif self.mode == "sqlite":
            compiled = insert(table.table).compile(dialect=self.dialect)
            if list(compiled.positiontup) != table.columns:  # pragma: no cover - a guard, not a branch
                raise RuntimeError(f"unexpected parameter order for {table.table.name}")
            self.connection.exec_driver_sql(str(compiled), table.rows)
        else:
            self.connection.execute(insert(table.table), [dict(zip(table.columns, row, strict=True))
                                                          for row in table.rows])


def synthesise(count: int, seed: int) -> str:
    """Insert ``count`` synthetic decisions (deterministic for ``seed``), commit, and describe them."""
    session = db.session
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    _lock_chain(session)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:  # a 512 MB page cache for this one big transaction (the default 2 MB thrashes on the indexes)
        cache_size = session.execute(text("PRAGMA cache_size")).scalar()
        session.execute(text("PRAGMA cache_size=-524288"))
    organizations = _organizations()
    clerks = {org_id: user.id for org_id, user in _first_users(Role.CLERK).items()}
    advisers = _first_users(Role.LEGAL_ADVISER)
    now = today()
    # The current year only once a month of it has passed, so that its decisions can have dates.
    years = list(range(FIRST_YEAR, min(LAST_YEAR, (now - timedelta(days=31)).year) + 1))
    year_weights = [1 + (year - FIRST_YEAR) // 2 for year in years]  # later years hold a little more
    scenarios = Scenarios(current_profile(), load_calendar(), now)
    closed = ([s for s, _w in CLOSED_YEARS], [w for _s, w in CLOSED_YEARS])
    current = ([s for s, _w in CURRENT_YEAR], [w for _s, w in CURRENT_YEAR])

    seqs: dict[tuple[int, int], int] = {
        (org_id, year): seq
        for org_id, year, seq in session.execute(
            select(Decision.organization_id, Decision.year, func.max(Decision.seq))
            .group_by(Decision.organization_id, Decision.year)
        )
    }
    ids = {model: _max_id(model) for model in (Decision, DraftVersion, Step, Expert, MemberOpinion, AuditEvent)}
    prev_hash = chain_tip(session)
    clock = utcnow()
    tally: Counter = Counter()

    out = _Writer()
    decisions, drafts_t, steps_t, experts_t = out[Decision], out[DraftVersion], out[Step], out[Expert]
    opinions_t, findings_t, events_t = out[MemberOpinion], out[DecisionFinding], out[AuditEvent]
    step_id_at, step_decision_at = steps_t.position["id"], steps_t.position["decision_id"]
    step_updated_at = steps_t.position["updated_at"]
    sha_at, reviewer_at = steps_t.position["draft_sha256"], steps_t.position["reviewer_id"]
    reviewer_name_at = steps_t.position["reviewer"]
    expert_id_at, expert_step_at = experts_t.position["id"], experts_t.position["step_id"]
    opinion_id_at, opinion_step_at = opinions_t.position["id"], opinions_t.position["step_id"]
    finding_decision_at = findings_t.position["decision_id"]
    review_index = list(StepKind).index(StepKind.LEGALITY_REVIEW)
    expert_index = list(StepKind).index(StepKind.EXPERT_REVIEW)
    meeting_index = list(StepKind).index(StepKind.COLLECTIVE_DECISION)

    for number in range(count):
        org = organizations[rng.randrange(len(organizations))]
        year = rng.choices(years, year_weights)[0]
        category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        scenario = rng.choices(*(current if year == years[-1] else closed))[0]
        if scenario.twist == "cd_minority" and category != CA:
            scenario = replace(scenario, twist="cd_dissent")
        variant = scenarios.pick(scenario, category, year, rng.randrange(1, 13, 2), rng.randrange(2))
        step_rows, expert_rows, opinion_rows, finding_rows = out.encode_variant(variant)
        department = rng.choice(DEPARTMENTS[category])
        title = _title(rng, category, org.name, year)
        amount = Decimal(rng.randrange(300, 50_000) * 1000) if category in (MP, LF) else None

        seq = seqs.get((org.id, year), 0) + 1
        seqs[(org.id, year)] = seq
        ids[Decision] += 1
        decision_id = ids[Decision]
        ref_no = f"{org.code}-{year}-{seq:03d}"
        summary = f"{title}，由{org.name}{department}承办" + (f"，资金{amount / 10000:.0f}万元。" if amount else "。")
        clerk_id = clerks.get(org.id)
        created_at = _at(variant.created_on)
        decisions.rows.append(tuple(decisions.encode({
            "id": decision_id, "organization_id": org.id, "ref_no": ref_no, "seq": seq, "title": title,
            "category": category.value, "department": department, "year": year, "amount_cny": amount,
            "summary": summary, "status": variant.status, "version": 1, "published_on": variant.published_on,
            "created_by_id": clerk_id, "created_at": created_at, "updated_at": created_at,
            "is_complete": variant.complete,
        })))
        created_value = decisions.value("created_at", created_at)

        drafts = [f"{title}（草案）\n一、承办单位：{org.name}{department}。\n二、主要内容：{summary}\n"]
        if variant.drafts == 2:
            drafts.append(drafts[0] + "三、根据审查后的意见调整了实施范围。\n")
        shas = [hashlib.sha256(text_.encode()).hexdigest() for text_ in drafts]
        for n, (text_, sha) in enumerate(zip(drafts, shas, strict=True), start=1):
            ids[DraftVersion] += 1
            drafts_t.rows.append(tuple(drafts_t.encode({
                "id": ids[DraftVersion], "decision_id": decision_id, "number": n, "text": text_, "sha256": sha,
                "author_id": clerk_id, "created_at": created_at,
            })))

        for index, template in enumerate(step_rows):
            ids[Step] += 1
            step_id = ids[Step]
            row = template.copy()
            row[step_id_at], row[step_decision_at], row[step_updated_at] = step_id, decision_id, created_value
            if index == review_index and variant.signed:
                row[sha_at] = shas[-1] if variant.signed == "current" else shas[0]
                adviser = advisers.get(org.id)
                if adviser is not None:
                    row[reviewer_at], row[reviewer_name_at] = adviser.id, adviser.display_name
            steps_t.rows.append(tuple(row))
            if index == expert_index:
                for expert in expert_rows:
                    ids[Expert] += 1
                    expert_row = expert.copy()
                    expert_row[expert_id_at], expert_row[expert_step_at] = ids[Expert], step_id
                    experts_t.rows.append(tuple(expert_row))
            elif index == meeting_index:
                for opinion in opinion_rows:
                    ids[MemberOpinion] += 1
                    opinion_row = opinion.copy()
                    opinion_row[opinion_id_at], opinion_row[opinion_step_at] = ids[MemberOpinion], step_id
                    opinions_t.rows.append(tuple(opinion_row))
        for finding in finding_rows:
            finding_row = finding.copy()
            finding_row[finding_decision_at] = decision_id
            findings_t.rows.append(tuple(finding_row))

        created = {
            "ref_no": ref_no, "title": title, "category": category.value, "department": department, "year": year,
            "amount_cny": None if amount is None else str(amount), "summary": summary, "status": "draft",
            "published_on": None, "draft_number": 1, "draft_sha256": shas[0],
        }
        imported = {
            "status": variant.status, "published_on": variant.published_on, "draft_number": len(drafts),
            "draft_sha256": shas[-1], "steps": variant.step_statuses, "is_complete": variant.complete,
            "findings": {rule: rule_count for rule, _severity, rule_count in variant.findings},
        }
        for action, before_text, after in (("decision.create", None, created),
                                           ("decision.import", IMPORT_BEFORE, imported)):
            ids[AuditEvent] += 1
            clock += timedelta(microseconds=1)
            after_text = canonical_json(after)
            digest = event_hash(prev_hash, clock, ACTOR, action, "decision", decision_id, decision_id,
                                before_text, after_text)
            events_t.rows.append(tuple(events_t.encode({
                "id": ids[AuditEvent], "at": clock, "actor_id": None, "actor": ACTOR, "action": action,
                "entity": "decision", "entity_id": decision_id, "decision_id": decision_id, "before": before_text,
                "after": after_text, "prev_hash": prev_hash, "hash": digest,
            })))
            prev_hash = digest

        tally["complete"] += variant.complete
        tally[variant.status] += 1
        if (number + 1) % CHUNK == 0:
            out.flush()
    out.flush()
    _advance_sequences()
    session.commit()
    if sqlite:
        session.execute(text(f"PRAGMA cache_size={int(cache_size)}"))  # back as it was, for the pooled connection
        session.commit()
    _analyze()

    statuses = ", ".join(f"{tally[s.value]} {s.value}" for s in DecisionStatus if tally[s.value])
    return (
        f"synthesised {count} decisions (seed {seed}) in {len(organizations)} organisations, "
        f"{years[0]}–{years[-1]}: {tally['complete']} complete; {statuses}; "
        f"{scenarios.evaluated} scenario variants judged by the rulebook"
    )


def _advance_sequences() -> None:
    """PostgreSQL: ids were given explicitly, so move each serial sequence past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in (Decision, DraftVersion, Step, Expert, MemberOpinion, AuditEvent):
        table = model.__tablename__
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - table names are ours
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        ))


def _analyze() -> None:
    """PostgreSQL: fresh planner statistics, so the benchmark does not run before autovacuum has seen the rows."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in _Writer.MODELS:
        db.session.execute(text(f"ANALYZE {model.__tablename__}"))
    db.session.commit()
