"""The legal adviser's queue and review page; the adviser signs here and uploads the review's evidence.

Same pattern as the clerk's pages: load (404 for another organisation) →
check → form → ``sign_legality_review`` → redirect; the request commits after
a successful answer, and a refusal shows the page again with the service's
messages or the rulebook's findings (``app.web.refusals``).
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from app.clock import today
from app.models import Decision
from app.rulebook import RULES
from app.rulebook.vocabulary import StepKind
from app.services import permissions
from app.services.deadlines import current_context, earliest_signing_date
from app.services.decisions import load_decision
from app.services.errors import Conflict
from app.services.steps import sign_legality_review
from app.web import navbar, uploads
from app.web.checklist import unsaved_changes
from app.web.errors import upload_too_large
from app.web.forms import UploadForm
from app.web.guards import UPLOAD_SLACK, form_limits, require
from app.web.refusals import RefusalBox, answer_refusals
from app.web.saved import flash_saved, standing_findings

from .forms import SignForm
from .presenters import review_page
from .queries import QUEUE_LIMIT, queue_count, review_queue

blueprint = Blueprint("review", __name__, url_prefix="/review")
blueprint.register_error_handler(RequestEntityTooLarge, upload_too_large)


def _review_queue_allowed() -> bool:
    return bool(current_user.is_authenticated and permissions.can_review_legality(current_user))


@blueprint.app_context_processor
def _navigation() -> dict:
    return {"review_queue_allowed": _review_queue_allowed}


@blueprint.record_once
def _count_beside_the_menu(state) -> None:
    def waiting() -> int:
        """The drafts waiting for the adviser, shown next to the queue's menu entry."""
        return queue_count(current_user.organization_id) if _review_queue_allowed() else 0

    state.app.extensions[navbar.WAITING] = waiting


@blueprint.route("")
@login_required
def queue():
    """Drafts of the adviser's organisation awaiting legality review, or a new review after a change."""
    require(permissions.can_review_legality(current_user))
    items = review_queue(current_user.organization_id)
    clocks = current_context()
    # 713号令 art. 26: the opinion is lawfully signed no earlier than N working days after submission.
    not_before = {item.decision.id: earliest_signing_date(item.submitted_on, clocks) for item in items}
    truncated = len(items) >= QUEUE_LIMIT
    return render_template("review/queue.html", queue_items=items, truncated=truncated,
                           queue_total=queue_count(current_user.organization_id) if truncated else len(items),
                           not_before=not_before, today=today(), review_workdays=clocks.profile.review_workdays_min,
                           review_citation=clocks.profile.citation("LR-03", RULES["LR-03"].citation))


def _sign_data(decision: Decision) -> dict:
    step = decision.step(StepKind.LEGALITY_REVIEW)
    return {
        "opinion": step.opinion or "",
        "opinion_text": step.opinion_text or "",
        "legal_risk_statement": step.legal_risk_statement or "",
        "reviewed_on": today().isoformat(),
        "version": str(decision.version),  # guards the draft the adviser reads
    }


def render_review(decision: Decision, form: SignForm | None = None, status: int = 200, *,
                  refusal: RefusalBox | None = None,
                  alert: str | None = None, unsaved=(), upload_form: UploadForm | None = None):
    page = review_page(decision, current_user)
    if form is None:
        form = SignForm(formdata=None, data=_sign_data(decision))
    can_upload = permissions.can_upload(current_user, decision, StepKind.LEGALITY_REVIEW)
    if upload_form is None and can_upload:
        upload_form = UploadForm(formdata=None, data={"step": StepKind.LEGALITY_REVIEW.value})
    return render_template(
        "review/detail.html",
        decision=decision,
        page=page,
        form=form,
        upload_form=upload_form if can_upload else None,
        refusal=refusal,
        alert=alert,
        unsaved=unsaved,
    ), status


@blueprint.route("/<id:decision_id>", methods=["GET", "POST"])
@login_required
def detail(decision_id: int):
    """The current draft, its changes since the last signature, the materials, and the signature form."""
    decision = load_decision(current_user, decision_id)
    require(permissions.can_review_legality(current_user))
    if request.method == "GET":
        return render_review(decision)
    require(permissions.can_sign_legality_review(current_user, decision))
    form = SignForm()
    if not form.validate_on_submit():
        return render_review(decision, form, 400)
    submitted = form.payload()

    def conflict(error: Conflict):
        unsaved = unsaved_changes(submitted, _sign_data(decision), exclude=("version", "reviewed_on"))
        return render_review(decision, None, 409, alert=error.message, unsaved=unsaved)

    before = standing_findings(decision)
    with answer_refusals(partial(render_review, decision, form), form=form, decision=decision,
                         on_conflict=conflict):
        sign_legality_review(current_user, decision, submitted)
    flash_saved(_("Legality opinion on %(ref_no)s signed on draft version %(number)d.", ref_no=decision.ref_no,
                  number=decision.drafts[-1].number), decision, before)
    return redirect(url_for("review.queue"))


@blueprint.route("/<id:decision_id>/attachments", methods=["POST"])
@form_limits(upload_slack=UPLOAD_SLACK, files=True)
@login_required
def upload(decision_id: int):
    """Upload an evidence file of the legality review (the adviser may upload to no other step)."""
    decision = load_decision(current_user, decision_id)
    require(
        permissions.can_review_legality(current_user)
        and permissions.can_upload(current_user, decision, StepKind.LEGALITY_REVIEW)
    )
    form = UploadForm()
    with answer_refusals(partial(_render_upload_refused, decision, form), form=form):
        attachment = uploads.store(form, decision, StepKind.LEGALITY_REVIEW.value)
    flash(_("File %(name)s uploaded (SHA-256 %(hash)s).", name=attachment.filename, hash=attachment.sha256[:12]),
          "success")
    return redirect(url_for("review.detail", decision_id=decision.id, _anchor="evidence"))


def _render_upload_refused(decision: Decision, upload_form: UploadForm, status: int, **_refusal: object):
    return render_review(decision, status=status, upload_form=upload_form)
