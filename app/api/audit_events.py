"""``GET /api/v1/audit/events``: the audit trail, filtered and paged (auditor, admin)."""

from __future__ import annotations

from flask import current_app

from app.services.audit_log import EventFilter, list_events
from app.services.history import event_to_dict

from .auth import current_user
from .common import api_blueprint, errors
from .schemas import AuditEventPageSchema, AuditEventQuerySchema

blueprint = api_blueprint("api-audit-events", "The audit trail's events, newest first.")


@blueprint.route("/audit/events", methods=["GET"])
@blueprint.arguments(AuditEventQuerySchema, location="query")
@blueprint.response(200, AuditEventPageSchema)
@errors(blueprint, 401, 403)
def audit_events(args):
    """List audit events, newest first (auditor, admin; others 403).

    Filters, all optional and combined: `actor` (username), `action`, `entity`
    (exact values), `since` and `until` (days `YYYY-MM-DD` in Beijing time, both
    included; `until` before `since` is 422). `page` from 1 (at most
    1,000,000), `per_page` 25 by default, capped at 100; a page past the end is
    empty. Bad values answer 422 naming the parameter.

    Scope: events of the decisions and users of the organisations the caller
    sees (an auditor: its own and every one under it; an admin: its own). An
    event of no decision belongs to the organisation of the user or the
    organisation it is about, else to its actor's; events of no organisation
    at all (the holiday calendar, system events) are listed only for callers
    whose view includes a top-level organisation.
    """
    per_page = min(args.get("per_page") or current_app.config["PER_PAGE"], current_app.config["MAX_PER_PAGE"])
    filters = EventFilter(actor=args.get("actor"), action=args.get("action"), entity=args.get("entity"),
                          since=args.get("since"), until=args.get("until"))
    page = list_events(current_user(), filters, page=args["page"], per_page=per_page)
    return {
        "items": [{**event_to_dict(row.event), "entity_id": row.event.entity_id} for row in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }
