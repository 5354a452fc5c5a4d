"""The decision dossier (决策档案, 713号令 art. 33): one archive package per decision, and per year.

A dossier is a ZIP (or a folder) holding ``dossier.pdf`` (cover with the 档号,
the 归档文件目录 of DA/T 22-2015, each procedure's record, the findings, the
draft versions and the audit events), every evidence file in a folder per
procedure named by its 题名, and ``manifest.json``: each file's size and
sha256, and the decision's audit events with their chain positions and hashes
plus the hashes of the chain's other events between them, so the package can
be checked offline (``tools/verify_dossier.py``, standard library only) and
against the live trail or a checkpoint (``flask archive verify``).

Packages are written file by file to a target (a temporary file the web
answer then streams, or the CLI's file or folder): evidence is copied in
chunks, each PDF is built and written before the next decision is read, so a
year of a county is never held in memory. Producing a dossier is an audit
event and a ``DossierProduction`` row, which the archiving clock reads.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.clock import now, utcnow
from app.extensions import db
from app.models import Attachment, AuditEvent, Decision, DossierProduction, MemberOpinion, Organization, Step, User
from app.rulebook.labels import (
    CONCLUSION_ZH,
    DECISION_STATUS_ZH,
    OUTCOME_ZH,
    POSITION_ZH,
    STEP_STATUS_ZH,
    STEP_ZH,
)
from app.rulebook.vocabulary import (
    DecisionStatus,
    Outcome,
    Position,
    RiskConclusion,
    StepKind,
    StepStatus,
)

from . import permissions
from .audit import format_at, record_event
from .compliance import evaluate_decision, evidence_counts, local_day, snapshot_of
from .dossier_content import CatalogueRow, DossierContent, Section
from .errors import NotFound, ValidationFailed
from .evidence import storage_path
from .loading import whole_decision
from .memo import StampedLru
from .stamps import scope_stamp

FORMAT = "decision-dossier/1"
MANIFEST = "manifest.json"
PDF_NAME = "dossier.pdf"
PRODUCE_ACTION = "dossier.produce"
CHUNK = 64 * 1024
#: The fields of an event's hash, in order, joined by U+001F (``app.services.audit.event_hash``).
HASH_FIELDS = ("prev_hash", "chain", "seq", "at", "actor", "action", "entity", "entity_id", "decision_id",
               "before", "after")

RETENTION_ZH = {"Y": "永久", "D30": "30年", "D10": "10年"}
CATEGORY_ZH = {"major_matter": "重大事项决策", "cadre_appointment": "重要干部任免", "major_project": "重大项目安排",
               "large_fund": "大额度资金使用"}
STEP_ORDER = tuple(StepKind)
PP_METHOD_ZH = {"hearing": "听证会", "symposium": "座谈会", "online_comment": "网上征求意见", "written": "书面征求意见",
                "site_visit": "实地走访", "questionnaire": "问卷调查", "poll": "民意调查", "other": "其他"}
ER_METHOD_ZH = {"meeting": "论证会", "written": "书面论证", "commissioned": "委托论证"}
RISK_TYPE_ZH = {"social_stability": "社会稳定", "public_safety": "公共安全", "environment": "生态环境",
                "economic": "经济", "fiscal": "财政", "other": "其他"}
RISK_LEVEL_ZH = {"low": "低", "medium": "中", "high": "高"}
OPINION_ZH = {"lawful": "合法", "lawful_with_changes": "修改后合法", "unlawful": "不合法"}
MEETING_ZH = {"party_committee": "党委会议", "government_executive": "政府常务会议",
              "government_plenary": "政府全体会议", "mayor_office": "行政首长办公会议", "other": "其他会议"}
SEVERITY_ZH = {"blocker": "阻断", "violation": "违规", "warning": "提示"}


# -- settings and the 档号 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveSettings:
    """The archive's codes (DA/T 22-2015), from config: every local archive assigns its own."""

    fonds: dict[str, str]
    category_code: str
    retention: str
    problem_code: str
    secrecy: str

    @classmethod
    def from_config(cls) -> ArchiveSettings:
        config = current_app.config
        retention = config["ARCHIVE_RETENTION"]
        if retention not in RETENTION_ZH:
            raise ValueError(f"ARCHIVE_RETENTION must be one of {', '.join(RETENTION_ZH)}, not {retention!r}")
        return cls(dict(config["ARCHIVE_FONDS"]), config["ARCHIVE_CATEGORY_CODE"], retention,
                   config["ARCHIVE_PROBLEM_CODE"], config["ARCHIVE_SECRECY"])

    def fonds_of(self, organization: Organization) -> str:
        """全宗号: the code the archive gave the organisation, else its own code."""
        return self.fonds.get(organization.code, organization.code)

    def archival_code(self, decision: Decision) -> str:
        """档号 = 全宗号-门类代码·年度-保管期限-机构(问题)代码-件号 (DA/T 22-2015 §7); 件号 = the decision's number."""
        return (f"{self.fonds_of(decision.organization)}-{self.category_code}·{decision.year}-{self.retention}-"
                f"{self.problem_code}-{decision.seq:04d}")


# -- where the files go -------------------------------------------------------------------------------------


class Sink(Protocol):
    """A package being written: a ZIP or a folder. Each file is written once, in chunks."""

    def open(self, name: str) -> IO[bytes]: ...


class ZipSink:
    """Files into a ZIP on any binary file object (UTF-8 names, deflated)."""

    def __init__(self, target: IO[bytes]) -> None:
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)

    def open(self, name: str) -> IO[bytes]:
        info = zipfile.ZipInfo(name, date_time=now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        return self.zip.open(info, "w", force_zip64=True)

    def close(self) -> None:
        self.zip.close()


class DirSink:
    """Files into a folder, the same layout as the ZIP."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def open(self, name: str) -> IO[bytes]:
        path = self.root / PurePosixPath(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("wb")

    def close(self) -> None:
        return None


@dataclass(frozen=True)
class Written:
    name: str
    size: int
    sha256: str


def _write(sink: Sink, name: str, chunks: Iterator[bytes] | Sequence[bytes]) -> Written:
    digest, size = hashlib.sha256(), 0
    with sink.open(name) as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return Written(name, size, digest.hexdigest())


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


# -- what goes in -------------------------------------------------------------------------------------------


def _d(day: date | None) -> str:
    return day.isoformat() if day else ""


def _ymd(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day else ""


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _title_of(filename: str) -> tuple[str, str]:
    """题名 and extension of an evidence file's (sanitised) name."""
    path = PurePosixPath(filename)
    return (path.stem or filename), path.suffix.lower()


def decision_day(decision: Decision) -> date | None:
    """The day the decision was taken: the meeting's date, else the day it was recorded."""
    meeting = decision.step(StepKind.COLLECTIVE_DECISION)
    return meeting.meeting_date or local_day(decision.decided_at)


@dataclass(frozen=True)
class EvidenceFile:
    attachment: Attachment
    kind: StepKind
    name: str  # path inside the dossier
    title: str


def _evidence(decision: Decision) -> list[EvidenceFile]:
    rows = db.session.execute(
        select(Attachment, Step.kind).join(Step, Step.id == Attachment.step_id)
        .where(Step.decision_id == decision.id).order_by(Attachment.id)
    ).all()
    by_kind: dict[str, list[Attachment]] = {}
    for attachment, kind in rows:
        by_kind.setdefault(kind, []).append(attachment)
    files: list[EvidenceFile] = []
    for index, kind in enumerate(STEP_ORDER, start=1):
        used: set[str] = set()
        for attachment in by_kind.get(kind.value, []):
            title, ext = _title_of(attachment.filename)
            name, n = f"{title}{ext}", 1
            while name in used:  # two files with the same 题名 in one procedure
                n += 1
                name = f"{title}（{n}）{ext}"
            used.add(name)
            files.append(EvidenceFile(attachment, kind, f"{index:02d}-{STEP_ZH[kind]}/{name}", title))
    return files


def _event_entry(event: AuditEvent) -> dict[str, Any]:
    return {
        "chain": event.chain, "seq": event.seq, "at": format_at(event.at), "actor": event.actor,
        "action": event.action, "entity": event.entity, "entity_id": event.entity_id,
        "decision_id": event.decision_id, "before": event.before, "after": event.after,
        "prev_hash": event.prev_hash, "hash": event.hash,
    }


def _audit_section(decision: Decision) -> dict[str, Any]:
    """The decision's events (earlier dossier productions aside) and the chain between them."""
    events = [e for e in db.session.execute(
        select(AuditEvent).where(AuditEvent.decision_id == decision.id).order_by(AuditEvent.chain, AuditEvent.seq)
    ).scalars() if e.action != PRODUCE_ACTION]
    chains: dict[int, list[AuditEvent]] = {}
    for event in events:
        chains.setdefault(event.chain, []).append(event)
    segments = []
    for chain, own in chains.items():
        own_seqs = {e.seq for e in own}
        links = [
            {"seq": seq, "prev_hash": prev_hash, "hash": digest}
            for seq, prev_hash, digest in db.session.execute(
                select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash)
                .where(AuditEvent.chain == chain, AuditEvent.seq.between(own[0].seq, own[-1].seq))
                .order_by(AuditEvent.seq)
            ) if seq not in own_seqs
        ]
        segments.append({"chain": chain, "first_seq": own[0].seq, "last_seq": own[-1].seq,
                         "events": [_event_entry(e) for e in own], "links": links})
    return {"hash": "sha256", "separator": "\\u001f", "fields": list(HASH_FIELDS),
            "at_format": "YYYY-MM-DDTHH:MM:SS.ffffffZ", "segments": segments}


Facts = list[tuple[str, str]]
Paragraphs = list[tuple[str, str]]
Tables = list[tuple[str, Sequence[str], Sequence[float], Sequence[Sequence[str]]]]


def _texts(*pairs: tuple[str, str | None]) -> Paragraphs:
    return [(label, text) for label, text in pairs if text]


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def _participation(step: Step, _drafts: dict[str, int]) -> tuple[Facts, Paragraphs, Tables]:
    period = f"{_d(step.comment_start)} 至 {_d(step.comment_end)}" if step.comment_start else ""
    facts = [("方式", PP_METHOD_ZH.get(step.method or "", "")), ("征求意见期", period),
             ("听证日期", _d(step.hearing_date)), ("材料送达日期", _d(step.materials_sent_on)),
             ("收到意见", _count(step.comments_received)), ("采纳意见", _count(step.comments_adopted)),
             ("反馈公布日期", _d(step.feedback_published_on))]
    return facts, _texts(("期限不足30日的理由", step.short_period_reason),
                         ("意见采纳情况", step.feedback_summary)), []


def _expert_review(step: Step, _drafts: dict[str, int]) -> tuple[Facts, Paragraphs, Tables]:
    facts = [("方式", ER_METHOD_ZH.get(step.method or "", "")), ("论证日期", _d(step.review_date)),
             ("书面意见署名盖章", _yes(step.opinion_signed))]
    tables: Tables = []
    if step.experts:
        rows = [(str(e.position), e.name, e.field or "", e.institution or "", _yes(e.no_conflict))
                for e in step.experts]
        tables.append(("参加论证的专家", ("序号", "姓名", "专业领域", "单位", "无直接利害关系"),
                       (12, 28, 40, 60, 34), rows))
    return facts, _texts(("专家论证意见", step.opinion_text), ("不同意见", step.dissent)), tables


def _risk_assessment(step: Step, _drafts: dict[str, int]) -> tuple[Facts, Paragraphs, Tables]:
    conclusion = CONCLUSION_ZH[RiskConclusion(step.conclusion)] if step.conclusion else ""
    facts = [("风险类型", "、".join(RISK_TYPE_ZH.get(t, t) for t in step.risk_types or [])),
             ("风险等级", RISK_LEVEL_ZH.get(step.risk_level or "", "")), ("评估日期", _d(step.assessed_on)),
             ("评估结论", conclusion)]
    return facts, _texts(("风险点", step.risk_points), ("防范化解措施", step.mitigation),
                         ("应急处置预案", step.contingency_plan)), []


def _legality_review(step: Step, drafts: dict[str, int]) -> tuple[Facts, Paragraphs, Tables]:
    signed = step.draft_sha256 or ""
    number = drafts.get(signed)
    facts = [("送审日期", _d(step.submitted_on)), ("审查人", step.reviewer or ""),
             ("审查意见", OPINION_ZH.get(step.opinion or "", "")), ("审查日期", _d(step.reviewed_on)),
             ("签署时间（UTC）", _utc_text(step.signed_at)), ("所签草案", f"第{number}稿" if number else ""),
             ("所签草案 sha256", signed)]
    return facts, _texts(("合法性审查意见", step.opinion_text), ("法律风险说明", step.legal_risk_statement)), []


def _position(opinion: MemberOpinion) -> str:
    if opinion.recused:
        return "回避"
    return POSITION_ZH[Position(opinion.position)] if opinion.position else "未表态"


def _collective_decision(step: Step, _drafts: dict[str, int]) -> tuple[Facts, Paragraphs, Tables]:
    facts = [("会议类型", MEETING_ZH.get(step.meeting_type or "", "")), ("会议日期", _d(step.meeting_date)),
             ("应到会人数", _count(step.members_total)), ("实到会人数", _count(step.members_present)),
             ("决定结果", OUTCOME_ZH[Outcome(step.outcome)] if step.outcome else ""),
             ("会议纪要编号", step.minutes_ref or "")]
    tables: Tables = []
    if step.opinions:
        rows = [(str(o.speaking_order), o.member, _position(o), o.remarks or "", _yes(o.is_principal))
                for o in step.opinions]
        tables.append(("组成人员表态（按发言顺序）", ("发言顺序", "成员", "表态", "意见", "主要负责人"),
                       (16, 30, 20, 88, 20), rows))
    return facts, _texts(("主要负责人的理由", step.principal_reason)), tables


_KIND_FACTS = {
    StepKind.PUBLIC_PARTICIPATION: _participation,
    StepKind.EXPERT_REVIEW: _expert_review,
    StepKind.RISK_ASSESSMENT: _risk_assessment,
    StepKind.LEGALITY_REVIEW: _legality_review,
    StepKind.COLLECTIVE_DECISION: _collective_decision,
}


def _utc_text(moment: datetime | None) -> str:
    return format_at(moment)[:19].replace("T", " ") if moment else ""


def _step_facts(step: Step, draft_numbers: dict[str, int]) -> tuple[Facts, Paragraphs, Tables]:
    """A procedure's facts, paragraphs and tables, as the decision page shows them."""
    facts: Facts = [("状态", STEP_STATUS_ZH[step.status_enum]), ("负责人", step.responsible or "")]
    paragraphs: Paragraphs = []
    if step.status_enum == StepStatus.EXEMPTED:
        paragraphs += [("免除理由", step.exemption_reason or ""), ("法律依据", step.exemption_basis or "")]
    kind_facts, kind_paragraphs, tables = _KIND_FACTS[step.kind_enum](step, draft_numbers)
    facts += [*kind_facts, ("完成日期", _d(step.completed_on))]
    return [(k, v) for k, v in facts if v], paragraphs + kind_paragraphs, tables


def _content(decision: Decision, settings: ArchiveSettings, code: str, evidence: list[EvidenceFile],
             audit: dict[str, Any], producer: str) -> DossierContent:
    org = decision.organization
    steps = {step.kind: step for step in decision.steps}
    evaluation = evaluate_decision(decision, snapshot_of(decision, evidence_counts(s.id for s in decision.steps)))
    draft_numbers = {draft.sha256: draft.number for draft in decision.drafts}
    day = decision_day(decision)
    secrecy = settings.secrecy
    catalogue = [CatalogueRow(1, f"{code}-01", decision.ref_no, org.name, decision.title, _ymd(day), "", secrecy,
                              f"本册 {PDF_NAME}")]

    def add(doc_no: str, responsible: str, title: str, day_: date | None, remarks: str) -> None:
        n = len(catalogue) + 1
        catalogue.append(CatalogueRow(n, f"{code}-{n:02d}", doc_no, responsible, title, _ymd(day_), "", secrecy,
                                      remarks))

    for draft in decision.drafts:
        add("", decision.department, f"{decision.title}（草案第{draft.number}稿）", local_day(draft.created_at),
            "本册“决策草案各稿”")
    procedures: list[Section] = []
    for kind in STEP_ORDER:
        step = steps[kind.value]
        facts, paragraphs, tables = _step_facts(step, draft_numbers)
        files = [f for f in evidence if f.kind == kind]
        if files:
            tables.append(("证明材料", ("题名", "包内文件", "大小（字节）", "sha256"), (38, 50, 20, 66),
                           [(f.title, f.name, str(f.attachment.size), f.attachment.sha256) for f in files]))
        procedures.append(Section(f"{STEP_ORDER.index(kind) + 1}. {STEP_ZH[kind]}", facts, tables, paragraphs))
        if step.status_enum in (StepStatus.COMPLETED, StepStatus.EXEMPTED):
            add((step.minutes_ref or "") if kind == StepKind.COLLECTIVE_DECISION else "",
                step.responsible or decision.department, f"{decision.title}{STEP_ZH[kind]}记录", step.completed_on,
                "本册“决策程序记录”")
        for f in files:
            add("", step.responsible or decision.department, f.title, local_day(f.attachment.uploaded_at), f.name)
    drafts = [
        Section(f"第{draft.number}稿", [("记录时间（UTC）", _utc_text(draft.created_at)),
                                        ("记录人", draft.author.display_name if draft.author else ""),
                                        ("sha256", draft.sha256)], (), [("正文", draft.text)])
        for draft in decision.drafts
    ]
    events = [(str(e["seq"]), e["at"][:19].replace("T", " "), e["actor"], e["action"],
               f"{e['entity']}:{e['entity_id'] or ''}", e["hash"])
              for segment in audit["segments"] for e in segment["events"]]
    chains = "；".join(f"链 {s['chain']} 第 {s['first_seq']}–{s['last_seq']} 号" for s in audit["segments"])
    cover = [
        ("机构", org.name), ("年度", str(decision.year)), ("编号", decision.ref_no), ("事项名称", decision.title),
        ("类别", CATEGORY_ZH.get(decision.category, decision.category)), ("承办部门", decision.department),
        ("决策日期", _d(day)), ("状态", DECISION_STATUS_ZH[DecisionStatus(decision.status)]),
        ("合规情况", "完整" if evaluation.complete else f"不完整（{len(evaluation.findings)} 项问题）"),
        ("全宗号", settings.fonds_of(org)), ("保管期限", RETENTION_ZH[settings.retention]), ("档号", code),
        ("密级", secrecy or "—"), ("归档日期", now().date().isoformat()), ("制作人", producer),
    ]
    notes = [
        f"本档案包附 {MANIFEST}：列出包内每个文件的大小与 sha256，以及本决策的审计事件（{chains or '无'}）"
        "及其间链上其他事件的哈希。可用 flask archive verify 或 tools/verify_dossier.py（仅需 Python 标准库）离线核验，"
        "并可与 flask audit verify 的输出或签名检查点比对。",
        "档号依 DA/T 22-2015《归档文件整理规则》编制：全宗号-门类代码·年度-保管期限-机构（问题）代码-件号；"
        "本决策为一件，目录中各文件以件内序号区分。",
    ]
    return DossierContent(
        cover=cover, heading=f"{org.name} · {decision.ref_no}", catalogue=catalogue, procedures=procedures,
        findings=[(f.rule, SEVERITY_ZH.get(f.severity.value, f.severity.value), f.message_zh, f.citation)
                  for f in evaluation.findings],
        drafts=drafts, events=events, footer=f"{code}  {decision.ref_no}", notes=notes,
    )


# -- one dossier --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Produced:
    decision: Decision
    archival_code: str
    manifest: Written
    files: list[Written]
    pages: int


def _load(decision_id: int) -> Decision | None:
    return db.session.execute(
        select(Decision).where(Decision.id == decision_id).options(*whole_decision(draft_texts=True))
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def write_dossier(sink: Sink, decision: Decision, *, prefix: str = "", user: User | None = None,
                  actor_name: str = "cli", package: str = "decision",
                  settings: ArchiveSettings | None = None) -> Produced:
    """Write one decision's dossier under ``prefix`` and record its production (audit event, row)."""
    settings = settings or ArchiveSettings.from_config()
    code = settings.archival_code(decision)
    producer = user.display_name if user is not None else actor_name
    evidence = _evidence(decision)
    audit = _audit_section(decision)
    from .dossier_pdf import render  # fpdf2 and its fonts load with the first dossier (dossier_content)

    pdf, pages = render(_content(decision, settings, code, evidence, audit, producer), font_cache())
    written = [_write(sink, prefix + PDF_NAME, [pdf])]
    del pdf
    missing: list[dict[str, str]] = []
    files: list[dict[str, Any]] = []
    for item in evidence:
        path = storage_path(item.attachment.sha256)
        if not path.is_file():  # listed, so the gap is visible; the check then names it
            missing.append({"name": item.name, "sha256": item.attachment.sha256})
            continue
        entry = _write(sink, prefix + item.name, _file_chunks(path))
        written.append(entry)
        record = {"name": item.name, "size": entry.size, "sha256": entry.sha256, "step": item.kind.value,
                  "title": item.title}
        if entry.sha256 != item.attachment.sha256:  # the stored file no longer matches its upload
            record["recorded_sha256"] = item.attachment.sha256
        files.append(record)
    org = decision.organization
    manifest = {
        "format": FORMAT,
        "kind": "dossier",
        "produced_at": format_at(utcnow()),
        "produced_by": user.username if user is not None else actor_name,
        "decision": {"id": decision.id, "ref_no": decision.ref_no, "title": decision.title, "year": decision.year,
                     "status": decision.status, "organization": {"code": org.code, "name": org.name},
                     "archival_code": code, "retention": settings.retention, "fonds": settings.fonds_of(org),
                     "pages": pages},
        "files": [{"name": PDF_NAME, "size": written[0].size, "sha256": written[0].sha256}, *files],
        "missing_files": missing,
        "audit": audit,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    manifest_entry = _write(sink, prefix + MANIFEST, [text])
    _record(decision, user, actor_name, package, manifest_entry.sha256, len(written) + 1, code)
    return Produced(decision, code, manifest_entry, [*written, manifest_entry], pages)


def _record(decision: Decision, user: User | None, actor_name: str, package: str, manifest_sha256: str,
            files: int, code: str) -> None:
    name = user.username if user is not None else actor_name
    db.session.add(DossierProduction(decision_id=decision.id, produced_by_id=user.id if user else None,
                                     produced_by=name, package=package, manifest_sha256=manifest_sha256,
                                     files=files, archival_code=code))
    record_event(user, PRODUCE_ACTION, "decision", decision.id, decision_id=decision.id, actor_name=actor_name,
                 after={"archival_code": code, "manifest_sha256": manifest_sha256, "files": files,
                        "package": package})


def font_cache() -> Path:
    """Where the working font is kept (``ARCHIVE_FONT_CACHE``, default ``instance/fonts``)."""
    return Path(current_app.config.get("ARCHIVE_FONT_CACHE") or Path(current_app.instance_path) / "fonts")


def dossier_filename(decision: Decision) -> str:
    return f"{decision.ref_no}-决策档案.zip"


def produce_dossier(user: User, decision_id: int, target: IO[bytes]) -> Produced:
    """The dossier of a decision the user may read, as a ZIP written to ``target`` (``NotFound`` otherwise)."""
    decision = permissions.readable_decision(user, _load(decision_id))
    sink = ZipSink(target)
    try:
        return write_dossier(sink, decision, user=user)
    finally:
        sink.close()


def last_production(decision_id: int) -> DossierProduction | None:
    return db.session.execute(
        select(DossierProduction).where(DossierProduction.decision_id == decision_id)
        .order_by(DossierProduction.produced_at.desc(), DossierProduction.id.desc()).limit(1)
    ).scalar_one_or_none()


# -- a year's archive ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearExport:
    organization: Organization
    year: int
    dossiers: int
    files: int
    manifest_sha256: str


CATALOGUE_XLSX = "归档文件目录.xlsx"
#: The decisions a year's archive holds: those taken (decided, then published or archived).
ARCHIVABLE = (DecisionStatus.DECIDED.value, DecisionStatus.PUBLISHED.value, DecisionStatus.ARCHIVED.value)


def _catalogue_xlsx(rows: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("归档文件目录")
    sheet.append([title])
    sheet.append(["序号", "档号", "文号", "责任者", "题名", "日期", "页数", "密级", "备注"])
    for row in rows:
        sheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Text a spreadsheet will not run as a formula (a 题名 may start with = + - @)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@dataclass(frozen=True)
class ArchiveStatus:
    organization_code: str
    year: int
    decided: int
    with_dossier: int


_archive_statuses = StampedLru(256)


def archive_status(organization_id: int, year: int, stamp: tuple[tuple[int, ...], Any] | None = None) -> ArchiveStatus:
    """How many of the year's decided decisions there are and how many have had a dossier produced.

    Two counts, kept under the stamp of a scope holding the organisation (a decision or a dossier made there
    appends to its chain): ``stamp`` is ``(scope, its stamp)`` when the caller has read it already.
    """
    if stamp is None:
        stamp = ((organization_id,), scope_stamp([organization_id]))
    key = (organization_id, year, *stamp)
    found = _archive_statuses.get(key)
    if found is None:
        found = _archive_status(organization_id, year)
        _archive_statuses.put(key, found)
    return found


def _archive_status(organization_id: int, year: int) -> ArchiveStatus:
    from sqlalchemy import exists, func

    organization = db.session.get(Organization, organization_id)
    base = (Decision.organization_id == organization_id, Decision.year == year, Decision.status.in_(ARCHIVABLE))
    decided = db.session.execute(select(func.count()).select_from(Decision).where(*base)).scalar_one()
    produced = db.session.execute(
        select(func.count()).select_from(Decision).where(
            *base, exists().where(DossierProduction.decision_id == Decision.id))
    ).scalar_one()
    return ArchiveStatus(organization.code, year, decided, produced)


def year_decision_ids(organization: Organization, year: int) -> list[int]:
    """The year's decisions of one organisation that have been decided (the ones to archive), by number."""
    return list(db.session.execute(
        select(Decision.id).where(
            Decision.organization_id == organization.id, Decision.year == year,
            Decision.status.in_(ARCHIVABLE),
        ).order_by(Decision.seq)
    ).scalars())


def resolve_organization(user: User | None, code: str) -> Organization:
    """The organisation by code, if the user (``None``: the CLI) may export it."""
    org = db.session.execute(select(Organization).where(Organization.code == code)).scalar_one_or_none()
    if org is None or (user is not None and org.id not in permissions.visible_organization_ids(user)):
        raise NotFound(_("There is no such organisation, or you cannot see it."))
    return org


def export_year(sink: Sink, organization: Organization, year: int, *, user: User | None = None,
                actor_name: str = "cli") -> YearExport:
    """Every decided decision of the year, one dossier folder each, the 归档文件目录 (XLSX) and a manifest.

    One decision is loaded at a time and expunged after its dossier is
    written, so memory stays that of the largest single dossier.
    """
    if user is not None:
        permissions.ensure(permissions.can_view_reports(user), _("Only an auditor, an admin or a clerk exports."))
    settings = ArchiveSettings.from_config()
    ids = year_decision_ids(organization, year)
    if not ids:
        raise ValidationFailed({"year": _("No decided decision of %(org)s in %(year)d to archive.",
                                          org=organization.name, year=year)})
    entries: list[dict[str, Any]] = []
    dossiers: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    for number, decision_id in enumerate(ids, start=1):
        decision = _load(decision_id)
        folder = f"{decision.ref_no}/"
        produced = write_dossier(sink, decision, prefix=folder, user=user, actor_name=actor_name, package="year",
                                 settings=settings)
        entries += [{"name": w.name, "size": w.size, "sha256": w.sha256} for w in produced.files]
        dossiers.append({"ref_no": decision.ref_no, "folder": folder, "archival_code": produced.archival_code,
                         "manifest_sha256": produced.manifest.sha256})
        rows.append([number, produced.archival_code, decision.ref_no, organization.name, decision.title,
                     _ymd(decision_day(decision)), produced.pages, settings.secrecy,
                     f"{folder}（{len(produced.files)} 个文件）"])
        db.session.flush()
        db.session.expunge_all()  # the identity map must not grow with the year
        gc.collect()  # the font subsetter leaves reference cycles; free them before the next PDF
        organization = db.session.get(Organization, organization.id)
        user = db.session.get(User, user.id) if user is not None else None
    xlsx = _write(sink, CATALOGUE_XLSX, [_catalogue_xlsx(rows, f"{organization.name} {year} 年度 归档文件目录")])
    entries.append({"name": xlsx.name, "size": xlsx.size, "sha256": xlsx.sha256})
    manifest = {"format": FORMAT, "kind": "year", "produced_at": format_at(utcnow()),
                "produced_by": user.username if user is not None else actor_name,
                "organization": {"code": organization.code, "name": organization.name,
                                 "fonds": settings.fonds_of(organization)},
                "year": year, "retention": settings.retention, "catalogue": CATALOGUE_XLSX,
                "dossiers": dossiers, "files": entries}
    top = _write(sink, MANIFEST, [json.dumps(manifest, ensure_ascii=False, indent=1).encode()])
    return YearExport(organization, year, len(dossiers), len(entries) + 1, top.sha256)


def year_filename(organization: Organization, year: int) -> str:
    return f"{organization.code}-{year}-决策档案.zip"


def export_year_to(out: Path, organization: Organization, year: int) -> YearExport:
    """The CLI's target: a ``.zip`` file, else a folder (created; it must be empty)."""
    if out.suffix.lower() == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".part")
        with partial.open("wb") as handle:
            sink = ZipSink(handle)
            try:
                result = export_year(sink, organization, year)
            finally:
                sink.close()
        partial.replace(out)  # never a half-written archive under the final name
        return result
    if out.exists() and any(out.iterdir()):
        raise ValidationFailed({"out": _("The folder %(path)s is not empty.", path=str(out))})
    out.mkdir(parents=True, exist_ok=True)
    try:
        return export_year(DirSink(out), organization, year)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise


# -- checking a package against the live trail --------------------------------------------------------------


def trail_mismatches(path: Path) -> tuple[list[str], int]:
    """Events of the package whose position in this database's trail holds another hash (or none).

    The offline check (``tools/verify_dossier.py``) proves the package agrees
    with itself; this proves it agrees with the trail that ``flask audit verify``
    walks, one indexed range read per chain segment.
    """
    problems: list[str] = []
    compared = 0
    with zipfile.ZipFile(path) as archive:
        top = json.loads(archive.read(MANIFEST))
        prefixes = [d["folder"] for d in top["dossiers"]] if top.get("kind") == "year" else [""]
        for prefix in prefixes:
            manifest = top if not prefix else json.loads(archive.read(prefix + MANIFEST))
            label = f"{manifest['decision']['ref_no']}: " if prefix else ""
            for segment in manifest.get("audit", {}).get("segments", []):
                stored = dict(db.session.execute(
                    select(AuditEvent.seq, AuditEvent.hash).where(
                        AuditEvent.chain == segment["chain"],
                        AuditEvent.seq.between(segment["first_seq"], segment["last_seq"]))
                ).all())
                for row in [*segment["events"], *segment.get("links", [])]:
                    compared += 1
                    if stored.get(row["seq"]) != row["hash"]:
                        problems.append(
                            f"{label}event chain {segment['chain']} seq {row['seq']}: the database's trail holds "
                            f"{stored.get(row['seq'], 'no event')} there, the package {row['hash']}")
    return problems, compared
