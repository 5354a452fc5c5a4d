"""The annual catalogue of decision matters (事项目录): build, approve, publish, adjust; and its public page.

Each view loads, calls one service of ``app.services.catalogues`` (the same as
the web pages) and answers; permissions and rules live in the service.
"""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from app.rulebook.vocabulary import ITEM_PROCEDURES, YEAR_MAX, YEAR_MIN, CatalogueChange, CatalogueStatus, Category
from app.services import catalogues as service

from .auth import current_user
from .common import api_blueprint, errors
from .locale import api_locale
from .schemas import (
    DATE_PATTERN,
    AsciiInteger,
    FindingSchema,
    IsoDate,
    Schema,
    StrictBoolean,
    Text,
    _date,
    _out_date,
    between,
    enum,
    one_of,
)

blueprint = api_blueprint("api-catalogues", "The annual catalogue of decision matters (事项目录).")
public_blueprint = api_blueprint("api-public", "What anyone may read without a token: published catalogues.",
                                 authenticated=False)

CATALOGUE_ID = "<api_id:catalogue_id>"
ITEM_ID = "<api_id:item_id>"


# -- schemas ---------------------------------------------------------------------------------------------------


class ProceduresSchema(Schema):
    """履行程序要求: which conditional procedures the matter calls for (legality review and meeting always)."""

    public_participation = StrictBoolean()
    expert_review = StrictBoolean()
    risk_assessment = StrictBoolean()
    hearing = StrictBoolean()
    fair_competition_review = StrictBoolean()


class ProceduresOutSchema(Schema):
    public_participation = fields.Boolean(required=True)
    expert_review = fields.Boolean(required=True)
    risk_assessment = fields.Boolean(required=True)
    hearing = fields.Boolean(required=True)
    fair_competition_review = fields.Boolean(required=True)


def _planned() -> fields.Field:
    return IsoDate(allow_none=True, metadata={"type": "string", "format": "date", "pattern": DATE_PATTERN,
                                              "description": "计划完成时间, YYYY-MM-DD (may be in the future)."})


_REASON = {"description": "Why (动态调整): required once the catalogue is published, kept in `changes`."}


class CatalogueCreateSchema(Schema):
    year = fields.Integer(required=True, strict=True, validate=between(YEAR_MIN, YEAR_MAX))


class ItemCreateSchema(Schema):
    seq = fields.Integer(strict=True, validate=between(1, service.SEQ_MAX),
                         metadata={"description": "序号; defaults to the next free number."})
    title = Text(required=True, visible=True, limit=service.TITLE_MAX)
    category = enum(Category, required=True)
    decision_body = Text(allow_none=True, limit=service.UNIT_MAX, metadata={"description": "决策主体"})
    sponsor_unit = Text(required=True, visible=True, limit=service.UNIT_MAX, metadata={"description": "承办单位"})
    legal_basis = Text(allow_none=True, limit=service.REASON_MAX, metadata={"description": "法律政策依据"})
    procedures = fields.Nested(ProceduresSchema, metadata={"description": "履行程序要求; omitted flags: the "
                                                                          "three conditional steps required, "
                                                                          "hearing and 公平竞争审查 not."})
    planned_completion = _planned()
    adjustment_reason = Text(allow_none=True, limit=service.REASON_MAX, metadata=_REASON)


class ItemUpdateSchema(Schema):
    seq = fields.Integer(strict=True, validate=between(1, service.SEQ_MAX))
    title = Text(visible=True, limit=service.TITLE_MAX)
    category = enum(Category)
    decision_body = Text(allow_none=True, limit=service.UNIT_MAX)
    sponsor_unit = Text(visible=True, limit=service.UNIT_MAX)
    legal_basis = Text(allow_none=True, limit=service.REASON_MAX)
    procedures = fields.Nested(ProceduresSchema)
    planned_completion = _planned()
    adjustment_reason = Text(allow_none=True, limit=service.REASON_MAX, metadata=_REASON)
    decision_id = fields.Integer(strict=True, allow_none=True, validate=between(1, 2_147_483_647),
                                 metadata={"description": "Link a decision of the same organisation and year "
                                                          "(null unlinks); an item links at most one."})


class ItemRemoveSchema(Schema):
    adjustment_reason = Text(allow_none=True, limit=service.REASON_MAX, metadata=_REASON)


class ApproveSchema(Schema):
    approved_on = _date(required=True)
    approval_ref = Text(required=True, visible=True, limit=service.REF_MAX,
                        metadata={"description": "同级党委同意的文件, e.g. 白委〔2024〕3号"})


class CataloguePublishSchema(Schema):
    published_on = _date(required=True)


class ItemSchema(Schema):
    id = fields.Integer(required=True)
    seq = fields.Integer(required=True)
    title = fields.String(required=True)
    category = enum(Category, required=True)
    decision_body = fields.String(required=True, allow_none=True)
    sponsor_unit = fields.String(required=True)
    legal_basis = fields.String(required=True, allow_none=True)
    procedures = fields.Nested(ProceduresOutSchema, required=True)
    planned_completion = _out_date(required=True, allow_none=True)
    removed = fields.Boolean(required=True)
    decision_id = fields.Integer(required=True, allow_none=True)


class ChangeSchema(Schema):
    at = fields.String(required=True, metadata={"format": "date-time"})
    on = _out_date(required=True)
    action = fields.String(required=True, validate=one_of([c.value for c in CatalogueChange]))
    item_id = fields.Integer(required=True, allow_none=True)
    title = fields.String(required=True)
    reason = fields.String(required=True)


class CatalogueSchema(Schema):
    id = fields.Integer(required=True)
    organization = fields.String(required=True, metadata={"example": "BD"})
    year = fields.Integer(required=True)
    status = fields.String(required=True, validate=one_of([s.value for s in CatalogueStatus]))
    approved_on = _out_date(required=True, allow_none=True)
    approval_ref = fields.String(required=True, allow_none=True)
    published_on = _out_date(required=True, allow_none=True)
    items = fields.List(fields.Nested(ItemSchema), required=True)
    changes = fields.List(fields.Nested(ChangeSchema), required=True)
    findings = fields.List(fields.Nested(FindingSchema), required=True,
                           metadata={"description": "CAT-02, CAT-03 under the configured profile."})


class CatalogueListSchema(Schema):
    items = fields.List(fields.Nested(CatalogueSchema), required=True)


class CatalogueQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    year = AsciiInteger(validate=between(YEAR_MIN, YEAR_MAX))


class PublicOrganizationSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class PublicItemSchema(Schema):
    seq = fields.Integer(required=True)
    title = fields.String(required=True)
    category = enum(Category, required=True)
    decision_body = fields.String(required=True, allow_none=True)
    sponsor_unit = fields.String(required=True)
    legal_basis = fields.String(required=True, allow_none=True)
    procedures = fields.Nested(ProceduresOutSchema, required=True)
    planned_completion = _out_date(required=True, allow_none=True)
    decision_status = fields.String(required=True, validate=validate.OneOf(
        ["not_started", "in_progress", "decided", "published"]))
    decision_published_on = _out_date(required=True, allow_none=True)
    decision_text = fields.String(required=True, allow_none=True,
                                  metadata={"description": "The decision's text, once it is published."})


class PublicChangeSchema(Schema):
    on = _out_date(required=True)
    action = fields.String(required=True, validate=one_of([c.value for c in CatalogueChange]))
    title = fields.String(required=True)
    reason = fields.String(required=True)


class PublicCatalogueSchema(Schema):
    organization = fields.Nested(PublicOrganizationSchema, required=True)
    year = fields.Integer(required=True)
    approved_on = _out_date(required=True)
    approval_ref = fields.String(required=True)
    published_on = _out_date(required=True)
    items = fields.List(fields.Nested(PublicItemSchema), required=True)
    changes = fields.List(fields.Nested(PublicChangeSchema), required=True)


if set(ProceduresSchema._declared_fields) != set(ITEM_PROCEDURES):  # pragma: no cover - the schema follows the model
    raise RuntimeError("ProceduresSchema and ITEM_PROCEDURES disagree")


def _answer(catalogue) -> dict:
    return service.catalogue_to_dict(catalogue, api_locale())


# -- endpoints -------------------------------------------------------------------------------------------------


@blueprint.route("/catalogues")
class Catalogues(MethodView):
    @blueprint.arguments(CatalogueQuerySchema, location="query")
    @blueprint.response(200, CatalogueListSchema)
    @errors(blueprint, 401)
    def get(self, args):
        """The catalogues of the organisations the user may see (an auditor: also those under it)."""
        return {"items": [_answer(c) for c in service.list_catalogues(current_user(), args.get("year"))]}

    @blueprint.arguments(CatalogueCreateSchema)
    @blueprint.response(201, CatalogueSchema)
    @errors(blueprint, 400, 401, 403, 409, 413)
    def post(self, args):
        """Open the clerk's organisation's catalogue of a year (a second one of the same year: 409)."""
        return _answer(service.create_catalogue(current_user(), args))


@blueprint.route(f"/catalogues/{CATALOGUE_ID}", methods=["GET"])
@blueprint.response(200, CatalogueSchema)
@errors(blueprint, 401, 404)
def get_catalogue(catalogue_id):
    """Read a catalogue with its items, change log and findings."""
    return _answer(service.load_catalogue(current_user(), catalogue_id))


@blueprint.route(f"/catalogues/{CATALOGUE_ID}/items", methods=["POST"])
@blueprint.arguments(ItemCreateSchema)
@blueprint.response(201, ItemSchema)
@errors(blueprint, 400, 401, 403, 404, 409, 413)
def add_item(args, catalogue_id):
    """List a matter (clerk); once the catalogue is published `adjustment_reason` is required (调整新增)."""
    user = current_user()
    catalogue = service.load_catalogue(user, catalogue_id)
    return service.item_to_dict(service.add_item(user, catalogue, args))


@blueprint.route(f"/catalogues/{CATALOGUE_ID}/items/{ITEM_ID}")
class Item(MethodView):
    @blueprint.arguments(ItemUpdateSchema)
    @blueprint.response(200, ItemSchema)
    @errors(blueprint, 400, 401, 403, 404, 409, 413)
    def patch(self, args, catalogue_id, item_id):
        """Change an item (clerk; after publication with `adjustment_reason`), or link a decision (`decision_id`).

        A decision of another organisation or year is refused (422); an item already
        linked to another decision, or a decision linked to another item, is 409.
        """
        user = current_user()
        catalogue = service.load_catalogue(user, catalogue_id)
        item = service.load_item(catalogue, item_id)
        return service.item_to_dict(service.update_item(user, catalogue, item, args))

    @blueprint.arguments(ItemRemoveSchema, required=False)
    @blueprint.response(204)
    @errors(blueprint, 400, 401, 403, 404, 409, 413)
    def delete(self, args, catalogue_id, item_id):
        """Remove an item (clerk): deleted from a draft; after publication kept as removed, with its reason."""
        user = current_user()
        catalogue = service.load_catalogue(user, catalogue_id)
        service.remove_item(user, catalogue, service.load_item(catalogue, item_id), args or {})
        return None


@blueprint.route(f"/catalogues/{CATALOGUE_ID}/approve", methods=["POST"])
@blueprint.arguments(ApproveSchema)
@blueprint.response(200, CatalogueSchema)
@errors(blueprint, 400, 401, 403, 404, 409, 413)
def approve(args, catalogue_id):
    """Record the party committee's agreement (同级党委同意, clerk): the day and the document."""
    user = current_user()
    return _answer(service.approve_catalogue(user, service.load_catalogue(user, catalogue_id), args))


@blueprint.route(f"/catalogues/{CATALOGUE_ID}/publish", methods=["POST"])
@blueprint.arguments(CataloguePublishSchema)
@blueprint.response(200, CatalogueSchema)
@errors(blueprint, 400, 401, 403, 404, 409, 413)
def publish(args, catalogue_id):
    """Publish an approved catalogue (向社会公布, clerk); 422 unless approved."""
    user = current_user()
    return _answer(service.publish_catalogue(user, service.load_catalogue(user, catalogue_id), args))


@public_blueprint.route("/public/catalogues/<org_code>/<api_id:year>", methods=["GET"])
@public_blueprint.doc(security=[])
@public_blueprint.response(200, PublicCatalogueSchema)
@errors(public_blueprint, 404)
def public_catalogue(org_code, year):
    """A published catalogue, for anyone, without a token (年终总公开): items, progress and changes.

    Only what was published: no findings, no names of staff, no evidence. 404
    until the catalogue is published.
    """
    return service.public_catalogue_dict(org_code, year)
