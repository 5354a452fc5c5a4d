"""The audit trail in the browser (auditors and admins): the list of events, and the chain's verification."""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.services import permissions
from app.services.audit_log import EventFilter, decision_by_ref_no, list_events
from app.services.history import verify_audit_trail
from app.web.labels import ACTIONS

from .filters import parse_event_args

blueprint = Blueprint("audit", __name__, url_prefix="/audit")

#: The service's reasons for a break, in the user's language.
REASONS = {
    "prev_hash does not match the previous event": _l("The event does not link to the event before it."),
    "hash does not match the event's content": _l("The event's content does not match its stored hash."),
}


class VerifyForm(FlaskForm):
    """Only the CSRF token: the check walks the whole chain, so it is started by a POST."""


@blueprint.route("/verify", methods=["GET", "POST"])
@login_required
def verify():
    """GET shows the button; POST walks the chain and shows the count or the first broken event."""
    if not permissions.can_verify_audit(current_user):
        abort(403)
    form = VerifyForm()
    result = seconds = None
    if form.validate_on_submit():
        started = time.perf_counter()
        result = verify_audit_trail(current_user)
        seconds = time.perf_counter() - started
    reason = REASONS.get(result.reason, result.reason) if result is not None and result.reason else None
    return render_template("audit/verify.html", form=form, result=result, reason=reason, seconds=seconds)


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
