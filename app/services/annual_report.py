"""The annual report's paragraph on major decisions (法治政府建设年度报告), generated from the record only.

The figures come from the stored summaries and step facts with a few GROUP BY
queries (never the rulebook per decision), so a county's year of 100,000
decisions costs what the dashboard costs; the result is kept until the next
write in the organisation or below it (``reports.data_stamp``): other
organisations' writes leave it warm. The Chinese paragraph is built from the
figures alone: it says "均落实……五项法定程序" only when every decision carried
out all five, and otherwise how many carried out each, how many lawfully did
not need it and why, and what is still missing. Each number of the paragraph
carries the decision-list filter that shows the decisions it counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from app.extensions import db
from app.models import (
    Catalogue,
    CatalogueChangeEntry,
    CatalogueItem,
    Decision,
    DecisionFinding,
    Organization,
    Step,
    User,
)
from app.rulebook import RULES, required_steps
from app.rulebook.vocabulary import (
    CatalogueChange,
    CatalogueStatus,
    Category,
    DecisionStatus,
    LegalOpinion,
    ParticipationMethod,
    Severity,
    StepKind,
    StepStatus,
)

from . import permissions
from .compliance import current_profile, load_calendar
from .errors import NotFound, check_year
from .reports import _ReportCache, data_stamp, report_scope
from .stamps import global_stamp

STEP_WORDS = {
    StepKind.PUBLIC_PARTICIPATION: "公众参与",
    StepKind.EXPERT_REVIEW: "专家论证",
    StepKind.RISK_ASSESSMENT: "风险评估",
    StepKind.LEGALITY_REVIEW: "合法性审查",
    StepKind.COLLECTIVE_DECISION: "集体讨论决定",
}
ALL_FIVE = "、".join(STEP_WORDS.values())
DECIDED = (DecisionStatus.DECIDED.value, DecisionStatus.PUBLISHED.value, DecisionStatus.ARCHIVED.value)
PUBLISHED = (DecisionStatus.PUBLISHED.value, DecisionStatus.ARCHIVED.value)


@dataclass(frozen=True)
class Segment:
    """A piece of the paragraph; a number carries the decision-list filter of the decisions it counts."""

    text: str
    link: dict[str, str] | None = None


@dataclass(frozen=True)
class OrgName:
    """The organisation as the report names it (plain values: a cached report outlives its session)."""

    id: int
    code: str
    name: str


@dataclass(frozen=True)
class AnnualReport:
    year: int
    organization: OrgName
    statistics: dict[str, Any]
    segments: list[Segment] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "organization": self.organization.code, "statistics": self.statistics,
                "text": self.text}


_cache = _ReportCache(size=64)


def report_organization(user: User, code: str | None) -> Organization:
    """The organisation the report is about: the user's own by default; one it may see, else not found."""
    if not code:
        return db.session.get(Organization, user.organization_id)
    organization = db.session.execute(select(Organization).where(Organization.code == code)).scalar_one_or_none()
    if organization is None or organization.id not in permissions.visible_organization_ids(user):
        raise NotFound(_("There is no such organisation, or you cannot see it."))
    return organization


def annual_report(user: User, year: Any, org_code: str | None = None) -> AnnualReport:
    """The year's figures and paragraph for the organisation and its descendants (within the user's scope)."""
    year = check_year(year)
    scope_check = report_scope(user)  # the role may see reports at all (legal adviser: 403)
    organization = report_organization(user, org_code)
    scope = [org_id for org_id in permissions.subtree_ids(organization.id) if org_id in set(scope_check)]
    return _report(organization, scope, year)


def system_annual_report(org_code: str, year: Any) -> AnnualReport:
    """The report of an organisation and all its descendants, for the command line (no user's scope)."""
    year = check_year(year)
    organization = db.session.execute(select(Organization).where(Organization.code == org_code)).scalar_one_or_none()
    if organization is None:
        raise NotFound(_("There is no such organisation, or you cannot see it."))
    return _report(organization, permissions.subtree_ids(organization.id), year)


def _report(organization: Organization, scope: list[int], year: int) -> AnnualReport:
    profile = current_profile()
    key = (str(db.engine.url), "annual", organization.id, tuple(sorted(scope)), year, profile.name)
    # Moves only with a write in the scope, or a calendar change (the average review time counts working days).
    stamp = (data_stamp(scope), global_stamp())
    max_age = current_app.config.get("REPORT_CACHE_SECONDS", 60)
    cached = _cache.get(key, stamp, max_age) if max_age else None
    if cached is None:
        statistics = compute_statistics(scope, year)
        org = OrgName(organization.id, organization.code, organization.name)
        cached = AnnualReport(year, org, statistics, paragraph(org, year, statistics))
        _cache.put(key, stamp, cached)
    return cached


def clear_annual_cache() -> None:
    _cache.clear()


# -- the figures -------------------------------------------------------------------------------------------------


def compute_statistics(scope: list[int], year: int) -> dict[str, Any]:
    in_scope = (Decision.organization_id.in_(scope), Decision.year == year)
    ids = select(Decision.id).where(*in_scope)
    total, complete, published, decided = db.session.execute(
        select(func.count(),
               func.coalesce(func.sum(case((Decision.is_complete, 1), else_=0)), 0),
               func.coalesce(func.sum(case((Decision.status.in_(PUBLISHED), 1), else_=0)), 0),
               func.coalesce(func.sum(case((Decision.status.in_(DECIDED), 1), else_=0)), 0))
        .where(*in_scope)
    ).one()
    profile = current_profile()
    required = {category.value: set(required_steps(profile, category)) for category in Category}
    by_procedure = {kind.value: {"carried_out": 0, "not_required": 0, "missing": 0} for kind in StepKind}
    reasons: dict[str, dict[str, int]] = {}
    participation = {"consultations": 0, "hearings": 0, "comments_received": 0, "comments_adopted": 0}
    legality = {"reviews": 0, **{opinion.value: 0 for opinion in LegalOpinion}, "average_working_days": None}
    pairs: list[tuple[Any, Any, int]] = []
    for category, kind, status, reason, opinion, submitted, reviewed, count, hearings, received, adopted in (
        _step_groups(in_scope, ids, required)
    ):
        counts = by_procedure[kind]
        if status == StepStatus.COMPLETED:
            counts["carried_out"] += count
        elif status == StepStatus.EXEMPTED:
            counts["not_required"] += count
            kind_reasons = reasons.setdefault(kind, {})
            kind_reasons[reason or ""] = kind_reasons.get(reason or "", 0) + count
        elif category is None or kind in required.get(category, ()):
            counts["missing"] += count
        if status != StepStatus.COMPLETED:
            continue
        if kind == StepKind.PUBLIC_PARTICIPATION:
            participation["consultations"] += count
            participation["hearings"] += int(hearings or 0)
            participation["comments_received"] += int(received or 0)
            participation["comments_adopted"] += int(adopted or 0)
        elif kind == StepKind.LEGALITY_REVIEW:
            legality["reviews"] += count
            if opinion in legality:
                legality[opinion] += count
            if submitted is not None and reviewed is not None:
                pairs.append((submitted, reviewed, count))
    reasons = {kind: dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))
               for kind, found in sorted(reasons.items())}
    legality["average_working_days"] = average_workdays(pairs)

    findings = dict(db.session.execute(
        select(DecisionFinding.rule, func.count()).where(DecisionFinding.decision_id.in_(ids))
        .group_by(DecisionFinding.rule).order_by(DecisionFinding.rule)
    ).all())
    late = findings.get("PUB-01", 0)
    published_late = db.session.execute(
        select(func.count()).select_from(DecisionFinding).join(Decision, Decision.id == DecisionFinding.decision_id)
        .where(*in_scope, DecisionFinding.rule == "PUB-01", Decision.status.in_(PUBLISHED))
    ).scalar_one() if late else 0

    return {
        "decisions": total,
        "complete": int(complete),
        "decided": int(decided),
        "published": int(published),
        "published_on_time": int(published) - published_late,
        "by_procedure": by_procedure,
        "not_required_reasons": reasons,
        "all_five_carried_out": total > 0 and all(c["carried_out"] == total for c in by_procedure.values()),
        "catalogue": _catalogue_figures(scope, year),
        "public_participation": participation,
        "legality_review": legality,
        "findings": findings,
    }


def _step_groups(in_scope: tuple, ids, required: dict[str, set]) -> list[tuple]:
    """Every step figure in one scan of the year's steps: GROUP BY kind, status, exemption reason and (for the
    legality review) opinion and dates, with the public participation's sums. The category joins in only when
    the profile's required steps differ by category."""
    hearing = case(((Step.method == ParticipationMethod.HEARING.value) | Step.hearing_date.is_not(None), 1), else_=0)
    columns = (Step.kind, Step.status, Step.exemption_reason, Step.opinion, Step.submitted_on, Step.reviewed_on)
    aggregates = (func.count(), func.sum(hearing), func.sum(Step.comments_received), func.sum(Step.comments_adopted))
    if all(steps == set(StepKind) for steps in required.values()):
        rows = db.session.execute(select(*columns, *aggregates).where(Step.decision_id.in_(ids)).group_by(*columns))
        return [(None, *row) for row in rows]
    return list(db.session.execute(
        select(Decision.category, *columns, *aggregates).join(Step, Step.decision_id == Decision.id)
        .where(*in_scope).group_by(Decision.category, *columns)
    ))


def average_workdays(pairs: list[tuple[Any, Any, int]]) -> float | None:
    """Mean working days from the day after submission to the opinion, over (submitted, reviewed, count) groups.

    One pass over the days the pairs span (a running count of working days), not one count per pair.
    """
    if not pairs:
        return None
    from datetime import timedelta

    calendar = load_calendar()
    first = min(submitted for submitted, _reviewed, _n in pairs)
    last = max(max(submitted, reviewed) for submitted, reviewed, _n in pairs)
    running, index, day, total = 0, {}, first, 0
    while day <= last:
        running += calendar.is_workday(day)
        index[day] = running
        day += timedelta(days=1)
    weighted = sum(max(0, index[reviewed] - index[submitted]) * n for submitted, reviewed, n in pairs)
    total = sum(n for _s, _r, n in pairs)
    return round(weighted / total, 1)


def _catalogue_figures(scope: list[int], year: int) -> dict[str, int]:
    published = (Catalogue.organization_id.in_(scope), Catalogue.year == year,
                 Catalogue.status == CatalogueStatus.PUBLISHED.value)
    items, linked, decided = db.session.execute(
        select(func.count(CatalogueItem.id), func.count(Decision.id),
               func.coalesce(func.sum(case((Decision.status.in_(DECIDED), 1), else_=0)), 0))
        .join(Catalogue, Catalogue.id == CatalogueItem.catalogue_id)
        .outerjoin(Decision, Decision.catalogue_item_id == CatalogueItem.id)
        .where(*published, CatalogueItem.removed.is_(False))
    ).one()
    changes = dict(db.session.execute(
        select(CatalogueChangeEntry.action, func.count())
        .join(Catalogue, Catalogue.id == CatalogueChangeEntry.catalogue_id)
        .where(*published).group_by(CatalogueChangeEntry.action)
    ).all())
    catalogues = db.session.execute(select(func.count()).select_from(Catalogue).where(*published)).scalar_one()
    return {"catalogues": catalogues, "items": items, "linked": linked, "decided": int(decided),
            "added": changes.get(CatalogueChange.ADDED.value, 0),
            "changed": changes.get(CatalogueChange.CHANGED.value, 0),
            "removed": changes.get(CatalogueChange.REMOVED.value, 0)}


# -- the paragraph ------------------------------------------------------------------------------------------------


class _Writer:
    """Collects the paragraph's segments; ``n`` writes a number with the filter of the decisions it counts."""

    def __init__(self, base: dict[str, str]) -> None:
        self.base = base
        self.segments: list[Segment] = []

    def t(self, text: str) -> None:
        self.segments.append(Segment(text))

    def n(self, value: int | float, **filters: str) -> None:
        self.segments.append(Segment(str(value), {**self.base, **filters}))

    def plain(self, value: int | float) -> None:
        self.segments.append(Segment(str(value)))


def paragraph(organization: OrgName, year: int, s: dict[str, Any]) -> list[Segment]:
    """The paragraph a town puts in its report, from the figures only."""
    w = _Writer({"year": str(year), "org": organization.code})
    total = s["decisions"]
    w.t(f"{year}年，{organization.name}")
    if total == 0:
        w.t("未作出重大行政决策和“三重一大”事项决策。")
        return w.segments
    _catalogue_sentence(w, s["catalogue"])
    w.t("全年")
    w.n(total)
    w.t("项“三重一大”事项中，")
    if s["all_five_carried_out"]:
        w.t(f"均落实{ALL_FIVE}五项法定程序")
    else:
        _procedures_sentence(w, s)
    w.t("。")
    _legality(w, s["legality_review"])
    _participation(w, s["public_participation"])
    if s["published"]:
        w.t("已公布决策")
        w.n(s["published"], status="published")
        w.t("项，其中按时公布")
        w.plain(s["published_on_time"])
        w.t("项。")
    _still_missing(w, s, total)
    return w.segments


def _catalogue_sentence(w: _Writer, cat: dict[str, int]) -> None:
    if not cat["catalogues"]:
        return
    w.t("按照年度重大行政决策事项目录推进决策，目录列入事项")
    w.plain(cat["items"])
    w.t("项")
    if cat["added"] or cat["removed"]:
        w.t("（年中调整新增")
        w.plain(cat["added"])
        w.t("项、调出")
        w.plain(cat["removed"])
        w.t("项）")
    w.t("，已作出决定")
    w.plain(cat["decided"])
    w.t("项；")


def _counted_list(w: _Writer, rows: list[tuple[StepKind, int]], status: str) -> None:
    for index, (kind, count) in enumerate(rows):
        if index:
            w.t("、")
        w.t(STEP_WORDS[kind])
        w.n(count, step=kind.value, step_status=status)
        w.t("项")


def _procedures_sentence(w: _Writer, s: dict[str, Any]) -> None:
    """Not all five everywhere: how many carried out each, lawfully did not need it and why, and what is missing."""
    procedures = {kind: s["by_procedure"][kind.value] for kind in StepKind}
    w.t("履行")
    _counted_list(w, [(kind, c["carried_out"]) for kind, c in procedures.items()], StepStatus.COMPLETED.value)
    exempted = [(kind, c["not_required"]) for kind, c in procedures.items() if c["not_required"]]
    if exempted:
        w.t("；经认定依法不适用")
        for index, (kind, count) in enumerate(exempted):
            if index:
                w.t("、")
            w.t(STEP_WORDS[kind])
            w.n(count, step=kind.value, step_status=StepStatus.EXEMPTED.value)
            w.t("项")
            reasons = s["not_required_reasons"].get(kind.value, {})
            if reasons:
                w.t("（" + "；".join(f"{reason or '未载明理由'}{count}项" for reason, count in reasons.items()) + "）")
    missing = [(kind, c["missing"]) for kind, c in procedures.items() if c["missing"]]
    if missing:
        w.t("；尚未完成")
        _counted_list(w, missing, "missing")


def _legality(w: _Writer, lr: dict[str, Any]) -> None:
    if not lr["reviews"]:
        return
    w.t("开展合法性审查")
    w.n(lr["reviews"], step=StepKind.LEGALITY_REVIEW.value, step_status=StepStatus.COMPLETED.value)
    w.t("件，其中审查意见为合法")
    w.plain(lr[LegalOpinion.LAWFUL.value])
    w.t("件、修改后合法")
    w.plain(lr[LegalOpinion.LAWFUL_WITH_CHANGES.value])
    w.t("件、不合法")
    w.plain(lr[LegalOpinion.UNLAWFUL.value])
    w.t("件")
    if lr["average_working_days"] is not None:
        w.t("，平均审查")
        w.plain(lr["average_working_days"])
        w.t("个工作日")
    w.t("。")


def _participation(w: _Writer, pp: dict[str, int]) -> None:
    if not pp["consultations"]:
        return
    w.t("公开征求意见")
    w.n(pp["consultations"], step=StepKind.PUBLIC_PARTICIPATION.value, step_status=StepStatus.COMPLETED.value)
    w.t("项")
    if pp["hearings"]:
        w.t("，召开听证会")
        w.plain(pp["hearings"])
        w.t("场")
    w.t("，收到意见")
    w.plain(pp["comments_received"])
    w.t("条、采纳")
    w.plain(pp["comments_adopted"])
    w.t("条。")


def _still_missing(w: _Writer, s: dict[str, Any], total: int) -> None:
    incomplete = total - s["complete"]
    if not incomplete:
        w.t("全部决策程序完整。")
        return
    w.t("截至目前，尚有")
    w.n(incomplete, complete="no")
    w.t("项决策程序未完整")
    serious = [(rule, count) for rule, count in s["findings"].items()
               if rule in RULES and RULES[rule].severity in (Severity.BLOCKER, Severity.VIOLATION)]
    if serious:
        w.t("，其中")
        for index, (rule, count) in enumerate(serious):
            if index:
                w.t("、")
            w.t(f"{RULES[rule].title_zh}（{rule}）")
            w.n(count, rule=rule)
            w.t("项")
    w.t("，正在整改。")


def statistics_rows(report: AnnualReport) -> Iterable[tuple[str, Any]]:
    """The figures as (name, value) rows for the XLSX download, in a fixed order."""
    s = report.statistics
    yield "decisions", s["decisions"]
    yield "complete", s["complete"]
    yield "decided", s["decided"]
    yield "published", s["published"]
    yield "published_on_time", s["published_on_time"]
    for kind, counts in s["by_procedure"].items():
        for name, value in counts.items():
            yield f"by_procedure.{kind}.{name}", value
    for kind, reasons in s["not_required_reasons"].items():
        for reason, count in reasons.items():
            yield f"not_required_reasons.{kind}.{reason}", count
    for group in ("catalogue", "public_participation", "legality_review"):
        for name, value in s[group].items():
            yield f"{group}.{name}", value
    for rule, count in s["findings"].items():
        yield f"findings.{rule}", count


# -- the DOCX ------------------------------------------------------------------------------------------------------

#: Chinese body and heading fonts: WPS and Word both read w:eastAsia, without which CJK text falls back.
BODY_FONT, HEADING_FONT = "仿宋", "宋体"


def _east_asian(run, font: str) -> None:
    from docx.oxml.ns import qn

    run.font.name = font
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), font)


def to_docx(report: AnnualReport) -> bytes:
    """The paragraph as a Word document: a heading and the text, in 仿宋 with East Asian fonts set."""
    import io

    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", BODY_FONT)
    heading = document.add_paragraph()
    run = heading.add_run(f"{report.organization.name}{report.year}年度重大行政决策情况")
    run.bold = True
    run.font.size = Pt(16)
    _east_asian(run, HEADING_FONT)
    body = document.add_paragraph()
    body.paragraph_format.first_line_indent = Pt(32)
    run = body.add_run(report.text)
    run.font.size = Pt(16)
    _east_asian(run, BODY_FONT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
