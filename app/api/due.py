"""``GET /api/v1/due``: the statutory deadlines that concern the caller (the to-do page's list)."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from marshmallow import fields

from app.services.deadlines import WINDOW_MAX, Bound, Clock, due_list

from .auth import current_user
from .common import api_blueprint, errors
from .schemas import AsciiInteger, Schema, between

blueprint = api_blueprint("api-due", "Statutory deadlines: what is due when, and under which article.")


class DueQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    within_days = AsciiInteger(validate=between(0, WINDOW_MAX),
                               metadata={"description": "Deadlines ending within this many days from today "
                                                        "(Beijing), and every one passed. Defaults to the "
                                                        "server's DUE_WINDOW_DAYS (14)."})


class DueItemSchema(Schema):
    decision_id = fields.Integer(required=True, allow_none=True,
                                 metadata={"description": "null for a catalogue clock without a linked decision."})
    catalogue_id = fields.Integer(required=True, allow_none=True,
                                  metadata={"description": "The catalogue of a catalogue clock, else null."})
    ref_no = fields.String(required=True)
    title = fields.String(required=True)
    step = fields.String(required=True, allow_none=True,
                         metadata={"description": "The procedure the clock belongs to, or null (publication, "
                                                  "archiving)."})
    deadline = fields.String(required=True, metadata={"enum": [c.value for c in Clock]})
    due_on = fields.Date(required=True)
    bound = fields.String(required=True, metadata={
        "enum": [b.value for b in Bound],
        "description": "`by`: the last day to act; `not_before`: the first day one may lawfully act (the "
                       "legality opinion, 7 working days after submission) — never overdue."})
    overdue = fields.Boolean(required=True)
    citation = fields.String(required=True)


class DueSchema(Schema):
    items = fields.List(fields.Nested(DueItemSchema), required=True)


@blueprint.route("/due", methods=["GET"])
@blueprint.arguments(DueQuerySchema, location="query")
@blueprint.response(200, DueSchema)
@errors(blueprint, 401)
def due(args):
    """The statutory clocks that concern the caller and end within the window or have passed, soonest first.

    Clocks (each with its article of 713号令): `comment_period_end` (art. 15), `hearing_materials` (7 days
    before the hearing, art. 16), `legality_review` (earliest lawful signing date, ≥ 7 working days, art. 26;
    `bound` `not_before`), `publication` (the profile's working days, art. 32), `archiving` (the profile's
    days, art. 33, until the dossier is produced), `catalogue_publication` (CAT-02, where the profile makes
    the catalogue the rule) and `catalogue_item` (an item's planned completion, CAT-03). A clerk gets the
    clocks of the own organisation's decisions and catalogues a clerk must act on, a legal adviser the signing
    dates; auditors and administrators have no deadlines (an empty list).
    """
    window = args.get("within_days")
    result = due_list(current_user(), current_app.config["DUE_WINDOW_DAYS"] if window is None else window)
    return {"items": [
        {
            "decision_id": item.decision_id,
            "catalogue_id": item.catalogue_id,
            "ref_no": item.ref_no,
            "title": item.title,
            "step": item.step.value if item.step else None,
            "deadline": item.deadline,
            "due_on": item.due_on,
            "bound": item.bound.value,
            "overdue": item.overdue(result.today),
            "citation": item.citation,
        }
        for item in result.items
    ]}
