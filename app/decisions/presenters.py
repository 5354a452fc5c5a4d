"""What the decision pages show, gathered in a bounded number of queries.

Reading only: the findings come from the rulebook through the compliance
service, the facts from ``step_to_dict``, who may do what from
``app.services.permissions``; nothing here decides anything. The short list of
what to do next is derived here from those three, not in the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import current_app, get_template_attribute, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from app.clock import today
from app.models import Decision, DraftVersion, User
from app.rulebook import Action, Finding
from app.rulebook.vocabulary import EDITABLE_STATUSES, PREPARATORY_STEPS, DecisionStatus, Severity, StepKind
from app.services import permissions
from app.services.compliance import blockers
from app.services.stamps import scope_stamp
from app.web import labels as words
from app.web import page_cache
from app.web.checklist import StepView, assess, step_views
from app.web.labels import SEVERITY_HEADINGS, STEP_KINDS
from app.web.templating import (
    DECISION_STATUS_COLOURS,
    SEVERITY_COLOURS,
    amount,
    by_severity,
    chinese_data,
    current_locale,
    rule_title,
)

from . import queries


@dataclass(frozen=True)
class FindingGroup:
    severity: Severity
    heading: object
    findings: list[Finding]


@dataclass(frozen=True)
class NextStep:
    """One thing to do next, with the page where it is done."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class Actions:
    """The decision-level buttons the user may use now."""

    edit: bool = False
    submit: bool = False
    publish: bool = False
    archive: bool = False

    @property
    def any(self) -> bool:
        return self.edit or self.submit or self.publish or self.archive


@dataclass
class DecisionPage:
    decision: Decision
    steps: list[StepView]
    findings: list[Finding]
    groups: list[FindingGroup]
    complete: bool
    drafts: list[DraftVersion]
    current_draft: DraftVersion | None
    events: list[queries.HistoryEntry]
    #: The page of the history shown (newest first) and whether older events follow.
    history_page: int
    history_more: bool
    actions: Actions = field(default_factory=Actions)
    next_steps: list[NextStep] = field(default_factory=list)
    submit_blockers: list[Finding] = field(default_factory=list)
    uploadable: list[StepKind] = field(default_factory=list)

    def step_view(self, kind: StepKind | str) -> StepView:
        return next(view for view in self.steps if view.kind == kind)


def decision_actions(user: User, decision: Decision) -> Actions:
    """The buttons of the page: what the permissions allow, and what the decision's state makes possible."""
    return Actions(
        edit=permissions.can_edit(user, decision),
        submit=permissions.can_submit(user, decision),
        publish=permissions.can_publish(user, decision) and permissions.is_publishable(decision),
        archive=permissions.can_archive(user, decision) and permissions.is_archivable(decision),
    )


def _has(findings: list[Finding], rule: str, kind: StepKind | None = None) -> bool:
    return any(f.rule == rule and (kind is None or f.step == kind) for f in findings)


def next_steps(user: User, decision: Decision, page_steps: list[StepView], findings: list[Finding],
               submit_blockers: list[Finding], actions: Actions) -> list[NextStep]:
    """A short list of what the user can do next, from the blockers, the status and the permissions."""
    status = DecisionStatus(decision.status)
    views = {view.kind: view for view in page_steps}
    detail = url_for("decisions.detail", decision_id=decision.id)
    todo: list[NextStep] = []
    if status in EDITABLE_STATUSES:
        todo.extend(_preparation_next(user, decision, views, submit_blockers, actions, detail))
    elif status == DecisionStatus.SUBMITTED and views[StepKind.COLLECTIVE_DECISION].edit_url:
        todo.append(NextStep(_("Record the collective decision: the meeting, the members' positions and the outcome"),
                             views[StepKind.COLLECTIVE_DECISION].edit_url))
    elif status == DecisionStatus.DECIDED and actions.publish:
        todo.append(NextStep(_("Publish the decision and record the date"), f"{detail}#actions"))
    if actions.archive:
        todo.append(NextStep(_("Archive the decision when its file is complete"), f"{detail}#actions"))
    todo.extend(_violations_next(findings, detail))
    todo.extend(_evidence_next(page_steps, findings, detail))
    return todo


def _preparation_next(user: User, decision: Decision, views: dict[StepKind, StepView], submit_blockers: list[Finding],
                      actions: Actions, detail: str) -> list[NextStep]:
    """Before the meeting: what still blocks the submission, step by step, then the submission itself."""
    todo: list[NextStep] = []
    for kind in PREPARATORY_STEPS:
        view = views[kind]
        if not view.edit_url:
            continue
        if _has(submit_blockers, "GEN-01", kind):
            todo.append(NextStep(_("Record the %(step)s, or exempt it where the law allows", step=STEP_KINDS[kind]),
                                 view.edit_url))
        if _has(submit_blockers, "GEN-02", kind):
            todo.append(NextStep(_("State the reason and the legal basis of the %(step)s exemption",
                                   step=STEP_KINDS[kind]), view.edit_url))
    if _has(submit_blockers, "RA-01") and views[StepKind.RISK_ASSESSMENT].edit_url:
        todo.append(NextStep(_("Make the risk controllable: record mitigation measures or revise the draft"),
                             views[StepKind.RISK_ASSESSMENT].edit_url))
    todo.extend(_legality_next(user, decision, views[StepKind.LEGALITY_REVIEW], submit_blockers))
    if actions.submit and not submit_blockers:
        todo.append(NextStep(_("Submit the decision for collective discussion"), f"{detail}#actions"))
    return todo


def _violations_next(findings: list[Finding], detail: str) -> list[NextStep]:
    violations = [f for f in findings if f.severity == Severity.VIOLATION]
    if not violations:
        return []
    return [NextStep(ngettext("Check the violation: the decision cannot be complete until it is corrected",
                              "Check the %(num)d violations: the decision cannot be complete until they "
                              "are corrected", len(violations)), f"{detail}#findings")]


def _evidence_next(page_steps: list[StepView], findings: list[Finding], detail: str) -> list[NextStep]:
    return [
        NextStep(_("Attach the evidence files of the %(step)s", step=STEP_KINDS[view.kind]),
                 f"{detail}#evidence-{view.kind.value}")
        for view in page_steps
        if view.can_upload and _has(findings, "EVD-01", view.kind)
    ]


def _legality_next(user: User, decision: Decision, view: StepView, submit_blockers: list[Finding]) -> list[NextStep]:
    step = view.step
    is_adviser = permissions.can_sign_legality_review(user, decision)
    is_clerk = permissions.can_record_step(user, decision, StepKind.LEGALITY_REVIEW)
    if step.submitted_on is None:
        if is_clerk:
            return [NextStep(_("Send the draft and the materials to the legality review and record the date"),
                             view.edit_url)]
        if is_adviser:
            return [NextStep(_("The materials have not been sent to the legality review yet"))]
        return []
    if step.draft_sha256 is None:
        if is_adviser and any(f.rule == "GEN-01" and f.step in PREPARATORY_STEPS for f in submit_blockers):
            # LR-02: the signature waits for the materials it reviews.
            return [NextStep(_("Review the draft; sign once public participation, expert review and risk "
                               "assessment are done or exempted"), view.edit_url)]
        if is_adviser:
            return [NextStep(_("Review the draft and sign the legality opinion"), view.edit_url)]
        if is_clerk:
            return [NextStep(_("Wait for the legal adviser's legality opinion"))]
        return []
    if _has(submit_blockers, "LR-05"):
        if is_adviser:
            return [NextStep(_("The draft changed after your signature: review the new version and sign again"),
                             view.edit_url)]
        if is_clerk:
            return [NextStep(_("The draft changed after the legality review: the legal adviser must review the "
                               "new version"))]
    if _has(submit_blockers, "LR-04"):
        if is_adviser:
            return [NextStep(_("The opinion is unlawful: review a revised draft, or state the legal risk of an "
                               "exploratory reform"), view.edit_url)]
        if is_clerk:
            return [NextStep(_("The legality opinion is unlawful: revise the draft and have it reviewed again"),
                             url_for("decisions.edit", decision_id=decision.id))]
    return []


def decision_page(decision: Decision, user: User, history_page: int = 1) -> DecisionPage:
    """Everything the decision page shows; ``decision`` comes from ``load_decision`` (steps, drafts loaded)."""
    assessment = assess(decision)
    evaluation = assessment.evaluation
    steps = step_views(decision, user, assessment)
    groups = [
        FindingGroup(severity, SEVERITY_HEADINGS[severity], evaluation.by_severity(severity))
        for severity in Severity
        if evaluation.by_severity(severity)
    ]
    submit_blockers: list[Finding] = []
    if decision.status in EDITABLE_STATUSES:
        submit_blockers = blockers(Action("submit", actor_role=user.role_enum), decision, assessment.snapshot)
    actions = decision_actions(user, decision)
    per_page = queries.HISTORY_PER_PAGE
    events = queries.decision_events(decision.id, per_page + 1, (history_page - 1) * per_page)
    drafts = list(decision.drafts)
    return DecisionPage(
        decision=decision,
        steps=steps,
        findings=evaluation.findings,
        groups=groups,
        complete=evaluation.complete,
        drafts=list(reversed(drafts)),
        current_draft=drafts[-1] if drafts else None,
        events=events[:per_page],
        history_page=history_page,
        history_more=len(events) > per_page,
        actions=actions,
        next_steps=next_steps(user, decision, steps, evaluation.findings, submit_blockers, actions),
        submit_blockers=submit_blockers,
        uploadable=[view.kind for view in steps if view.can_upload],
    )




# -- the page cache ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Meeting:
    outcome: str | None


@dataclass(frozen=True)
class DecisionFacts:
    """What the permission checks read of a decision — organisation, status, the meeting's outcome — from its stamp.

    Enough to refuse a reader (404) and to know the buttons of the page
    before anything else of the decision is loaded.
    """

    id: int
    organization_id: int
    status: str
    outcome: str | None

    def step(self, kind: StepKind | str) -> _Meeting:
        return _Meeting(self.outcome if kind == StepKind.COLLECTIVE_DECISION else None)


def readable_facts(user: User, stamp: dict[str, Any] | None) -> DecisionFacts:
    """The decision's facts if ``user`` may read it; otherwise the same 404 as ``load_decision``."""
    facts = None
    if stamp is not None:
        facts = DecisionFacts(stamp["id"], stamp["organization_id"], stamp["status"], stamp["outcome"])
    return permissions.readable_decision(user, facts)  # type: ignore[arg-type] - reads only these facts


def viewer_permissions(user: User, decision: DecisionFacts | Decision) -> tuple:
    """Every permission the decision page turns into a button, a link or a form, for ``user``: part of its key.

    Two viewers with the same tuple (and role, for the next steps) see the
    same page; a clerk's page is never a legal adviser's.
    """
    return (
        user.role,
        permissions.can_edit(user, decision),
        permissions.can_submit(user, decision),
        permissions.can_publish(user, decision) and permissions.is_publishable(decision),
        permissions.can_archive(user, decision) and permissions.is_archivable(decision),
        permissions.can_sign_legality_review(user, decision),
        tuple(permissions.can_record_step(user, decision, kind) for kind in StepKind),
        tuple(permissions.can_upload(user, decision, kind) for kind in StepKind),
    )


def page_key(user: User, stamp: dict[str, Any], facts: DecisionFacts, history_page: int) -> str:
    """The cache key of the decision page's body: what it shows (``queries.page_stamp``), to whom, how, when.

    Today's date is in it because findings run against today (deadlines);
    the profile and the upload limit because they are configuration a shared
    cache may see differ between nodes.
    """
    config = current_app.config
    return page_cache.key(
        "decision", tuple(sorted(stamp.items())), viewer_permissions(user, facts), current_locale(),
        today().isoformat(), history_page, config["RULEBOOK_PROFILE"], config["MAX_CONTENT_LENGTH"],
        request.script_root,
    )


# -- the decision list ---------------------------------------------------------------------------------


def list_key(user: User, visible: list[int], args: Any, stamp: int | None = None) -> str:
    """The cache key of the list page's body: the query as asked, whose scope, how far that scope was written.

    ``scope_stamp`` moves with every write that concerns an organisation of
    the scope (each appends to its audit chain in the same transaction): a
    decision, a step, a file, a catalogue's publication (which changes stored
    findings), a renamed organisation (the filter's names). The visible ids are
    in it too (a new sub-organisation), and whether the user may create (the
    empty list's link). ``stamp``: the scope's stamp when it was read already
    (with the session's row).
    """
    config = current_app.config
    return page_cache.key(
        "list", tuple(visible), scope_stamp(visible) if stamp is None else stamp, tuple(sorted(args.items(multi=True))),
        current_locale(),
        today().isoformat(), permissions.can_create(user), config["RULEBOOK_PROFILE"], config["PER_PAGE"],
        config["MAX_PER_PAGE"], request.script_root,
    )


def row_facts(decision: Decision) -> tuple:
    """Everything a list row shows of a decision, with its versions: the row's cache key (with the locale)."""
    findings = tuple((f.rule, f.severity) for f in by_severity(decision.findings))
    return (decision.id, decision.row_version, decision.version, decision.ref_no, decision.title, decision.category,
            decision.department, decision.year, decision.status, bool(decision.is_complete),
            None if decision.amount_cny is None else str(decision.amount_cny), findings)


_MARKS = {"blocker": "■", "violation": "▲", "warning": "●"}


def _rows_html(missing: list[tuple]) -> list[str]:
    """The rows not in the cache, from ready strings: one macro call per row, the words looked up once."""
    macro = get_template_attribute("decisions/_row.html", "decision_row")
    href = url_for("decisions.detail", decision_id=1)[:-1]
    said = {"complete": _("Complete"), "incomplete": _("Not complete")}
    severities = {value: words.label(words.SEVERITIES, value) for value in _MARKS}
    badges: dict[tuple[str, str], dict[str, object]] = {}
    html = []
    for (decision_id, _rv, _v, ref_no, title, category, department, year, status, complete, amount_cny,
         findings) in missing:
        for rule, severity in findings:
            if (rule, severity) not in badges:
                badges[rule, severity] = {
                    "rule": rule, "severity": severity, "colour": SEVERITY_COLOURS.get(severity, "secondary"),
                    "mark": _MARKS.get(severity, ""), "title": rule_title(rule),
                    "severity_label": severities.get(severity) or words.label(words.SEVERITIES, severity),
                }
        row = {
            "href": f"{href}{decision_id}", "ref_no": ref_no, "title": chinese_data(title),
            "category": words.label(words.CATEGORIES, category), "department": chinese_data(department),
            "year": year, "status": words.label(words.DECISION_STATUSES, status),
            "status_colour": DECISION_STATUS_COLOURS.get(status, "secondary"), "complete": complete,
            "amount": amount(Decimal(amount_cny)) if amount_cny is not None else "",
            "rules": [badges[finding] for finding in findings],
        }
        html.append(str(macro(row, said)))
    return html


def decision_rows(items: list[Decision]) -> Markup:
    """The list's rows as HTML: each from the row cache (one ``get_many``), the missing ones rendered and stored."""
    locale = current_locale()
    keyed = {page_cache.key("row", locale, facts): facts for facts in map(row_facts, items)}
    found = page_cache.fragments(keyed, _rows_html)
    return Markup("".join(found[k] for k in keyed))  # noqa: S704 - rows of our own autoescaped template
