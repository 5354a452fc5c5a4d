"""Completeness report and audit-trail verification."""

from __future__ import annotations

from app.clock import today
from app.services.history import verify_audit_trail
from app.services.reports import completeness

from .auth import current_user
from .common import api_blueprint, errors
from .schemas import AuditVerifySchema, CompletenessQuerySchema, CompletenessSchema

blueprint = api_blueprint("api-reports", "Completeness reports and the audit trail's verification.")


@blueprint.route("/reports/completeness", methods=["GET"])
@blueprint.arguments(CompletenessQuerySchema, location="query")
@blueprint.response(200, CompletenessSchema)
@errors(blueprint, 401, 403)
def completeness_report(args):
    """How many of a year's decisions are complete, by step and by rule.

    Scope: an auditor sees its organisation and every one under it; a clerk or
    an admin their own organisation; a legal adviser gets 403. `missing`
    counts decisions that need the step (by category) and have not done it;
    `by_rule` counts decisions breaking each rule.
    """
    report = completeness(current_user(), args.get("year") or today().year)
    return report.to_dict()


@blueprint.route("/audit/verify", methods=["GET"])
@blueprint.response(200, AuditVerifySchema)
@errors(blueprint, 401, 403)
def verify_audit():
    """Walk the whole hash chain of the audit trail (auditor, admin)."""
    report = verify_audit_trail(current_user())
    answer = {"ok": report.ok, "events": report.events}
    if report.first_broken is not None:
        answer["first_broken"] = report.first_broken
    return answer
