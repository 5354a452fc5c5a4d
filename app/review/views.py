"""The legal adviser's queue and review page; the adviser signs here and uploads the review's evidence.

Same pattern as the clerk's pages: load (404 for another organisation) →
check → form → ``sign_legality_review`` → commit → redirect; a refusal shows
the page again with the service's messages or the rulebook's findings.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from app.decisions import uploads
from app.decisions.forms import UploadForm
from app.decisions.guards import UPLOAD_SLACK, form_limits, require
from app.decisions.presenters import blocked_findings, unsaved_changes
from app.decisions.views import too_large as decision_too_large
from app.extensions import db
from app.models import Decision
from app.rulebook.vocabulary import StepKind
from app.services import permissions
from app.services.compliance import today
from app.services.decisions import load_decision
from app.services.errors import Conflict, InvalidState, RuleBlocked, ValidationFailed
from app.services.steps import sign_legality_review

from .forms import SignForm
from .presenters import review_page
from .queries import QUEUE_LIMIT, review_queue

blueprint = Blueprint("review", __name__, url_prefix="/review")


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """The friendly 413 page of an evidence file far beyond the cap (shared with the clerk's pages)."""
    return decision_too_large(error)


@blueprint.app_context_processor
def _navigation() -> dict:
    def review_queue_allowed() -> bool:
        return bool(current_user.is_authenticated and permissions.can_review_legality(current_user))

    return {"review_queue_allowed": review_queue_allowed}


@blueprint.route("")
@login_required
def queue():
    """Drafts of the adviser's organisation awaiting legality review, or a new review after a change."""
    require(permissions.can_review_legality(current_user))
    items = review_queue(current_user.organization_id)
    return render_template("review/queue.html", queue_items=items, truncated=len(items) >= QUEUE_LIMIT)


def _sign_data(decision: Decision) -> dict:
    step = decision.step(StepKind.LEGALITY_REVIEW)
    return {
        "opinion": step.opinion or "",
        "opinion_text": step.opinion_text or "",
        "legal_risk_statement": step.legal_risk_statement or "",
        "reviewed_on": today().isoformat(),
        "version": str(decision.version),
    }


def render_review(decision: Decision, form: SignForm | None = None, status: int = 200, *, refusal=None,
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


@blueprint.route("/<int:decision_id>", methods=["GET", "POST"])
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
    try:
        sign_legality_review(current_user, decision, submitted)
    except ValidationFailed as error:
        db.session.rollback()
        form.apply_errors(error.errors)
        return render_review(decision, form, 422)
    except RuleBlocked as error:
        db.session.rollback()
        refusal = {"message": error.message, "findings": blocked_findings(current_user, decision, error.findings)}
        return render_review(decision, form, 422, refusal=refusal)
    except Conflict as error:
        db.session.rollback()
        unsaved = unsaved_changes(submitted, _sign_data(decision), exclude=("version", "reviewed_on"))
        return render_review(decision, None, 409, alert=error.message, unsaved=unsaved)
    except InvalidState as error:
        db.session.rollback()
        return render_review(decision, form, 422, alert=error.message)
    db.session.commit()
    flash(_("Legality opinion on %(ref_no)s signed on draft version %(number)d.", ref_no=decision.ref_no,
            number=decision.drafts[-1].number), "success")
    return redirect(url_for("review.queue"))


@blueprint.route("/<int:decision_id>/attachments", methods=["POST"])
@form_limits(upload_slack=UPLOAD_SLACK)
@login_required
def upload(decision_id: int):
    """Upload an evidence file of the legality review (the adviser may upload to no other step)."""
    decision = load_decision(current_user, decision_id)
    require(
        permissions.can_review_legality(current_user)
        and permissions.can_upload(current_user, decision, StepKind.LEGALITY_REVIEW)
    )
    form = UploadForm()
    attachment = uploads.store(form, decision, StepKind.LEGALITY_REVIEW.value)
    if attachment is None:
        db.session.rollback()
        return render_review(decision, status=422, upload_form=form)
    db.session.commit()
    flash(_("File %(name)s uploaded (SHA-256 %(hash)s).", name=attachment.filename, hash=attachment.sha256[:12]),
          "success")
    return redirect(url_for("review.detail", decision_id=decision.id, _anchor="evidence"))
