"""The clerk's pages: decision list and page, the decision and step forms, drafts, evidence, the workflow buttons.

Every view that writes follows one pattern: load (404 for another
organisation) → check the permission → read the form → one service call →
redirect with a message. The request's transaction commits after a successful
answer (``app.web.transaction``); a refusal of the service rolls it back and
shows the same page again (``app.web.refusals``): the service's messages next
to the fields, or the rulebook's findings with their citations.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from app.clock import today
from app.models import Decision
from app.rulebook.vocabulary import YEAR_MAX, YEAR_MIN, StepKind
from app.services import permissions
from app.services.decisions import (
    archive_decision,
    create_decision,
    list_decisions,
    load_decision,
    publish_decision,
    submit_decision,
    update_decision,
)
from app.services.errors import Conflict, DomainError
from app.services.evidence import attachment_for_download
from app.services.organizations import load_tree
from app.services.stamps import own_chain_tip
from app.services.step_fields import step_to_dict
from app.services.steps import record_step
from app.web import org_choices, page_cache, prefetch, uploads
from app.web.checklist import assess, step_views, unsaved_changes
from app.web.diffs import compare
from app.web.errors import upload_too_large
from app.web.forms import PayloadForm, UploadForm, VersionForm
from app.web.guards import LARGE_FORM, UPLOAD_SLACK, form_limits, require
from app.web.labels import STEP_KINDS, field_label
from app.web.pages import cached_page
from app.web.paging import PAGE_MAX, positive_int
from app.web.queries import drafts_with_text
from app.web.refusals import RefusalBox, answer_refusals
from app.web.saved import flash_saved, standing_findings
from app.web.templating import rule_choices

from . import queries
from .filters import parse_list_args, wants_organizations
from .forms import STEP_FORMS, DecisionEditForm, DecisionForm, PublishForm, RowAction, StepForm, step_form
from .presenters import decision_page, decision_rows, list_key, page_key, readable_facts

blueprint = Blueprint("decisions", __name__)


def _year_choices(span: tuple[int, int] | None, selected: int | None) -> list[int]:
    """Years offered by the filter: from the year before the first decision to the year after the last, newest first.

    Without any decision, this year; a year asked for in the URL stays offered.
    """
    years = set(range(span[0] - 1, span[1] + 2)) if span else {today().year}
    if selected is not None:
        years.add(selected)
    return sorted((y for y in years if YEAR_MIN <= y <= YEAR_MAX), reverse=True)


def _kind(raw: str) -> StepKind:
    try:
        return StepKind(raw)
    except ValueError:
        abort(404)


# -- list and page -----------------------------------------------------------------------------------


@blueprint.route("/decisions")
@login_required
def index():
    """The decisions the user may see, with filters kept in the URL (the dashboard's numbers link here).

    The body comes from the page cache while nothing in the user's scope was
    written (``presenters.list_key``); its rows from the row cache.
    """
    user = current_user._get_current_object()
    visible = permissions.visible_organization_ids(user)
    read, own = prefetch.take()  # the own organisation's chain tip, read with the session's row
    stamp = own["tip"] if read and own is not None and visible == [own["organization_id"]] else None
    body_key = list_key(user, visible, request.args, stamp)
    return cached_page(body_key, lambda: render_template(
        "decisions/list.html", body=page_cache.fragment(body_key, partial(_list_body, visible))))


def _list_body(visible: list[int]) -> str:
    # The tree only where it is needed: an auditor's organisation filter, or an ``org`` to resolve.
    tree = load_tree() if len(visible) > 1 or wants_organizations(request.args) else None
    query = parse_list_args(
        request.args, current_app.config["PER_PAGE"], current_app.config["MAX_PER_PAGE"], tree=tree, visible=visible
    )
    result = list_decisions(current_user, query.filters, query.page, query.per_page)
    organizations = []
    if tree is not None and len(visible) > 1:
        every = [node for node in tree.walk(tree.visible_roots(visible)) if node.id in set(visible)]
        organizations = org_choices.offered(every, query.organization.node.id if query.organization else None)
    return render_template(
        "decisions/_list_body.html",
        result=result,
        rows=decision_rows(result.items),
        query=query,
        ignored=[field_label(name) for name in query.ignored],
        years=_year_choices(result.years, query.filters.year),
        any_decisions=result.years is not None,
        organizations=organizations,
        rules=rule_choices(),
    )


def _history_page() -> int:
    return positive_int(request.args.get("history", ""), PAGE_MAX) or 1


def _detail_body(decision: Decision, history_page: int, *, refusal: RefusalBox | None = None,
                 alert: str | None = None, publish_form: PublishForm | None = None,
                 upload_form: UploadForm | None = None) -> str:
    """The page's body as HTML (``decisions/_detail_body.html``)."""
    page = decision_page(decision, current_user, history_page)
    publish_form = publish_form or PublishForm(formdata=None, data={"version": decision.version,
                                                                    "published_on": today().isoformat()})
    publish_form.version.data = decision.version
    upload_forms = {kind: UploadForm(formdata=None, data={"step": kind.value}) for kind in page.uploadable}
    if upload_form is not None and upload_form.step.data in upload_forms:
        upload_forms[upload_form.step.data] = upload_form
    return render_template(
        "decisions/_detail_body.html",
        decision=decision,
        page=page,
        version_form=VersionForm(formdata=None, data={"version": decision.version}),
        publish_form=publish_form,
        upload_forms=upload_forms,
        refusal=refusal,
        alert=alert,
    )


def render_detail(decision: Decision, status: int = 200, *, refusal: RefusalBox | None = None,
                  alert: str | None = None, publish_form: PublishForm | None = None,
                  upload_form: UploadForm | None = None):
    """The decision page after a refused action: with the refusal, the alert or the form's errors (never cached)."""
    body = _detail_body(decision, _history_page(), refusal=refusal, alert=alert, publish_form=publish_form,
                        upload_form=upload_form)
    return render_template("decisions/detail.html", ref_no=decision.ref_no, title=decision.title,
                           body=Markup(body), refusal=refusal), status  # noqa: S704 - our own template, autoescaped


@blueprint.record_once
def _read_the_stamp_with_the_session(state) -> None:
    prefetch.register(state.app, "decisions.detail", queries.stamp_statement,
                      lambda args: {"decision_id": args["decision_id"]})
    prefetch.register(state.app, "decisions.index", own_chain_tip, lambda _args: {})


@blueprint.route("/decisions/<id:decision_id>")
@login_required
def detail(decision_id: int):
    """The five-step checklist with its findings, what to do next, the drafts, the evidence and the history.

    The body comes from the page cache under the key of what it shows
    (``presenters.page_key``): one statement decides whether the decision
    must be loaded and judged at all.
    """
    history_page = _history_page()
    user = current_user._get_current_object()  # the permission checks read it often: not through the proxy
    read, stamp = prefetch.take()  # read with the session's row, in one round trip
    if not read:
        stamp = queries.page_stamp(decision_id)
    facts = readable_facts(user, stamp)
    body_key = page_key(user, stamp, facts, history_page)
    return cached_page(body_key, lambda: render_template(
        "decisions/detail.html", ref_no=stamp["ref_no"], title=stamp["title"],
        body=page_cache.fragment(body_key, lambda: _detail_body(load_decision(current_user, decision_id),
                                                                history_page))))


# -- the decision and its draft -----------------------------------------------------------------------


@blueprint.route("/decisions/new", methods=["GET", "POST"])
@form_limits(max_form_memory=LARGE_FORM)
@login_required
def create():
    """Open a new decision with its first draft (clerk)."""
    require(permissions.can_create(current_user))
    form = DecisionForm()
    status = 200
    if request.method == "GET":
        form.year.data = str(today().year)
    elif form.validate_on_submit():
        page = partial(_render_form, form, None)
        with answer_refusals(page, form=form):
            decision = create_decision(current_user, form.payload())
        flash(_("Decision %(ref_no)s created. Record its procedures next.", ref_no=decision.ref_no), "success")
        return redirect(url_for("decisions.detail", decision_id=decision.id))
    else:
        status = 400
    return _render_form(form, None, status)


def _render_form(form: DecisionForm, decision: Decision | None, status: int = 200, *, alert: str | None = None,
                 unsaved=(), **_refusal: Any):
    """The decision's form; after a refusal with the service's messages, the alert or what was not saved."""
    if decision is not None:
        form.year.data = str(decision.year)
    return render_template("decisions/form.html", form=form, decision=decision, alert=alert,
                           unsaved=unsaved), status


def _edit_data(decision: Decision) -> dict[str, Any]:
    draft = decision.drafts[-1] if decision.drafts else None
    return {
        "title": decision.title,
        "category": decision.category,
        "department": decision.department,
        "year": str(decision.year),
        "amount_cny": "" if decision.amount_cny is None else str(decision.amount_cny),
        "summary": decision.summary or "",
        "draft_text": draft.text if draft else "",
        "version": str(decision.version),
    }


@blueprint.route("/decisions/<id:decision_id>/edit", methods=["GET", "POST"])
@form_limits(max_form_memory=LARGE_FORM)
@login_required
def edit(decision_id: int):
    """Change the decision's facts or revise its draft; a stale version is refused, never overwritten."""
    decision = load_decision(current_user, decision_id)
    require(permissions.can_edit(current_user, decision))
    if request.method == "GET":
        return _render_form(DecisionEditForm(formdata=None, data=_edit_data(decision)), decision)
    form = DecisionEditForm()
    if not form.validate_on_submit():
        return _render_form(form, decision, 400)

    def conflict(error: Conflict):
        current = _edit_data(decision)
        unsaved = unsaved_changes(form.payload(), current, exclude=("version",))
        return _render_form(DecisionEditForm(formdata=None, data=current), decision, 409, alert=error.message,
                            unsaved=unsaved)

    before = decision.drafts[-1].number if decision.drafts else 0
    with answer_refusals(partial(_render_form, form, decision), form=form, on_conflict=conflict):
        update_decision(current_user, decision, form.payload())
    after = decision.drafts[-1].number
    if after != before:
        flash(_("Saved. The draft is now version %(number)d.", number=after), "success")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("decisions.detail", decision_id=decision.id))


@blueprint.route("/decisions/<id:decision_id>/drafts/diff")
@login_required
def draft_diff(decision_id: int):
    """Two draft versions side by side, the changed characters marked (``?a=1&b=2``)."""
    decision = load_decision(current_user, decision_id, full=False)
    numbers = queries.draft_numbers(decision.id)

    def number(name: str, default: int) -> int:
        raw = request.args.get(name, "").strip()
        if not raw:
            return default
        if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) not in numbers:
            abort(404)
        return int(raw)

    latest = numbers[-1]
    b = number("b", latest)
    a = number("a", max(numbers[0], b - 1) if b > numbers[0] else b)
    drafts = drafts_with_text(decision.id, (a, b))
    diff = compare(drafts[a].text, drafts[b].text)
    return render_template("decisions/diff.html", decision=decision, numbers=numbers, old=drafts[a],
                           new=drafts[b], diff=diff)


# -- the five steps -----------------------------------------------------------------------------------


def render_step(decision: Decision, kind: StepKind, form: PayloadForm | None, status: int = 200, *,
                refusal: RefusalBox | None = None, alert: str | None = None, unsaved=(),
                upload_form: UploadForm | None = None):
    """A step's page: its findings, its form (when the user may record it) and its evidence."""
    assessment = assess(decision)
    view = next(v for v in step_views(decision, current_user, assessment) if v.kind == kind)
    if upload_form is None and view.can_upload:
        upload_form = UploadForm(formdata=None, data={"step": kind.value})
    return render_template(
        "decisions/step.html",
        decision=decision,
        kind=kind,
        view=view,
        form=form,
        upload_form=upload_form if view.can_upload else None,
        refusal=refusal,
        alert=alert,
        unsaved=unsaved,
    ), status


@blueprint.route("/decisions/<id:decision_id>/steps/<kind>", methods=["GET", "POST"])
@form_limits(max_form_memory=LARGE_FORM, files=True)
@login_required
def step(decision_id: int, kind: str):
    """Record one procedure (clerk); an evidence file chosen in the same form is saved with it.

    Whatever is refused — the form, a rule, the file (wrong kind, too large) —
    the page comes back with what was typed and each message next to its box;
    nothing is saved unless everything is. A browser cannot keep a chosen file
    across pages, so a file that was not stored is named and must be chosen again.
    """
    kind = _kind(kind)
    decision = load_decision(current_user, decision_id)
    if kind == StepKind.LEGALITY_REVIEW and permissions.can_sign_legality_review(current_user, decision):
        return redirect(url_for("review.detail", decision_id=decision.id))
    can_record = permissions.can_record_step(current_user, decision, kind)
    require(can_record or permissions.can_upload(current_user, decision, kind))
    if request.method == "GET":
        form = step_form(kind, step_to_dict(decision.step(kind)), decision.step(kind).version) if can_record else None
        return render_step(decision, kind, form)
    require(can_record)
    form = STEP_FORMS[kind]()
    upload_form = UploadForm(data={"step": kind.value})
    upload_form.step.data = kind.value

    def page(status: int, **refusal: Any):
        _not_stored(upload_form)
        return render_step(decision, kind, form, status, upload_form=upload_form, **refusal)

    if isinstance(form, StepForm) and form.list_name:
        action = RowAction.parse(request.form.get("row_action"), (form.list_name,))
        if action is not None:
            values = form.values()
            values[form.list_name] = action.apply(values[form.list_name], form.blank_row())
            _not_stored(upload_form)
            return render_step(decision, kind, STEP_FORMS[kind](formdata=None, data=values), upload_form=upload_form)
    too_large = uploads.too_large_message(upload_form)
    if too_large:
        # Nothing is checked further: the step is saved with its file or not at all, so say this first.
        upload_form.file.errors = [too_large]
        return page(413)
    if not form.validate_on_submit():
        return page(400)
    submitted = form.payload()

    def conflict(error: Conflict):
        current = step_to_dict(decision.step(kind))
        unsaved = unsaved_changes(submitted, current, exclude=("version",), kind=kind)
        form_now = step_form(kind, current, decision.step(kind).version)
        _not_stored(upload_form)
        return render_step(decision, kind, form_now, 409, alert=error.message, unsaved=unsaved,
                           upload_form=upload_form)

    before = standing_findings(decision)
    with_file = uploads.chosen(upload_form)
    target = _StepWithFile(form, upload_form)
    with answer_refusals(page, form=target, decision=decision, here=kind, on_conflict=conflict):
        record_step(current_user, decision, kind, submitted)
        attachment = uploads.store(upload_form, decision, kind.value, validate=False) if with_file else None
    saved = _("%(step)s recorded.", step=STEP_KINDS[kind])
    if attachment is not None:
        saved = _("%(step)s recorded, with the file %(name)s (SHA-256 %(hash)s).", step=STEP_KINDS[kind],
                  name=attachment.filename, hash=attachment.sha256[:12])
    flash_saved(saved, decision, before)
    return redirect(url_for("decisions.detail", decision_id=decision.id, _anchor=f"step-{kind.value}"))


class _StepWithFile:
    """Where a refusal's field messages go: the file's next to the file box, the others on the step form."""

    def __init__(self, form: PayloadForm, upload_form: UploadForm) -> None:
        self.form = form
        self.upload_form = upload_form

    def apply_errors(self, errors: dict[str, str]) -> None:
        file_errors = {key: message for key, message in errors.items() if key in ("file", "step")}
        self.upload_form.file.errors = [*self.upload_form.file.errors, *file_errors.values()]
        self.form.apply_errors({key: message for key, message in errors.items() if key not in file_errors})


def _not_stored(upload_form: UploadForm) -> None:
    """Say next to the file box that a chosen file was not stored: the browser has forgotten it."""
    if uploads.chosen(upload_form) and not upload_form.file.errors:
        upload_form.file.errors = [_("%(name)s was not uploaded, because the form was not saved. Choose it again.",
                                     name=upload_form.file.data.filename)]


def _step_too_large(error: RequestEntityTooLarge):
    """A step form whose body is beyond even the oversize allowance: the page with the saved values.

    The body was refused unread, so what was typed cannot be shown; the page
    says so next to the file box. Any other page gets the friendly 413.
    """
    args = request.view_args or {}
    if request.endpoint != "decisions.step" or not current_user.is_authenticated:
        return upload_too_large(error)
    kind = next((k for k in StepKind if k.value == args.get("kind")), None)
    try:
        decision = load_decision(current_user, args.get("decision_id", 0))
    except DomainError:
        return upload_too_large(error)
    if kind is None or not permissions.can_record_step(current_user, decision, kind):
        return upload_too_large(error)
    form = step_form(kind, step_to_dict(decision.step(kind)), decision.step(kind).version)
    upload_form = UploadForm(formdata=None, data={"step": kind.value})
    upload_form.file.errors = [_("The file is far larger than %(mb)d MB, so the form could not be read and was not "
                                 "saved: what is shown is the last saved record. Enter your changes again and choose "
                                 "a smaller file.", mb=uploads.upload_limit() // (1024 * 1024))]
    return render_step(decision, kind, form, 413, upload_form=upload_form)


blueprint.register_error_handler(RequestEntityTooLarge, _step_too_large)


# -- evidence -----------------------------------------------------------------------------------------


@blueprint.route("/decisions/<id:decision_id>/attachments", methods=["GET", "POST"])
@form_limits(upload_slack=UPLOAD_SLACK, files=True)
@login_required
def upload(decision_id: int):
    """Upload one evidence file of a step (clerk; the legal adviser uploads on the review page).

    A refused upload shows its page again at this address; reloading it (GET)
    leads back to that page instead of a "method not allowed".
    """
    decision = load_decision(current_user, decision_id)
    if request.method == "GET":
        kind = next((k for k in StepKind if k.value == request.args.get("step")), None)
        if kind is not None:
            return redirect(url_for("decisions.step", decision_id=decision.id, kind=kind.value, _anchor="evidence"))
        return redirect(url_for("decisions.detail", decision_id=decision.id, _anchor="evidence"))
    # A read-only role is refused before its form is read; the step's own permission is the service's.
    require(any(permissions.can_upload(current_user, decision, kind) for kind in StepKind))
    form = UploadForm()
    origin = request.form.get("origin")
    kind = next((k for k in StepKind if k.value == form.step.data), None)
    if origin == "step" and kind is not None:
        page = partial(_upload_refused_on_step, decision, kind, form)
    else:
        page = partial(render_detail, decision, upload_form=form)
    with answer_refusals(page, form=form):
        attachment = uploads.store(form, decision)
    flash(_("File %(name)s uploaded (SHA-256 %(hash)s).", name=attachment.filename, hash=attachment.sha256[:12]),
          "success")
    if origin == "step":
        return redirect(url_for("decisions.step", decision_id=decision.id, kind=form.step.data, _anchor="evidence"))
    return redirect(url_for("decisions.detail", decision_id=decision.id, _anchor=f"evidence-{form.step.data}"))


def _upload_refused_on_step(decision: Decision, kind: StepKind, upload_form: UploadForm, status: int, **_refusal: Any):
    """The step page again, its typed values as stored, the upload form with its error."""
    can_record = permissions.can_record_step(current_user, decision, kind)
    form = step_form(kind, step_to_dict(decision.step(kind)), decision.step(kind).version) if can_record else None
    return render_step(decision, kind, form, status, upload_form=upload_form)


@blueprint.route("/attachments/<id:attachment_id>")
@login_required
def download(attachment_id: int):
    """The stored file under its original (sanitised) name; 404 unless the user may read its decision."""
    found = attachment_for_download(current_user, attachment_id)
    response = send_file(found.path, mimetype=found.content_type, as_attachment=True,
                         download_name=found.filename, etag=found.attachment.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# -- workflow buttons ---------------------------------------------------------------------------------


def _version(form: VersionForm) -> Any:
    return form.version.data or None


@blueprint.route("/decisions/<id:decision_id>/submit", methods=["POST"])
@login_required
def submit(decision_id: int):
    """提请集体讨论: refused with the blocker findings, each linked to the form that fixes it."""
    decision = load_decision(current_user, decision_id)
    require(permissions.can_submit(current_user, decision))
    form = VersionForm()
    with answer_refusals(partial(render_detail, decision), decision=decision):
        submit_decision(current_user, decision, _version(form))
    flash(_("Submitted for collective discussion. Record the meeting once it has been held."), "success")
    return redirect(url_for("decisions.detail", decision_id=decision.id))


@blueprint.route("/decisions/<id:decision_id>/publish", methods=["POST"])
@login_required
def publish(decision_id: int):
    """Record the publication of an approved decision, with its date."""
    decision = load_decision(current_user, decision_id)
    require(permissions.can_publish(current_user, decision))
    form = PublishForm()
    with answer_refusals(partial(render_detail, decision, publish_form=form), form=form):
        publish_decision(current_user, decision, form.published_on.data, _version(form))
    flash(_("Publication recorded."), "success")
    return redirect(url_for("decisions.detail", decision_id=decision.id))


@blueprint.route("/decisions/<id:decision_id>/archive", methods=["GET", "POST"])
@login_required
def archive(decision_id: int):
    """Close the file of a published, or a decided and rejected, decision; GET asks first (no script needed)."""
    decision = load_decision(current_user, decision_id)
    require(permissions.can_archive(current_user, decision))
    if request.method == "GET":
        return render_template(
            "confirm.html",
            heading=_("Archive %(ref_no)s?", ref_no=decision.ref_no),
            message=_("An archived decision is closed: its record and its evidence can no longer be changed or "
                      "added to. This cannot be undone."),
            action=url_for("decisions.archive", decision_id=decision.id),
            form=VersionForm(formdata=None, data={"version": decision.version}),
            confirm_label=_("Archive the decision"),
            cancel=url_for("decisions.detail", decision_id=decision.id),
            tone="primary",
        )
    form = VersionForm()
    with answer_refusals(partial(render_detail, decision)):
        archive_decision(current_user, decision, _version(form))
    flash(_("Decision archived."), "success")
    return redirect(url_for("decisions.detail", decision_id=decision.id))
