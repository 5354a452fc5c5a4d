"""Verify the hash chain of the audit trail from the browser (auditors and admins)."""

from __future__ import annotations

import time

from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.services import permissions
from app.services.history import verify_audit_trail

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
