"""The audit trail in the browser (auditors and admins): the list of events, and the chains' verification against
the latest checkpoint."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.services import audit, permissions
from app.services.audit_log import EventFilter, decision_by_ref_no, list_events
from app.services.errors import NotFound
from app.services.history import checkpoint_document, latest_checkpoint_status, record_verification
from app.web.labels import ACTIONS

from .filters import parse_event_args

blueprint = Blueprint("audit", __name__, url_prefix="/audit")

#: The service's reasons for a break, in the user's language.
REASONS = {
    audit.BROKEN_LINK: _l("The event does not link to the event before it."),
    audit.BROKEN_HASH: _l("The event's content does not match its stored hash."),
    audit.BROKEN_ORDER: _l("The event is not the next one of its chain."),
    audit.NOT_EXTENDED: _l("The chain was rewritten: it no longer holds the checkpoint's event at that position."),
    audit.CUT_OFF: _l("Events were cut off the end of the chain after the checkpoint."),
}


class VerifyForm(FlaskForm):
    """Only the CSRF token: the check walks the whole trail, so it is started by a POST."""


@blueprint.route("/verify", methods=["GET", "POST"])
@login_required
def verify():
    """GET shows the button and the latest checkpoint; POST walks the chains and checks they extend it.

    The answer to the POST is also the record an auditor prints for the working papers (审计底稿): when it was
    checked, by whom, the count, each chain's tip hash, and the signed checkpoint it was checked against.
    """
    if not permissions.can_verify_audit(current_user):
        abort(403)
    form = VerifyForm()
    status = latest_checkpoint_status(current_user)
    verification = None
    if form.validate_on_submit():
        verification = record_verification(current_user, status.checkpoint if status is not None else None)
    result = verification.report if verification is not None else None
    reason = REASONS.get(result.reason, result.reason) if result is not None and result.reason else None
    return render_template("audit/verify.html", form=form, result=result, reason=reason,
                           verification=verification, status=status)


@blueprint.route("/events")
@login_required
def events():
    """Events across decisions, newest first, filtered by actor, action, decision and date range."""
    if not permissions.can_read_audit_log(current_user):
        abort(403)
    query = parse_event_args(request.args, current_app.config["PER_PAGE"], current_app.config["MAX_PER_PAGE"])
    unknown_decision = False
    decision_id = None
    if query.ref_no:
        decision = decision_by_ref_no(current_user, query.ref_no)
        unknown_decision = decision is None
        decision_id = decision.id if decision is not None else None
    if unknown_decision:
        result = None  # no such decision the user may see: nothing to list
    else:
        filters = EventFilter(actor=query.actor, action=query.action, decision_id=decision_id,
                              since=query.since, until=query.until)
        result = list_events(current_user, filters, page=query.page, per_page=query.per_page)
    return render_template("audit/events.html", query=query, result=result, actions=ACTIONS,
                           unknown_decision=unknown_decision)


@blueprint.route("/checkpoints/latest.json")
@login_required
def download_checkpoint():
    """The latest signed checkpoint as a file, for the auditor to keep where the database cannot reach it."""
    if not permissions.can_verify_audit(current_user):
        abort(403)
    try:
        row = checkpoint_document(current_user)
    except NotFound:
        abort(404)
    response = Response(row.document, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-checkpoint-{row.id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response
