"""Bulk synthetic decisions for the benchmarks (``flask demo synth --decisions N --seed S``).

100,000 decisions with their drafts, five steps, experts, member opinions,
stored compliance summaries and hash-chained audit events in well under a
minute, 2,000,000 over 1,111 organisations (``--townships 1000``) in about
eleven minutes on PostgreSQL: the workflow services would take hours, so the
rows are generated from a small set of scenarios (``app.demo.scenarios``) and
bulk-written (``app.demo.bulk``). Memory stays bounded whatever the count:
rows go out every ``CHUNK`` decisions, and only the scenario variants (a
bounded set) are kept.

Correctness does not rest on the generator: every scenario variant is judged
by the real rulebook, so the stored summaries are exactly what ``flask
compliance rebuild`` recomputes; the audit events continue each organisation's
chain with ``event_hash``, so ``flask audit verify`` passes. The same seed gives the
same data (ids and reference numbers continue after whatever is already
stored; audit timestamps are the time of the run).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from hashlib import sha256
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.clock import today, utcnow
from app.database import insert_rows
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
from app.models.user import hash_password
from app.rulebook.vocabulary import Category, DecisionStatus, Role, StepKind
from app.services.audit import _SEP as LINK_SEPARATOR
from app.services.audit import GENESIS_HASH, canonical_json, chain_tip, lock_chains
from app.services.compliance import current_profile, load_calendar
from app.services.statistics import rebuild_statistics, signature

from .bulk import BulkWriter, advance_sequences, analyze, constraints_rebuilt
from .scenarios import CA, CATEGORIES, CLOSED_YEARS, CURRENT_YEAR, LF, MM, MP, Scenario, Scenarios, Variant

#: Decisions generated and written per batch (each batch is one COPY or executemany a table; on PostgreSQL
#: about 8 kB of COPY text a decision, three batches in memory at most: generated, queued, being sent).
CHUNK = 2_000
FIRST_YEAR, LAST_YEAR = 2019, 2026
SYNTH_PASSWORD = "demo12345"  # noqa: S105 - documented benchmark password, like the demo's
ACTOR = "synth"

#: A fictitious county with ten towns, used when the database has no organisations yet.
COUNTY = ("LJ", "临江县")
TOWNS = (
    ("CG", "城关镇"), ("DH", "东湖镇"), ("XG", "西岗镇"), ("NT", "南塘镇"), ("BB", "北坝镇"),
    ("QT", "桥头镇"), ("LH", "柳河镇"), ("QS", "青山镇"), ("MJ", "马集镇"), ("BJ", "滨江街道"),
)  # fmt: skip

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


# -- organisations and users -------------------------------------------------------------------------------


#: ``--townships N``: townships per county and counties per city of the generated nation-shaped tree
#: (``--townships 1000``: 10 cities of 10 counties of 10 townships, 1,111 organisations with the province).
TOWNSHIPS_PER_COUNTY, COUNTIES_PER_CITY = 10, 10
#: Where the decisions of a tree go: most to the townships, some to the counties and cities, none to the province.
LEVEL_SHARES = (("township", 0.92), ("county", 0.06), ("city", 0.02))
TREE_ROOT = ("SP", "示范省")
_NAME_CHARS = "安宁平和丰泰华阳清河山湖新城东西南北江海云龙凤金石桥溪林泉兴隆永昌长乐福康吉庆瑞德仁义嘉善"


class TreeRefused(Exception):
    """``--townships`` on a database that already holds the tree's organisations."""


def _place_name(rng: random.Random, suffix: str, used: set[str]) -> str:
    """Two characters and the level's suffix (市, 县, 镇), not given twice."""
    for _attempt in range(20):
        name = rng.choice(_NAME_CHARS) + rng.choice(_NAME_CHARS) + suffix
        if name not in used:
            break
    else:  # the two-character names of the level are running out: number them
        name = f"{rng.choice(_NAME_CHARS)}{rng.choice(_NAME_CHARS)}{len(used)}{suffix}"
    used.add(name)
    return name


def _tree(townships: int, seed: int) -> list[tuple[str, str, str | None, str]]:
    """``(code, name, parent code, level)`` of a province > cities > counties > ``townships`` townships.

    Codes say the place in the tree: ``SP`` > ``SP01`` (city) > ``SP01C01`` (county) > ``SP01C01T01``.
    """
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    used: set[str] = set()
    root = TREE_ROOT[0]
    nodes: list[tuple[str, str, str | None, str]] = [(root, TREE_ROOT[1], None, "province")]
    counties = -(-townships // TOWNSHIPS_PER_COUNTY)
    cities = -(-counties // COUNTIES_PER_CITY)
    made = 0
    for city_no in range(1, cities + 1):
        city = f"{root}{city_no:02d}"
        nodes.append((city, _place_name(rng, "市", used), root, "city"))
        for county_no in range(1, COUNTIES_PER_CITY + 1):
            if (city_no - 1) * COUNTIES_PER_CITY + county_no > counties:
                break
            county = f"{city}C{county_no:02d}"
            nodes.append((county, _place_name(rng, "县", used), city, "county"))
            for town_no in range(1, TOWNSHIPS_PER_COUNTY + 1):
                if made == townships:
                    break
                made += 1
                nodes.append((f"{county}T{town_no:02d}", _place_name(rng, "镇", used), county, "township"))
    return nodes


def _accounts(level: str, org: Organization | _NewOrg) -> list[tuple[str, Role, str]]:
    """The benchmark accounts of one organisation: who works there at its level."""
    prefix = org.code.lower()
    if level == "root":  # the default county: the accounts the benchmarks have always used
        return [("synth_admin", Role.ADMIN, "管理员"), ("synth_auditor", Role.AUDITOR, "审计员")]
    if level == "township":
        return [(f"{prefix}_clerk", Role.CLERK, f"{org.name}经办人"),
                (f"{prefix}_legal", Role.LEGAL_ADVISER, f"{org.name}法律顾问")]
    accounts = [(f"{prefix}_auditor", Role.AUDITOR, f"{org.name}审计员")]
    if level == "province":
        accounts.append(("synth_admin", Role.ADMIN, "管理员"))
    return accounts


def _organizations(townships: int | None, seed: int) -> tuple[list[tuple[Organization, str]], list[_TreeEvent]]:
    """The organisations that get decisions, with their level; new ones come with their users.

    Without ``townships``: every existing organisation, or on an empty database one county (临江县) with ten
    towns. With it: a province ``SP`` with cities, counties and that many townships (each with a clerk and a
    legal adviser; every level above with an auditor), beside whatever the database holds already (the demo's
    organisations keep their data and get no decisions).
    """
    existing = db.session.execute(select(Organization).order_by(Organization.code)).scalars().all()
    if townships is None and existing:
        return [(org, "existing") for org in existing], []
    if townships is None:
        nodes = [(COUNTY[0], COUNTY[1], None, "root")] + [(code, name, COUNTY[0], "township") for code, name in TOWNS]
    else:
        nodes = _tree(townships, seed)
        taken = {org.code for org in existing} & {code for code, _name, _parent, _level in nodes}
        if taken:
            raise TreeRefused(f"--townships builds the organisations {TREE_ROOT[0]}…; this database has "
                              f"{', '.join(sorted(taken)[:3])} already")
    return _insert_tree(nodes)


#: The audit events of the organisations and users made by ``_insert_tree``, appended by ``_Rows`` before the
#: decisions' (chain, entity, entity id, action, after).
_TreeEvent = tuple[int, str, int, str, dict[str, Any]]


def _insert_tree(nodes: list[tuple[str, str, str | None, str]]) -> tuple[list[tuple[Organization, str]],
                                                                        list[_TreeEvent]]:
    """The organisations and their users in a few bulk inserts (thousands of them: one by one took half a minute).

    Ids are given explicitly, continuing after the stored ones (and the sequences moved past them), as for the
    decisions; the audit events that the services would record are returned for the organisations' chains.
    """
    session = db.session
    connection = session.connection()
    org_id, user_id = _max_id(Organization), _max_id(User)
    ids: dict[str, int] = {}
    org_rows, user_rows, events = [], [], []
    # One hash for all: these are benchmark accounts with one documented password, and
    # hashing it for every account would cost most of the benchmark's minute.
    password_hash = hash_password(SYNTH_PASSWORD)
    created_at = utcnow()
    levels = {}
    for code, name, parent, level in nodes:
        org_id += 1
        ids[code], levels[org_id] = org_id, level
        org_rows.append({"id": org_id, "code": code, "name": name, "parent_id": ids[parent] if parent else None})
        events.append((org_id, "organization", org_id, "organization.create",
                       {"code": code, "name": name, "parent": parent}))
        for username, role, display_name in _accounts(level, _NewOrg(code, name)):
            user_id += 1
            user_rows.append({"id": user_id, "username": username, "display_name": display_name, "role": role.value,
                              "organization_id": org_id, "is_active": True, "password_hash": password_hash,
                              "created_at": created_at, "session_epoch": 0, "must_change_password": False})
            events.append((org_id, "user", user_id, "user.create",
                           {"username": username, "role": role.value, "organization": code}))
    insert_rows(connection, Organization.__table__, org_rows)
    insert_rows(connection, User.__table__, user_rows)
    if connection.dialect.name == "postgresql":
        for table in ("organizations", "users"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - ours
                                 f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
    made = session.execute(select(Organization).where(Organization.id.in_(levels))
                           .order_by(Organization.id)).scalars().all()
    return [(org, levels[org.id]) for org in made], events


@dataclass(frozen=True)
class _NewOrg:
    code: str
    name: str


class _Picker:
    """Which organisation a decision goes to: uniformly, or in a tree by ``LEVEL_SHARES``."""

    def __init__(self, organizations: list[tuple[Organization, str]], tree: bool) -> None:
        self.everyone = [org for org, _level in organizations]
        self.levels: list[tuple[float, list[Organization]]] = []
        if tree:
            bound = 0.0
            for level, share in LEVEL_SHARES:
                bound += share
                self.levels.append((bound, [org for org, org_level in organizations if org_level == level]))

    def __call__(self, rng: random.Random) -> Organization:
        if not self.levels:
            return self.everyone[rng.randrange(len(self.everyone))]
        draw = rng.random()
        for bound, orgs in self.levels:
            if draw < bound and orgs:
                return orgs[rng.randrange(len(orgs))]
        townships = self.levels[0][1]
        return townships[rng.randrange(len(townships))]


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


IMPORT_BEFORE = canonical_json({"status": "draft"})
_SHA_MARK = "@draft-sha256@"
_MICROSECOND = timedelta(microseconds=1)
_js = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) writes a string as
_IDS = (Decision, DraftVersion, Step, Expert, MemberOpinion, AuditEvent)
_REVIEW, _EXPERTS, _MEETING = (list(StepKind).index(kind) for kind in (
    StepKind.LEGALITY_REVIEW, StepKind.EXPERT_REVIEW, StepKind.COLLECTIVE_DECISION))


class _Rows:
    """The rows of each synthetic decision, numbered after what is stored and chained to the audit trail's tip."""

    def __init__(self, session: Session, out: BulkWriter, organizations: list[Organization],
                 tree_events: list[_TreeEvent]) -> None:
        self.out = out
        self.clerks = {org_id: user.id for org_id, user in _first_users(Role.CLERK).items()}
        self.advisers = {org_id: (user.id, user.display_name)
                         for org_id, user in _first_users(Role.LEGAL_ADVISER).items()}
        self.seqs: dict[tuple[int, int], int] = {
            (org_id, year): seq
            for org_id, year, seq in session.execute(
                select(Decision.organization_id, Decision.year, func.max(Decision.seq))
                .group_by(Decision.organization_id, Decision.year)
            )
        }
        self.ids = {model: _max_id(model) for model in _IDS}
        #: Organisation id → [last hash, last seq] of its chain (its lock is held: see ``synthesise``);
        #: the organisations made just now have none yet.
        new = {chain for chain, *_rest in tree_events}
        self.chains = {org.id: [GENESIS_HASH, 0] if org.id in new else [tip.hash, tip.seq] for org in organizations
                       for tip in (None if org.id in new else chain_tip(session, org.id),)}
        self.clock = utcnow()
        self.second: str | None = None
        self.imported: dict[int, list[str]] = {}
        self.decision_row = out[Decision].encoder((
            "id", "organization_id", "ref_no", "seq", "title", "category", "department", "year", "amount_cny",
            "summary", "status", "version", "row_version", "backfilled", "published_on", "created_by_id",
            "created_at", "updated_at", "is_complete", "statistics_keys"))
        self.draft_row = out[DraftVersion].encoder(
            ("id", "decision_id", "number", "text", "sha256", "author_id", "created_at"))
        self.event_row = out[AuditEvent].encoder((
            "id", "chain", "seq", "at", "actor_id", "actor", "action", "entity", "entity_id", "decision_id",
            "before", "after", "prev_hash", "hash"))
        for chain, entity, entity_id, action, after in tree_events:
            self._event(chain, entity, entity_id, None, action, None, canonical_json(after),
                        actor="system" if entity == "organization" else ACTOR)

    def _next_id(self, model) -> int:
        self.ids[model] += 1
        return self.ids[model]

    def add(self, org: Organization, year: int, category: Category, variant: Variant, department: str, title: str,
            amount: Decimal | None) -> None:
        """One decision, its drafts, steps, experts, opinions, findings and its two audit events."""
        seq = self.seqs.get((org.id, year), 0) + 1
        self.seqs[(org.id, year)] = seq
        decision_id = self._next_id(Decision)
        ref_no = f"{org.code}-{year}-{seq:03d}"
        summary = f"{title}，由{org.name}{department}承办" + (f"，资金{amount / 10000:.0f}万元。" if amount else "。")
        clerk_id = self.clerks.get(org.id)
        created_at = _at(variant.created_on)
        self.out[Decision].add(self.decision_row(
            decision_id, org.id, ref_no, seq, title, category.value, department, year, amount, summary,
            variant.status, 1, 1, False, variant.published_on, clerk_id, created_at, created_at, variant.complete,
            # What the decision is counted as (app.services.statistics): the counters are recounted from it below.
            signature(org.id, year, category.value, variant.complete, False, variant.step_statuses,
                      (rule for rule, _severity, _count in variant.findings)),
        ))

        drafts = [f"{title}（草案）\n一、承办单位：{org.name}{department}。\n二、主要内容：{summary}\n"]
        if variant.drafts == 2:
            drafts.append(drafts[0] + "三、根据审查后的意见调整了实施范围。\n")
        shas = [hashlib.sha256(text_.encode()).hexdigest() for text_ in drafts]
        drafts_t = self.out[DraftVersion]
        for n, (text_, sha) in enumerate(zip(drafts, shas, strict=True), start=1):
            drafts_t.add(self.draft_row(self._next_id(DraftVersion), decision_id, n, text_, sha, clerk_id, created_at))
        self._steps(org, decision_id, variant, shas, self.out[Decision].value("created_at", created_at))

        # canonical_json of the two events' values, written out (its keys sorted) for speed: the test suite
        # checks that each stored text is what canonical_json gives.
        created = "".join((
            '{"amount_cny":', "null" if amount is None else _js(str(amount)), ',"category":', _js(category.value),
            ',"department":', _js(department), ',"draft_number":1,"draft_sha256":"', shas[0],
            '","published_on":null,"ref_no":', _js(ref_no), ',"status":"draft","summary":', _js(summary),
            ',"title":', _js(title), ',"year":', str(year), "}",
        ))
        imported = self.imported.get(id(variant))
        if imported is None:
            imported = self.imported[id(variant)] = canonical_json({
                "status": variant.status, "published_on": variant.published_on, "draft_number": len(drafts),
                "draft_sha256": _SHA_MARK, "steps": variant.step_statuses, "is_complete": variant.complete,
                "findings": {rule: rule_count for rule, _severity, rule_count in variant.findings},
            }).split(_SHA_MARK)
        self._event(org.id, "decision", decision_id, decision_id, "decision.create", None, created)
        self._event(org.id, "decision", decision_id, decision_id, "decision.import", IMPORT_BEFORE,
                    shas[-1].join(imported))

    def _steps(self, org: Organization, decision_id: int, variant: Variant, shas: list[str], created: Any) -> None:
        """The variant's step templates with this decision's ids; experts and opinions under their step."""
        steps, experts, opinions, findings = self.out.encode_variant(variant)
        ids = self.ids
        first = ids[Step] + 1
        ids[Step] += 5
        sha = reviewer_id = reviewer = None
        if variant.signed:
            sha = shas[-1] if variant.signed == "current" else shas[0]
            reviewer_id, reviewer = self.advisers.get(org.id) or self._scenario_reviewer(variant)
        self.out[Step].add_from(steps, (decision_id, created, sha, reviewer_id, reviewer, *range(first, first + 5)))
        for model, template, step_id in ((Expert, experts, first + _EXPERTS), (MemberOpinion, opinions,
                                                                                first + _MEETING)):
            count = len(template.rows)
            if count:
                self.out[model].add_from(template, (step_id, *range(ids[model] + 1, ids[model] + 1 + count)))
                ids[model] += count
        if findings.rows:
            self.out[DecisionFinding].add_from(findings, (decision_id,))

    def _scenario_reviewer(self, variant: Variant) -> tuple[Any, Any]:
        """The scenario's own reviewer, for an organisation without a legal adviser (a county, a city)."""
        row, table = variant.steps[_REVIEW], self.out[Step]
        return table.value("reviewer_id", row.get("reviewer_id")), table.value("reviewer", row.get("reviewer"))

    def _event(self, chain: int, entity: str, entity_id: int, decision_id: int | None, action: str,
               before_text: str | None, after_text: str, actor: str = ACTOR) -> None:
        """An audit event (``after_text`` already canonical JSON), chained to its organisation's last one."""
        event_id = self._next_id(AuditEvent)
        self.clock += _MICROSECOND
        if self.clock.microsecond == 0 or self.second is None:
            self.second = self.clock.strftime("%Y-%m-%dT%H:%M:%S.")
        link = self.chains[chain]
        prev_hash, seq = link[0], link[1] + 1
        # event_hash(), inlined with format_at()'s text built from the second's (this runs millions of times).
        digest = sha256(LINK_SEPARATOR.join((
            prev_hash, str(chain), str(seq), f"{self.second}{self.clock.microsecond:06d}Z", actor, action, entity,
            str(entity_id), "" if decision_id is None else str(decision_id), before_text or "", after_text,
        )).encode()).hexdigest()
        self.out[AuditEvent].add(self.event_row(
            event_id, chain, seq, self.clock, None, actor, action, entity, entity_id, decision_id, before_text,
            after_text, prev_hash, digest,
        ))
        link[0], link[1] = digest, seq


@contextmanager
def _large_page_cache(session: Session) -> Iterator[None]:
    """SQLite: a 512 MB page cache for this one big transaction (the default 2 MB thrashes on the indexes)."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    cache_size = session.execute(text("PRAGMA cache_size")).scalar()
    session.execute(text("PRAGMA cache_size=-524288"))
    yield
    session.execute(text(f"PRAGMA cache_size={int(cache_size)}"))  # back as it was, for the pooled connection
    session.commit()


#: From this many decisions on, a PostgreSQL load drops the secondary indexes and constraints and rebuilds them.
REBUILD_FROM = 50_000


def synthesise(count: int, seed: int, townships: int | None = None, rebuild: bool | None = None) -> str:
    """Insert ``count`` synthetic decisions (deterministic for ``seed``), commit, and describe them.

    ``townships`` builds a nation-shaped tree of organisations first and spreads the decisions over it.
    ``rebuild`` (PostgreSQL): drop and rebuild the secondary indexes and constraints around the load; by default
    when the load is large (``REBUILD_FROM``) and at least as large as what the tables hold.
    """
    session = db.session
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    with _large_page_cache(session):
        organizations, tree_events = _organizations(townships, seed)
        pick = _Picker(organizations, townships is not None)
        new = {chain for chain, *_rest in tree_events}
        lock_chains(session, [org.id for org, _level in organizations if org.id not in new])
        if session.get_bind().dialect.name != "postgresql":
            rebuild = False
        elif rebuild is None:
            rebuild = count >= REBUILD_FROM and count >= _max_id(Decision)
        now = today()
        # The current year only once a month of it has passed, so that its decisions can have dates.
        years = list(range(FIRST_YEAR, min(LAST_YEAR, (now - timedelta(days=31)).year) + 1))
        year_weights = [1 + (year - FIRST_YEAR) // 2 for year in years]  # later years hold a little more
        scenarios = Scenarios(current_profile(), load_calendar(), now)
        closed = ([s for s, _w in CLOSED_YEARS], [w for _s, w in CLOSED_YEARS])
        current = ([s for s, _w in CURRENT_YEAR], [w for _s, w in CURRENT_YEAR])
        started = time.perf_counter()
        with constraints_rebuilt(rebuild):
            out = BulkWriter()
            rows = _Rows(session, out, [org for org, _level in organizations], tree_events)
            tally: Counter = Counter()
            try:
                for number in range(count):
                    org = pick(rng)
                    year = rng.choices(years, year_weights)[0]
                    category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
                    scenario: Scenario = rng.choices(*(current if year == years[-1] else closed))[0]
                    if scenario.twist == "cd_minority" and category != CA:
                        scenario = replace(scenario, twist="cd_dissent")
                    variant = scenarios.pick(scenario, category, year, rng.randrange(1, 13, 2), rng.randrange(2))
                    department = rng.choice(DEPARTMENTS[category])
                    title = _title(rng, category, org.name, year)
                    amount = Decimal(rng.randrange(300, 50_000) * 1000) if category in (MP, LF) else None
                    rows.add(org, year, category, variant, department, title, amount)
                    tally["complete"] += variant.complete
                    tally[variant.status] += 1
                    if (number + 1) % CHUNK == 0:
                        out.flush()
            finally:
                out.close()  # the writer thread is done with the connection, even after an error
            loaded = time.perf_counter()
        rebuilt = time.perf_counter()
        advance_sequences()
        session.commit()
    committed = time.perf_counter()
    analyze()
    analyzed = time.perf_counter()
    # The dashboards read rolled-up counters that refresh_summary keeps; rows written around it are recounted.
    rebuild_statistics()
    session.commit()

    statuses = ", ".join(f"{tally[s.value]} {s.value}" for s in DecisionStatus if tally[s.value])
    return (
        f"synthesised {count} decisions (seed {seed}) in {len(organizations)} organisations, "
        f"{years[0]}–{years[-1]}: {tally['complete']} complete; {statuses}; "
        f"{scenarios.evaluated} scenario variants judged by the rulebook; rows {loaded - started:.1f} s, "
        + (f"indexes and constraints rebuilt {rebuilt - loaded:.1f} s, " if rebuild else "")
        + f"commit {committed - rebuilt:.1f} s, analyze {analyzed - committed:.1f} s, "
        f"counters {time.perf_counter() - analyzed:.1f} s"
    )
