"""The annual report (法治政府建设年度报告): the figures of a year and the paragraph built from them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from app.clock import today
from app.rulebook.vocabulary import YEAR_MAX, YEAR_MIN
from app.services.annual_report import annual_report

from .auth import current_user
from .common import api_blueprint, errors
from .schemas import AsciiInteger, Schema, Text, between

blueprint = api_blueprint("api-annual", "The annual report's paragraph on major decisions, from the record.")


class AnnualQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    year = AsciiInteger(validate=between(YEAR_MIN, YEAR_MAX), metadata={"description": "Defaults to this year."})
    org = Text(limit=16, metadata={"description": "Organisation code (with its descendants); defaults to the "
                                                  "user's own."})


class AnnualReportSchema(Schema):
    year = fields.Integer(required=True)
    organization = fields.String(required=True, metadata={"example": "BD"})
    statistics = fields.Dict(required=True, metadata={
        "description": "decisions, complete, by_procedure {kind: {carried_out, not_required, missing}}, "
                       "not_required_reasons {kind: {reason: count}}, catalogue {items, added, removed, decided, "
                       "…}, public_participation {hearings, comments_received, comments_adopted, …}, "
                       "legality_review {reviews, lawful, lawful_with_changes, unlawful, average_working_days}, "
                       "published_on_time, findings {rule: count}."})
    text = fields.String(required=True, metadata={"description": "The Chinese paragraph, from the figures only."})


@blueprint.route("/reports/annual", methods=["GET"])
@blueprint.arguments(AnnualQuerySchema, location="query")
@blueprint.response(200, AnnualReportSchema)
@errors(blueprint, 401, 403, 404)
def annual(args):
    """The year's figures for an organisation and every one under it, and the paragraph built from them.

    Scope: an auditor any organisation it sees; a clerk or an admin their own;
    a legal adviser gets 403. An organisation the user cannot see is 404.
    """
    return annual_report(current_user(), args.get("year") or today().year, args.get("org")).to_dict()
