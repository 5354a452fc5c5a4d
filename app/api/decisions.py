"""Decisions: list, create, read, change, submit, publish, archive, evidence and history.

Each view loads, calls one workflow service (the same as the web pages),
answers (the request commits once, after it); rules and permissions live in the services.
"""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from app.services.decisions import (
    DecisionFilter,
    archive_decision,
    create_decision,
    load_decision,
    publish_decision,
    submit_decision,
    update_decision,
)
from app.services.evidence import store_attachment
from app.services.history import decision_history, event_to_dict

from .answers import decision_answer, list_answer
from .auth import current_user
from .common import DECISION_ID, api_blueprint, errors
from .locale import api_locale
from .presenters import decision_to_dict
from .schemas import (
    AttachmentSchema,
    DecisionCreateSchema,
    DecisionListQuerySchema,
    DecisionPageSchema,
    DecisionSchema,
    DecisionUpdateSchema,
    EventSchema,
    PublishSchema,
    UploadSchema,
    VersionSchema,
)

blueprint = api_blueprint("api-decisions", "Decisions, their status, evidence and history.")


@blueprint.route("/decisions")
class Decisions(MethodView):
    @blueprint.arguments(DecisionListQuerySchema, location="query")
    @blueprint.response(200, DecisionPageSchema)
    @errors(blueprint, 401)
    def get(self, args):
        """List the decisions the user may see, newest first.

        Filters: `year`, `category`, `status`, `complete` (true/false). `per_page`
        defaults to 25 and is capped at 100; a page past the end is empty.
        """
        user = current_user()
        per_page = min(args.get("per_page") or current_app.config["PER_PAGE"], current_app.config["MAX_PER_PAGE"])
        filters = DecisionFilter(
            year=args.get("year"), category=args.get("category"), status=args.get("status"),
            complete=args.get("complete"),
        )
        return list_answer(user, filters, args["page"], per_page)

    @blueprint.arguments(DecisionCreateSchema)
    @blueprint.response(201, DecisionSchema)
    @errors(blueprint, 400, 401, 403, 413)
    def post(self, args):
        """Open a decision with its first draft (clerk); it gets the next reference number of its year."""
        decision = create_decision(current_user(), args)
        return decision_to_dict(decision, api_locale())


@blueprint.route(f"/decisions/{DECISION_ID}")
class DecisionItem(MethodView):
    @blueprint.response(200, DecisionSchema)
    @errors(blueprint, 401, 404)
    def get(self, decision_id):
        """Read a decision: its fields, current draft, five steps and compliance findings.

        The answer carries an `ETag`; `If-None-Match` with it answers 304 while the decision
        (and anything its findings depend on) has not changed.
        """
        return decision_answer(current_user(), decision_id)

    @blueprint.arguments(DecisionUpdateSchema)
    @blueprint.response(200, DecisionSchema)
    @errors(blueprint, 400, 401, 403, 404, 409, 413)
    def patch(self, args, decision_id):
        """Change a decision in preparation (clerk); `version` is required, a new `draft_text` is a new draft."""
        user = current_user()
        decision = load_decision(user, decision_id)
        update_decision(user, decision, args)
        return decision_to_dict(decision, api_locale())


@blueprint.route(f"/decisions/{DECISION_ID}/submit", methods=["POST"])
@blueprint.arguments(VersionSchema, required=False)
@blueprint.response(200, DecisionSchema)
@errors(blueprint, 400, 401, 403, 404, 409, 413)
def submit(args, decision_id):
    """Submit for collective discussion (提请集体讨论, clerk); refused with the blocker findings (422)."""
    user = current_user()
    decision = load_decision(user, decision_id)
    submit_decision(user, decision, args.get("version"))
    return decision_to_dict(decision, api_locale())


@blueprint.route(f"/decisions/{DECISION_ID}/publish", methods=["POST"])
@blueprint.arguments(PublishSchema)
@blueprint.response(200, DecisionSchema)
@errors(blueprint, 400, 401, 403, 404, 409, 413)
def publish(args, decision_id):
    """Record the publication of a decided and approved decision (clerk)."""
    user = current_user()
    decision = load_decision(user, decision_id)
    publish_decision(user, decision, args["published_on"], args.get("version"))
    return decision_to_dict(decision, api_locale())


@blueprint.route(f"/decisions/{DECISION_ID}/archive", methods=["POST"])
@blueprint.arguments(VersionSchema, required=False)
@blueprint.response(200, DecisionSchema)
@errors(blueprint, 400, 401, 403, 404, 409, 413)
def archive(args, decision_id):
    """Archive a published decision, or a decided and rejected one (clerk)."""
    user = current_user()
    decision = load_decision(user, decision_id)
    archive_decision(user, decision, args.get("version"))
    return decision_to_dict(decision, api_locale())


@blueprint.route(f"/decisions/{DECISION_ID}/attachments", methods=["POST"])
@blueprint.arguments(UploadSchema, location="multipart")
@blueprint.response(201, AttachmentSchema)
@errors(blueprint, 400, 401, 403, 404, 409, 413)
def upload(args, decision_id):
    """Upload an evidence file of a step (clerk; legal adviser for the legality review).

    Accepted: pdf, ofd, doc, docx, xls, xlsx, jpg, png, recognised by their
    content; the name's extension must agree with it.
    """
    user = current_user()
    decision = load_decision(user, decision_id)
    upload_file = args["file"]
    attachment = store_attachment(user, decision, args["step"], upload_file.filename, upload_file.stream,
                                  upload_file.mimetype)
    return {"id": attachment.id, "filename": attachment.filename, "size": attachment.size,
            "sha256": attachment.sha256}


@blueprint.route(f"/decisions/{DECISION_ID}/history", methods=["GET"])
@blueprint.response(200, EventSchema(many=True))
@errors(blueprint, 401, 404)
def history(decision_id):
    """The decision's events from the hash-chained audit trail, oldest first."""
    user = current_user()
    decision = load_decision(user, decision_id, full=False)
    return [event_to_dict(event) for event in decision_history(user, decision)]
