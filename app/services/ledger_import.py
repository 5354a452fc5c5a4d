"""Importing an existing 台账 (an XLSX or CSV ledger of past decisions) as backfilled decisions.

The layout is the one ``/reports/ledger.xlsx`` exports, so an export imports back; a blank template with the same
headings is offered for a town's own Excel. Each row becomes a decision entered after the fact (REC-02, with the
reason given at upload) holding only what the row says: its five steps' statuses and dates, the legal opinion,
the meeting's outcome. What the row lacks stays missing and shows as findings; nothing is invented. A 编号
already in the organisation (as a 台账 number or a decision number), an unknown category, a bad date or amount
refuses the row; any refused row means nothing is written. A dry run writes nothing and shows each decision and
its findings.

Why not ``create_decision`` + ``record_step`` per row: 10,000 rows must import in seconds, and those services
flush and append an audit event per call (tens of statements a decision). So the rows are checked with the
services' own field parsers and judged by the same rulebook (``compliance.evaluate_decision`` on the decision
as it would stand), then written in a few bulk INSERTs, with one audit event per decision appended to the
organisation's chain in one pass.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.clock import today, utcnow
from app.database import insert_rows
from app.extensions import db
from app.models import AuditEvent, Decision, DecisionFinding, DraftVersion, LedgerEntry, Organization, Step, User
from app.rulebook import DecisionSnapshot, Finding, StepFacts, evaluate, is_complete
from app.rulebook.vocabulary import (
    EXEMPTIBLE_STEPS,
    Category,
    DecisionStatus,
    LegalOpinion,
    Outcome,
    StepKind,
    StepStatus,
)

from . import permissions, statistics
from .audit import canonical_json, chain_tip, event_hash, lock_chains
from .compliance import current_profile, load_calendar, summarise
from .decisions import DEPARTMENT_MAX, TITLE_MAX, _parse_backfill, next_ref_no, sha256_text
from .errors import ValidationFailed, check_year
from .step_fields import KIND_FIELDS
from .tabular import CellError, Refusal, Table, read_amount, read_date, read_table, read_text

PP, ER, RA, LR, CD = (StepKind.PUBLIC_PARTICIPATION, StepKind.EXPERT_REVIEW, StepKind.RISK_ASSESSMENT,
                      StepKind.LEGALITY_REVIEW, StepKind.COLLECTIVE_DECISION)
STEP_ZH = {PP: "公众参与", ER: "专家论证", RA: "风险评估", LR: "合法性审查", CD: "集体讨论决定"}
REF_MAX = 40

# -- the layout: the export's headings (DESIGN §5 ledger) and their common variants -------------------------------

_DECISION_COLUMNS: dict[str, tuple[str, ...]] = {
    "ledger_ref": ("编号", "决策编号", "台账编号", "ref_no"),
    "title": ("事项名称", "决策事项", "事项", "标题", "title"),
    "category": ("类别", "事项类别", "category"),
    "organization": ("单位", "organization"),
    "department": ("承办部门", "承办单位", "责任部门", "department"),
    "amount_cny": ("金额（元）", "金额", "amount_cny"),
    "status": ("状态", "status"),
    "complete": ("是否完整",),
    "problems": ("发现问题",),
    "backfilled": ("是否补录",),
    "published_on": ("公布日期", "published_on"),
}
#: Per step: its facts in the ledger (the export's order), each with its heading.
STEP_FIELDS: dict[StepKind, tuple[tuple[str, str], ...]] = {
    PP: (("status", "状态"), ("completed_on", "完成日期"), ("exemption_reason", "免除理由"),
         ("exemption_basis", "免除法律依据")),
    ER: (("status", "状态"), ("completed_on", "完成日期"), ("exemption_reason", "免除理由"),
         ("exemption_basis", "免除法律依据")),
    RA: (("status", "状态"), ("completed_on", "完成日期"), ("exemption_reason", "免除理由"),
         ("exemption_basis", "免除法律依据")),
    LR: (("status", "状态"), ("submitted_on", "送审日期"), ("reviewed_on", "审查日期"), ("opinion", "意见")),
    CD: (("status", "状态"), ("meeting_date", "会议日期"), ("outcome", "决定结果")),
}


def _columns() -> dict[str, tuple[str, ...]]:
    columns = dict(_DECISION_COLUMNS)
    for kind, facts in STEP_FIELDS.items():
        for name, heading in facts:
            names = [f"{STEP_ZH[kind]} {heading}"]
            if name == "exemption_basis":
                names.append(f"{STEP_ZH[kind]} 免除依据")
            columns[f"{kind.value}.{name}"] = tuple(names)
    return columns


LEDGER_COLUMNS = _columns()
REQUIRED_COLUMNS = ("ledger_ref", "title", "category", "department")
#: The blank template's headings: the export's layout (its derived columns are ignored on import).
TEMPLATE_HEADINGS: tuple[str, ...] = tuple(names[0] for names in LEDGER_COLUMNS.values())

# -- the words of the cells --------------------------------------------------------------------------------------

CATEGORY_WORDS = {
    "重大事项决策": Category.MAJOR_MATTER, "重大事项": Category.MAJOR_MATTER,
    "重要干部任免": Category.CADRE_APPOINTMENT, "干部任免": Category.CADRE_APPOINTMENT,
    "重大项目安排": Category.MAJOR_PROJECT, "重大项目": Category.MAJOR_PROJECT,
    "大额度资金使用": Category.LARGE_FUND, "大额资金使用": Category.LARGE_FUND, "大额资金": Category.LARGE_FUND,
    **{c.value: c for c in Category},
}
STEP_STATUS_WORDS = {
    "未开始": StepStatus.NOT_STARTED, "进行中": StepStatus.IN_PROGRESS, "已完成": StepStatus.COMPLETED,
    "完成": StepStatus.COMPLETED, "依法免除": StepStatus.EXEMPTED, "免除": StepStatus.EXEMPTED,
    **{s.value: s for s in StepStatus},
}
DECISION_STATUS_WORDS = {
    "草稿": DecisionStatus.DRAFT, "办理中": DecisionStatus.IN_PROGRESS, "已提请集体讨论": DecisionStatus.SUBMITTED,
    "已决定": DecisionStatus.DECIDED, "已公布": DecisionStatus.PUBLISHED, "已归档": DecisionStatus.ARCHIVED,
    **{s.value: s for s in DecisionStatus},
}
OPINION_WORDS = {
    "合法": LegalOpinion.LAWFUL, "修改后合法": LegalOpinion.LAWFUL_WITH_CHANGES, "不合法": LegalOpinion.UNLAWFUL,
    **{o.value: o for o in LegalOpinion},
}
OUTCOME_WORDS = {
    "通过": Outcome.APPROVED, "不通过": Outcome.REJECTED, "暂缓决定": Outcome.DEFERRED, "缓议": Outcome.DEFERRED,
    **{o.value: o for o in Outcome},
}


def _word(words: dict[str, Any]) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        text = str(value).strip()
        if text not in words:
            choices = "、".join(w for w in words if not w.isascii())
            raise CellError(_("is not one of: %(values)s", values=choices))
        return words[text]

    return read


# -- rows --------------------------------------------------------------------------------------------------------

@dataclass
class LedgerRow:
    """One readable row: the decision it would become and the findings it would carry."""

    row: int
    ledger_ref: str
    title: str
    category: Category
    department: str
    amount_cny: Decimal | None
    status: DecisionStatus
    published_on: date | None
    steps: dict[StepKind, dict[str, Any]]
    ref_no: str = ""
    seq: int = 0
    findings: list[Finding] = field(default_factory=list)
    complete: bool = False
    draft_text: str = ""
    draft_sha256: str = ""

    def to_dict(self, locale: str = "zh_CN") -> dict[str, Any]:
        return {
            "row": self.row, "ledger_ref": self.ledger_ref, "ref_no": self.ref_no, "title": self.title,
            "category": self.category.value, "department": self.department,
            "amount_cny": None if self.amount_cny is None else f"{self.amount_cny:.2f}",
            "status": self.status.value,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "steps": {kind.value: {k: (v.isoformat() if isinstance(v, date) else v) for k, v in facts.items()}
                      for kind, facts in self.steps.items()},
            "complete": self.complete,
            "findings": [f.to_dict(locale) for f in self.findings],
        }


@dataclass
class LedgerImport:
    organization: Organization
    year: int
    dry_run: bool
    rows: list[LedgerRow]
    refused: list[Refusal]
    created: int = 0
    decision_ids: list[int] = field(default_factory=list)

    def to_dict(self, locale: str = "zh_CN", *, with_rows: bool = False) -> dict[str, Any]:
        answer: dict[str, Any] = {"created": self.created, "dry_run": self.dry_run, "year": self.year,
                                  "refused": [r.to_dict() for r in self.refused]}
        if with_rows:
            answer["decisions"] = [row.to_dict(locale) for row in self.rows]
        return answer


class _RowReader:
    """Reads one row's cells; every bad cell is one refusal with the heading as the file names it."""

    def __init__(self, table: Table, number: int, raw: list[Any], refused: list[Refusal]) -> None:
        self.table, self.number, self.raw, self.refused = table, number, raw, refused
        self.bad = False

    def heading(self, name: str) -> str:
        index = self.table.columns.get(name)
        if index is not None and index < len(self.table.headings) and self.table.headings[index]:
            return self.table.headings[index]
        return LEDGER_COLUMNS[name][0]

    def refuse(self, name: str, message: str) -> None:
        self.refused.append(Refusal(self.number, self.heading(name), message))
        self.bad = True

    def get(self, name: str, read: Callable[[Any], Any], *, required: bool = False) -> Any:
        cell = self.table.cell(self.raw, name)
        if cell is None:
            if required:
                self.refuse(name, _("is required"))
            return None
        try:
            return read(cell)
        except CellError as error:
            self.refuse(name, error.message)
            return None


def _date_not_future(value: Any) -> date:
    day = read_date(value)
    if day > today():
        raise CellError(_("must not be in the future"))
    return day


def _step_status(kind: StepKind, facts: dict[str, Any]) -> StepStatus:
    """A blank status cell: what the row's dates say, and no more."""
    if kind == LR:
        if facts.get("reviewed_on"):
            return StepStatus.COMPLETED
        return StepStatus.IN_PROGRESS if facts.get("submitted_on") else StepStatus.NOT_STARTED
    if kind == CD:
        if facts.get("meeting_date") and facts.get("outcome") in (Outcome.APPROVED, Outcome.REJECTED):
            return StepStatus.COMPLETED
        return StepStatus.IN_PROGRESS if facts.get("meeting_date") else StepStatus.NOT_STARTED
    return StepStatus.COMPLETED if facts.get("completed_on") else StepStatus.NOT_STARTED


_READERS: dict[str, Callable[[Any], Any]] = {
    "status": _word(STEP_STATUS_WORDS),
    "completed_on": _date_not_future, "submitted_on": _date_not_future, "reviewed_on": _date_not_future,
    "meeting_date": _date_not_future,
    "opinion": _word(OPINION_WORDS), "outcome": _word(OUTCOME_WORDS),
    "exemption_reason": lambda v: read_text(v, 2000), "exemption_basis": lambda v: read_text(v, 2000),
}


def _read_steps(reader: _RowReader) -> dict[StepKind, dict[str, Any]]:
    steps: dict[StepKind, dict[str, Any]] = {}
    for kind, facts in STEP_FIELDS.items():
        values = {name: reader.get(f"{kind.value}.{name}", _READERS[name]) for name, _heading in facts}
        status = values.pop("status") or _step_status(kind, values)
        prefix = f"{kind.value}."
        if status == StepStatus.EXEMPTED:
            if kind not in EXEMPTIBLE_STEPS:
                reader.refuse(prefix + "status", _("this procedure cannot be exempted"))
            for name in ("exemption_reason", "exemption_basis"):
                if not values.get(name):
                    reader.refuse(prefix + name if prefix + name in reader.table.columns else prefix + "status",
                                  _("an exempted procedure states its reason and legal basis"))
        else:
            for name in ("exemption_reason", "exemption_basis"):
                if values.get(name):
                    reader.refuse(prefix + name, _("is only stated for an exempted procedure"))
        if kind == LR and values.get("submitted_on") and values.get("reviewed_on") and (
                values["reviewed_on"] < values["submitted_on"]):
            reader.refuse(prefix + "reviewed_on", _("must not be before the materials were submitted"))
        # The services' own rule: a signed review is completed on its review day, a meeting on its date.
        if status == StepStatus.COMPLETED and kind in (LR, CD):
            done_on = values.get("reviewed_on" if kind == LR else "meeting_date")
            if done_on is not None:
                values["completed_on"] = done_on
        steps[kind] = {"status": status, **{k: v for k, v in values.items() if v is not None}}
    return steps


_DECIDED = (DecisionStatus.DECIDED, DecisionStatus.PUBLISHED, DecisionStatus.ARCHIVED)


def _decision_status(reader: _RowReader, steps: dict[StepKind, dict[str, Any]],
                     published_on: date | None) -> DecisionStatus:
    """The row's status, or what its meeting says; a status the meeting contradicts refuses the row."""
    meeting = steps[CD]
    outcome = meeting.get("outcome")
    decided = meeting["status"] == StepStatus.COMPLETED and outcome in (Outcome.APPROVED, Outcome.REJECTED)
    status = reader.get("status", _word(DECISION_STATUS_WORDS))
    if status is None:
        if decided:
            status = DecisionStatus.PUBLISHED if published_on else DecisionStatus.DECIDED
        elif any(facts["status"] != StepStatus.NOT_STARTED for facts in steps.values()):
            status = DecisionStatus.IN_PROGRESS
        else:
            status = DecisionStatus.DRAFT
    if status in _DECIDED and not decided:
        reader.refuse("status", _("a decided decision needs a completed collective decision with its outcome"))
    elif status not in _DECIDED and decided:
        reader.refuse("status", _("the collective decision is recorded as decided: the status must say so"))
    if status == DecisionStatus.PUBLISHED and outcome != Outcome.APPROVED:
        reader.refuse("status", _("only an approved decision is published"))
    if published_on and status not in (DecisionStatus.PUBLISHED, DecisionStatus.ARCHIVED):
        reader.refuse("published_on", _("only a published decision has a publication date"))
    if published_on and meeting.get("meeting_date") and published_on < meeting["meeting_date"]:
        reader.refuse("published_on", _("must not be before the meeting"))
    return status


def _read_rows(table: Table) -> tuple[list[LedgerRow], list[Refusal]]:
    rows: list[LedgerRow] = []
    refused: list[Refusal] = []
    seen: dict[str, int] = {}
    for number, raw in table.rows:
        reader = _RowReader(table, number, raw, refused)
        ref = reader.get("ledger_ref", lambda v: read_text(v, REF_MAX), required=True)
        title = reader.get("title", lambda v: read_text(v, TITLE_MAX), required=True)
        category = reader.get("category", _word(CATEGORY_WORDS), required=True)
        department = reader.get("department", lambda v: read_text(v, DEPARTMENT_MAX), required=True)
        amount = reader.get("amount_cny", read_amount)
        published_on = reader.get("published_on", _date_not_future)
        steps = _read_steps(reader)
        status = _decision_status(reader, steps, published_on)
        if ref and ref in seen:
            reader.refuse("ledger_ref", _("repeats row %(row)d", row=seen[ref]))
        if reader.bad:
            continue
        seen[ref] = number
        rows.append(LedgerRow(number, ref, title, category, department, amount, status, published_on, steps))
    return rows, refused


def _existing_refs(organization: Organization, rows: list[LedgerRow]) -> list[Refusal]:
    """A 编号 the organisation already holds, as a 台账 number or as a decision's own number, refuses its row."""
    refs = sorted({row.ledger_ref for row in rows})
    taken: set[str] = set()
    for start in range(0, len(refs), 500):
        chunk = refs[start:start + 500]
        taken.update(db.session.execute(select(LedgerEntry.ledger_ref).where(
            LedgerEntry.organization_id == organization.id, LedgerEntry.ledger_ref.in_(chunk))).scalars())
        taken.update(db.session.execute(select(Decision.ref_no).where(
            Decision.organization_id == organization.id, Decision.ref_no.in_(chunk))).scalars())
    heading = LEDGER_COLUMNS["ledger_ref"][0]
    return [Refusal(row.row, heading, _("already exists in the organisation's decisions"))
            for row in rows if row.ledger_ref in taken]


# -- judging and writing -----------------------------------------------------------------------------------------

def draft_text(filename: str, row: int) -> str:
    """The draft of a backfilled decision says where it came from; the 台账 holds no draft text."""
    return f"（自台账补录：{filename or '台账'} 第{row}行。原台账未载决策草案文本。）"


def _snapshot(row: LedgerRow, draft_sha256: str) -> DecisionSnapshot:
    """The decision as it would stand, as plain facts: what the rulebook judges (no ORM objects, for speed)."""
    steps = {}
    for kind, facts in row.steps.items():
        data = {spec.name: None for spec in KIND_FIELDS[kind]}
        data.update({k: v for k, v in facts.items() if k not in ("status", "exemption_reason", "exemption_basis")})
        steps[kind] = StepFacts(kind=kind, status=facts["status"], data=data,
                                exemption_reason=facts.get("exemption_reason"),
                                exemption_basis=facts.get("exemption_basis"))
    return DecisionSnapshot(
        category=row.category, status=row.status, draft_sha256=draft_sha256, steps=steps, today=today(),
        ref_no=row.ref_no, published_on=row.published_on, amount_cny=row.amount_cny, backfilled=True,
    )


def _step_columns(facts: dict[str, Any]) -> dict[str, Any]:
    return {name: (value.value if hasattr(value, "value") else value) for name, value in facts.items()}


def import_ledger(user: User, stream: IO[bytes], filename: str, year: Any, backfill_reason: Any,
                  *, dry_run: bool = False) -> LedgerImport:
    """Check every row of a 台账 and, unless ``dry_run`` or any row is refused, create its backfilled decisions."""
    permissions.ensure(permissions.can_import_ledger(user), _("Only a clerk may import a ledger."))
    year = check_year(year)
    _flag, reason = _parse_backfill({"backfilled": True, "backfill_reason": backfill_reason})
    organization = db.session.get(Organization, user.organization_id)
    data = stream.read()
    try:
        table = read_table(_Bytes(data), filename or "", LEDGER_COLUMNS, REQUIRED_COLUMNS)
    except ValidationFailed as error:
        return LedgerImport(organization, year, dry_run, [], [Refusal(1, k, v) for k, v in error.errors.items()])
    rows, refused = _read_rows(table)
    refused += _existing_refs(organization, rows)
    refused.sort(key=lambda r: r.row)
    result = LedgerImport(organization, year, dry_run, rows, refused)
    if refused or not rows:
        return result
    first_seq, _ref = next_ref_no(organization, year)
    profile, calendar = current_profile(), load_calendar()
    for offset, row in enumerate(rows):
        row.seq = first_seq + offset
        row.ref_no = f"{organization.code}-{year}-{row.seq:03d}"
        row.draft_text = draft_text(filename, row.row)
        row.draft_sha256 = sha256_text(row.draft_text)
        snapshot = _snapshot(row, row.draft_sha256)
        row.findings = evaluate(snapshot, profile, calendar)
        row.complete = is_complete(snapshot, row.findings, profile)
    result.created = len(rows)
    if not dry_run:
        result.decision_ids = _write(user, organization, year, rows, reason, data, filename)
    return result


def _write(user: User, organization: Organization, year: int, rows: list[LedgerRow], reason: str, data: bytes,
           filename: str) -> list[int]:
    """A few bulk INSERTs (decisions, drafts, steps, summaries, 台账 rows) and one audit event per decision."""
    now = utcnow()
    session = db.session
    # What each row is counted as in decision_statistics (the rows bypass refresh_summary): one delta for all.
    counted_as = [statistics.signature(
        organization.id, year, row.category.value, row.complete, True,
        {kind.value: _step_columns(facts).get("status") for kind, facts in row.steps.items()},
        summarise(row.findings)) for row in rows]
    decision_rows = [{
        "organization_id": organization.id, "ref_no": row.ref_no, "seq": row.seq, "title": row.title,
        "category": row.category.value, "department": row.department, "year": year, "amount_cny": row.amount_cny,
        "summary": "", "status": row.status.value, "version": 1, "row_version": 1, "backfilled": True,
        "backfill_reason": reason, "published_on": row.published_on, "created_by_id": user.id,
        "created_at": now, "updated_at": now, "is_complete": row.complete, "statistics_keys": counted,
    } for row, counted in zip(rows, counted_as, strict=True)]
    connection = session.connection()
    # Bulk rows (COPY on PostgreSQL: the ORM's bulk path costs more than the rows' own work); ids by their new seq.
    insert_rows(connection, Decision.__table__, decision_rows)
    by_seq = dict(list(session.execute(
        select(Decision.seq, Decision.id).where(Decision.organization_id == organization.id, Decision.year == year,
                                                Decision.seq.between(rows[0].seq, rows[-1].seq))).tuples()))
    ids = [by_seq[row.seq] for row in rows]
    drafts, steps, findings, entries = [], [], [], []
    for decision_id, row in zip(ids, rows, strict=True):
        drafts.append({"decision_id": decision_id, "number": 1, "text": row.draft_text, "sha256": row.draft_sha256,
                       "author_id": user.id, "created_at": now})
        for kind, facts in row.steps.items():
            steps.append({"decision_id": decision_id, "kind": kind.value, "version": 1, "updated_at": now,
                          "updated_by_id": user.id, **_step_columns(facts)})
        for rule, (severity, count) in summarise(row.findings).items():
            findings.append({"decision_id": decision_id, "rule": rule, "severity": severity, "count": count})
        entries.append({"organization_id": organization.id, "ledger_ref": row.ledger_ref, "row_number": row.row,
                        "decision_id": decision_id, "imported_by_id": user.id, "imported_at": now})
    for model, values in ((DraftVersion, drafts), (Step, steps), (DecisionFinding, findings),
                          (LedgerEntry, entries)):
        _insert_uniform(model, values)
    for counted in counted_as:
        statistics.count_change(session, None, counted)
    file_sha256 = hashlib.sha256(data).hexdigest()
    _append_events(user, organization.id, [
        (decision_id, {**_facts(row, year, reason), "ledger_ref": row.ledger_ref, "ledger_row": row.row,
                       "ledger_file": filename, "ledger_sha256": file_sha256, "draft_number": 1,
                       "draft_sha256": row.draft_sha256,
                       "steps": {k.value: _step_columns(v) for k, v in row.steps.items()}})
        for decision_id, row in zip(ids, rows, strict=True)
    ], now)
    return ids


def _facts(row: LedgerRow, year: int, reason: str) -> dict[str, Any]:
    """The decision's own fields as ``decisions.decision_facts`` records them in the audit trail."""
    return {
        "ref_no": row.ref_no, "title": row.title, "category": row.category.value, "department": row.department,
        "year": year, "amount_cny": None if row.amount_cny is None else str(row.amount_cny), "summary": "",
        "status": row.status.value, "published_on": row.published_on.isoformat() if row.published_on else None,
        "backfilled": True, "backfill_reason": reason,
    }


def _insert_uniform(model, values: list[dict[str, Any]]) -> None:
    """executemany needs one set of keys: rows of a table are grouped by the columns they fill."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for value in values:
        groups.setdefault(tuple(sorted(value)), []).append(value)
    connection = db.session.connection()
    for group in groups.values():
        insert_rows(connection, model.__table__, group)


def _append_events(user: User, chain: int, events: list[tuple[int, dict[str, Any]]], at) -> None:
    """``decision.import`` events appended to the organisation's chain in one pass (lock, tip, hashes, INSERT)."""
    session = db.session
    lock_chains(session, [chain])
    tip = chain_tip(session, chain)
    prev, seq = tip.hash, tip.seq
    rows = []
    for offset, (decision_id, after) in enumerate(events):
        seq += 1
        # Distinct, increasing timestamps keep the trail's order readable by time as well as by seq.
        moment = at + timedelta(microseconds=offset)
        after_text = canonical_json(after)
        digest = event_hash(prev, chain, seq, moment, user.username, "decision.import", "decision", decision_id,
                            decision_id, None, after_text)
        rows.append({"chain": chain, "seq": seq, "at": moment, "actor_id": user.id, "actor": user.username,
                     "action": "decision.import", "entity": "decision", "entity_id": decision_id,
                     "decision_id": decision_id, "before": None, "after": after_text, "prev_hash": prev,
                     "hash": digest})
        prev = digest
    if rows:
        insert_rows(session.connection(), AuditEvent.__table__, rows)


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self) -> bytes:
        return self._data
