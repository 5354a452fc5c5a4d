"""Marshmallow schemas: they validate the requests and are the OpenAPI document.

Request schemas check types, enumerations and required fields only; what a
value means (a date in the future, a year out of range, a step done out of
order) is the workflow services' business, which answer 422 with the field or
the rulebook's findings. Step schemas are built from
``app.services.step_fields.KIND_FIELDS``, the services' own list of each kind's
facts, so the document and the services cannot disagree about field names.

Dates are ISO ``YYYY-MM-DD``; timestamps ISO 8601 in UTC; ``amount_cny`` is
answered as a decimal string (``"1250000.00"``) and accepted as a string or a
number.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import fields, validate
from werkzeug.datastructures import FileStorage

from app.rulebook.vocabulary import (
    YEAR_MAX,
    YEAR_MIN,
    Category,
    DecisionStatus,
    LegalOpinion,
    Position,
    Severity,
    StepKind,
    StepStatus,
    values,
)
from app.services.decisions import BACKFILL_REASON_MAX, DEPARTMENT_MAX, DRAFT_MAX, SUMMARY_MAX, TITLE_MAX
from app.services.field_types import COUNT_MAX, DATE_MIN, SHORT_MAX, TEXT_MAX, FieldSpec
from app.services.step_fields import COMMON_FIELDS, KIND_FIELDS

# Field errors in the request's language (Chinese unless Accept-Language prefers English).
fields.Field.default_error_messages = {
    "required": _l("Missing data for required field."),
    "null": _l("Field may not be null."),
    "validator_failed": _l("Invalid value."),
}
fields.String.default_error_messages = {"invalid": _l("Not a valid string."),
                                        "invalid_utf8": _l("Not a valid utf-8 string.")}
fields.Integer.default_error_messages = {"invalid": _l("Not a valid integer."), "too_large": _l("Number too large.")}
fields.List.default_error_messages = {"invalid": _l("Not a valid list.")}
fields.Boolean.default_error_messages = {"invalid": _l("Not a valid boolean.")}
fields.Nested.default_error_messages = {"type": _l("Invalid type.")}
fields.Dict.default_error_messages = {"invalid": _l("Not a valid mapping type.")}

SETTABLE_STATUSES = [s.value for s in (StepStatus.IN_PROGRESS, StepStatus.COMPLETED, StepStatus.EXEMPTED)]
MAX_PAGE = 1_000_000


class Schema(ma.Schema):
    """Unknown fields are refused (422 naming them); the services never see them."""

    error_messages = {"unknown": _l("Unknown field."), "type": _l("Invalid input type.")}  # noqa: RUF012

    class Meta:
        unknown = ma.RAISE


def one_of(choices: list[str]) -> validate.OneOf:
    return validate.OneOf(choices, error=_l("Must be one of: {choices}."))


def length(maximum: int) -> validate.Length:
    return validate.Length(max=maximum, error=_l("Longer than maximum length {max}."))


def between(minimum: int | None = None, maximum: int | None = None) -> validate.Range:
    return validate.Range(minimum, maximum, error=_l("Must be between {min} and {max}."))


# -- fields ----------------------------------------------------------------------------------------


#: Characters that show nothing (ECMA-262 regex class body), as ``app.services.errors.visible_text`` strips them.
#: Python's ``\s`` also matches U+001C–U+001F and U+0085, which ECMA's (the document's) does not: named here,
#: both readings agree.
_INVISIBLE = r"\s\u001c-\u001f\u0085\u200b-\u200f\u2060\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069"
NO_NUL = r"^[^\u0000]*$"
VISIBLE = rf"^[^\u0000]*[^\u0000{_INVISIBLE}][^\u0000]*$"


class Text(fields.String):
    """A string the databases can store: no NUL character, no lone surrogate, at most ``limit`` characters.

    ``visible``: a required fact, which must contain a visible character (not only
    spaces or zero-width marks); the document says so with a ``pattern``.
    """

    default_error_messages = {  # noqa: RUF012 - marshmallow merges it per class
        "nul": _l("Must not contain NUL characters."),
        "unicode": _l("Must be valid Unicode text."),
        "blank": _l("Must contain a visible character."),
    }

    def __init__(self, *args, limit: int | None = None, visible: bool = False, **kwargs) -> None:
        metadata = dict(kwargs.pop("metadata", None) or {})
        metadata.setdefault("pattern", VISIBLE if visible else NO_NUL)
        given = kwargs.pop("validate", None)
        validators = [] if given is None else list(given) if isinstance(given, list | tuple) else [given]
        if limit is not None:
            validators.append(length(limit))
        super().__init__(*args, validate=validators, metadata=metadata, **kwargs)
        self.visible = visible

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("nul")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("unicode") from None
        if self.visible and not re.search(rf"[^{_INVISIBLE}]", text):
            raise self.make_error("blank")
        return text


class StrictBoolean(fields.Boolean):
    """Only the JSON literals ``true`` and ``false`` (not ``"yes"``, ``"on"`` or ``1``)."""

    default_error_messages = {"invalid": _l("Must be true or false (a JSON boolean).")}  # noqa: RUF012

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


#: A calendar date written YYYY-MM-DD in ASCII digits, of the years 2000–2099 (29 February aside).
_DAY = r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
DATE_PATTERN = rf"^20[0-9]{{2}}-{_DAY}$"
#: A calendar day of any year from 1000 (a search bound, not a recorded fact).
_ANY_DAY = rf"^[1-9][0-9]{{3}}-{_DAY}$"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class IsoDate(fields.Field):
    """A date only as ``YYYY-MM-DD`` (not ``2025-W40-1``, ``20250101`` or other digits), from 2000-01-01."""

    default_error_messages = {  # noqa: RUF012
        "invalid": _l("Must be a date in the form YYYY-MM-DD."),
        "too_early": _l("Must not be before {day}."),
    }

    def __init__(self, *args, earliest: date | None = DATE_MIN, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.earliest = earliest

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise self.make_error("invalid")
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise self.make_error("invalid") from None
        if self.earliest is not None and day < self.earliest:
            raise self.make_error("too_early", day=DATE_MIN.isoformat())
        return day

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if isinstance(value, date) else value


class AsciiInteger(fields.Integer):
    """A whole number in ASCII digits (a query's ``year=２０２４`` is not a year)."""

    def _validated(self, value):
        if isinstance(value, str) and not re.fullmatch(r"[+-]?[0-9]+", value.strip()):
            raise self.make_error("invalid")
        return super()._validated(value)


AMOUNT_PATTERN = r"^[0-9]{1,14}(\.[0-9]{1,2})?$"
AMOUNT_LIMIT = Decimal("1e14")


class Amount(fields.Field):
    """An amount in yuan, at most two decimals: a decimal string of ASCII digits, or a JSON number.

    More decimals are refused rather than rounded (a fen is the smallest amount);
    ``-0`` is 0; negative amounts and amounts of 10¹⁴ yuan or more are refused.
    """

    default_error_messages = {  # noqa: RUF012
        "invalid": _l("Must be an amount in yuan, as a string or a number."),
        "decimals": _l("Must have at most two decimals."),
        "range": _l("Must be at least 0 and less than 100000000000000."),
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.make_error("invalid")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("invalid")
        if isinstance(value, str) and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
            raise self.make_error("invalid")
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise self.make_error("invalid") from None
        if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
            raise self.make_error("decimals")
        if amount == 0:
            amount = Decimal("0")  # -0 is 0
        if not 0 <= amount < AMOUNT_LIMIT:
            raise self.make_error("range")
        return format(amount.quantize(Decimal("0.01")), "f")

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return str(value) if isinstance(value, Decimal) else value


class File(Upload):
    """A file part of a multipart body."""

    default_error_messages = {"invalid": "Must be a file."}  # noqa: RUF012

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise self.make_error("invalid")
        return value


def enum(enum_type, **kwargs) -> fields.String:
    return fields.String(validate=one_of(values(enum_type)), **kwargs)


def _date(**kwargs) -> fields.Field:
    metadata = {"type": "string", "format": "date", "pattern": DATE_PATTERN,
                "description": "YYYY-MM-DD, from 2000-01-01 and not after today (Beijing time)."}
    return IsoDate(metadata=metadata, **kwargs)


def _out_date(**kwargs) -> fields.Field:
    return fields.String(metadata={"format": "date"}, **kwargs)


def _amount() -> fields.Field:
    return Amount(
        allow_none=True,
        metadata={"anyOf": [{"type": "string", "pattern": AMOUNT_PATTERN, "example": "1250000.00"},
                            {"type": "number", "minimum": 0, "maximum": 99999999999999.99, "multipleOf": 0.01}],
                  "description": "Amount in yuan (元), a decimal string or a number, at most two decimals "
                                 "(more are refused, not rounded); at least 0 and below 10¹⁴."},
    )


def _version() -> fields.Field:
    return fields.Integer(strict=True, metadata={"description": "Optimistic lock: the `version` last read; "
                                                                "a stale one answers 409."})


def _step_version() -> fields.Field:
    return fields.Integer(strict=True, metadata={"description": "Optimistic lock of this step: the step's "
                                                                "`version` last read (not the decision's); a stale "
                                                                "one answers 409. Other steps never conflict."})


# -- errors ----------------------------------------------------------------------------------------


class FindingSchema(Schema):
    rule = fields.String(required=True, metadata={"example": "LR-04"})
    severity = enum(Severity, required=True)
    step = enum(StepKind, required=True, allow_none=True)
    message = fields.String(required=True)
    citation = fields.String(required=True)


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "blocked_by_rules"})
    message = fields.String(required=True)
    findings = fields.List(fields.Nested(FindingSchema), required=True)
    fields_ = fields.Dict(
        keys=fields.String(), values=fields.String(), data_key="fields",
        metadata={"description": "Message per invalid field (only for field errors)."},
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


# -- tokens ----------------------------------------------------------------------------------------


class TokenRequestSchema(Schema):
    username = Text(required=True, limit=200)
    password = Text(required=True, limit=1024, load_only=True)


class TokenSchema(Schema):
    token = fields.String(required=True, metadata={"description": "Send it as `Authorization: Bearer <token>`."})
    expires_at = fields.DateTime(required=True)


# -- decisions -------------------------------------------------------------------------------------


class DecisionCreateSchema(Schema):
    title = Text(required=True, visible=True, limit=TITLE_MAX)
    category = enum(Category, required=True)
    department = Text(required=True, visible=True, limit=DEPARTMENT_MAX)
    year = fields.Integer(required=True, strict=True, validate=between(YEAR_MIN, YEAR_MAX))
    summary = Text(allow_none=True, limit=SUMMARY_MAX)
    draft_text = Text(required=True, visible=True, limit=DRAFT_MAX,
                      metadata={"description": "The decision draft; its sha256 is what the legality review signs."})
    amount_cny = _amount()
    backfilled = StrictBoolean(
        metadata={"description": "Entered after the fact (补录): REC-01 does not apply, REC-02 says so. "
                                 "Set only at creation; default false."},
    )
    backfill_reason = Text(allow_none=True, limit=BACKFILL_REASON_MAX,
                           metadata={"description": "Why it is entered after the fact; required when `backfilled`."})


class DecisionUpdateSchema(Schema):
    version = fields.Integer(required=True, strict=True,
                             metadata={"description": "The `version` last read; a stale one answers 409."})
    title = Text(visible=True, limit=TITLE_MAX)
    category = enum(Category)
    department = Text(visible=True, limit=DEPARTMENT_MAX)
    year = fields.Integer(strict=True, validate=between(YEAR_MIN, YEAR_MAX),
                          metadata={"description": "Cannot change once the reference number is given."})
    summary = Text(allow_none=True, limit=SUMMARY_MAX)
    draft_text = Text(visible=True, limit=DRAFT_MAX, metadata={"description": "A changed text becomes a new draft "
                                                                              "version."})
    amount_cny = _amount()


class VersionSchema(Schema):
    version = _version()


class PublishSchema(VersionSchema):
    published_on = _date(required=True)


class DecisionListQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    year = AsciiInteger(validate=between(YEAR_MIN, YEAR_MAX))
    category = enum(Category)
    status = enum(DecisionStatus)
    complete = fields.Boolean(truthy={"true"}, falsy={"false"}, metadata={"type": "string",
                                                                        "enum": ["true", "false"]})
    page = AsciiInteger(load_default=1, validate=between(1, MAX_PAGE))
    per_page = AsciiInteger(load_default=None, validate=between(1, MAX_PAGE),
                            metadata={"description": "Capped at the server's MAX_PER_PAGE (100)."})


class DraftSchema(Schema):
    number = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    text = fields.String(required=True)


class ComplianceSchema(Schema):
    complete = fields.Boolean(required=True)
    findings = fields.List(fields.Nested(FindingSchema), required=True)


# -- steps -----------------------------------------------------------------------------------------


#: The most rows of a list (experts, member opinions).
ROWS_MAX = 200


def _in_field(field: FieldSpec) -> fields.Field:
    if field.type == "date":
        return _date(allow_none=True)
    if field.type == "int":
        return fields.Integer(strict=True, allow_none=True,
                              validate=between(1 if field.name == "members_total" else 0, COUNT_MAX))
    if field.type == "bool":
        return StrictBoolean(allow_none=True)
    if field.type == "enum":
        return enum(field.enum, allow_none=True)
    if field.type == "enum_list":
        return fields.List(enum(field.enum), allow_none=True)
    return Text(allow_none=True, limit=SHORT_MAX if field.type == "short" else TEXT_MAX)


def _out_field(field: FieldSpec) -> fields.Field:
    options: dict[str, Any] = {"required": True, "allow_none": True}
    if field.type == "date":
        return _out_date(**options)
    if field.type == "int":
        return fields.Integer(**options)
    if field.type == "bool":
        return fields.Boolean(**options)
    if field.type == "enum":
        return enum(field.enum, **options)
    if field.type == "enum_list":
        return fields.List(enum(field.enum), **options)
    return fields.String(**options)


class ExpertInSchema(Schema):
    name = Text(required=True, visible=True, limit=SHORT_MAX)
    field = Text(allow_none=True, limit=SHORT_MAX)
    institution = Text(allow_none=True, limit=SHORT_MAX)
    no_conflict = StrictBoolean(allow_none=True, metadata={"description": "False: a direct interest (ER-02)."})


class OpinionInSchema(Schema):
    member = Text(required=True, visible=True, limit=SHORT_MAX)
    position = enum(Position, allow_none=True)
    remarks = Text(allow_none=True, limit=TEXT_MAX)
    is_principal = StrictBoolean(allow_none=True)
    recused = StrictBoolean(allow_none=True)


class ExpertSchema(Schema):
    name = fields.String(required=True)
    field = fields.String(required=True, allow_none=True)
    institution = fields.String(required=True, allow_none=True)
    no_conflict = fields.Boolean(required=True)


class OpinionSchema(Schema):
    member = fields.String(required=True)
    position = enum(Position, required=True, allow_none=True)
    remarks = fields.String(required=True, allow_none=True)
    is_principal = fields.Boolean(required=True)
    recused = fields.Boolean(required=True)


def _class_name(kind: StepKind) -> str:
    return "".join(part.title() for part in kind.value.split("_"))


def rows_max() -> validate.Length:
    return validate.Length(max=ROWS_MAX, error=_l("Has more than {max} entries."))


def _step_in_schema(kind: StepKind) -> type[Schema]:
    attrs: dict[str, Any] = {
        "status": fields.String(required=True, validate=one_of(SETTABLE_STATUSES)),
        "version": _step_version(),
    }
    for field in (*COMMON_FIELDS, *KIND_FIELDS[kind]):
        attrs[field.name] = _in_field(field)
    if kind == StepKind.EXPERT_REVIEW:
        attrs["experts"] = fields.List(fields.Nested(ExpertInSchema), allow_none=True, validate=rows_max(),
                                       metadata={"maxItems": ROWS_MAX})
    elif kind == StepKind.COLLECTIVE_DECISION:
        attrs["opinions"] = fields.List(fields.Nested(OpinionInSchema), allow_none=True, validate=rows_max(),
                                        metadata={"description": "In speaking order.", "maxItems": ROWS_MAX})
    return type(f"{_class_name(kind)}InputSchema", (Schema,), attrs)


def _step_out_schema(kind: StepKind) -> type[Schema]:
    attrs: dict[str, Any] = {
        "kind": fields.String(required=True, validate=validate.Equal(kind.value),
                              metadata={"enum": [kind.value]}),
        "status": enum(StepStatus, required=True),
        "version": fields.Integer(required=True, metadata={"description": "The step's optimistic lock."}),
    }
    for field in (*COMMON_FIELDS, *KIND_FIELDS[kind]):
        attrs[field.name] = _out_field(field)
    if kind == StepKind.EXPERT_REVIEW:
        attrs["experts"] = fields.List(fields.Nested(ExpertSchema), required=True)
    elif kind == StepKind.COLLECTIVE_DECISION:
        attrs["opinions"] = fields.List(fields.Nested(OpinionSchema), required=True)
    return type(f"{_class_name(kind)}StepSchema", (Schema,), attrs)


#: Request and answer schema of each kind of step.
STEP_INPUT_SCHEMAS: dict[StepKind, type[Schema]] = {kind: _step_in_schema(kind) for kind in StepKind}
STEP_SCHEMAS: dict[StepKind, type[Schema]] = {kind: _step_out_schema(kind) for kind in StepKind}


class SignSchema(Schema):
    opinion = enum(LegalOpinion, required=True)
    opinion_text = Text(required=True, visible=True, limit=TEXT_MAX)
    reviewed_on = _date(required=True)
    legal_risk_statement = Text(allow_none=True, limit=TEXT_MAX,
                                metadata={"description": "For an exploratory reform found unlawful: its legal risk "
                                                         "(LR-04)."})
    version = fields.Integer(strict=True, metadata={"description": "The decision's `version` last read: it moves "
                                                                   "with every draft change, so a signature is "
                                                                   "never given on a text the adviser did not read "
                                                                   "(409)."})


StepsSchema = type(
    "StepsSchema",
    (Schema,),
    {kind.value: fields.Nested(STEP_SCHEMAS[kind], required=True) for kind in StepKind},
)


class DecisionSchema(Schema):
    id = fields.Integer(required=True)
    ref_no = fields.String(required=True, metadata={"example": "BD-2025-003"})
    title = fields.String(required=True)
    category = enum(Category, required=True)
    department = fields.String(required=True)
    year = fields.Integer(required=True)
    amount_cny = fields.String(required=True, allow_none=True,
                               metadata={"example": "1250000.00", "description": "Decimal string in yuan."})
    summary = fields.String(required=True)
    status = enum(DecisionStatus, required=True)
    version = fields.Integer(required=True, metadata={"description": "Optimistic lock of the decision's own "
                                                                     "fields, draft and status."})
    backfilled = fields.Boolean(required=True)
    backfill_reason = fields.String(required=True, allow_none=True)
    catalogue_item_id = fields.Integer(required=True, allow_none=True,
                                       metadata={"description": "The 事项目录 item it carries out (link it there)."})
    draft = fields.Nested(DraftSchema, required=True)
    steps = fields.Nested(StepsSchema, required=True)
    compliance = fields.Nested(ComplianceSchema, required=True)


class DecisionPageSchema(Schema):
    items = fields.List(fields.Nested(DecisionSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class UploadSchema(ma.Schema):
    """Multipart form fields other than these are ignored (browsers add their own)."""

    class Meta:
        unknown = ma.EXCLUDE

    file = File(required=True)
    step = enum(StepKind, required=True)


class AttachmentSchema(Schema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)


class EventSchema(Schema):
    at = fields.String(required=True, metadata={"format": "date-time"})
    actor = fields.String(required=True)
    action = fields.String(required=True, metadata={"example": "step.legality_review.sign"})
    entity = fields.String(required=True)
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True, allow_none=True)
    hash = fields.String(required=True)


# -- reports and audit -----------------------------------------------------------------------------


class CompletenessQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    year = AsciiInteger(validate=between(YEAR_MIN, YEAR_MAX),
                        metadata={"description": "Defaults to the current year."})


class StepCountsSchema(Schema):
    completed = fields.Integer(required=True)
    exempted = fields.Integer(required=True)
    missing = fields.Integer(required=True)


class CompletenessSchema(Schema):
    year = fields.Integer(required=True)
    total = fields.Integer(required=True)
    complete = fields.Integer(required=True)
    by_step = fields.Dict(keys=fields.String(validate=validate.OneOf(values(StepKind))),
                          values=fields.Nested(StepCountsSchema), required=True)
    by_rule = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                          metadata={"description": "Rule id → number of decisions breaking it."})
    backfilled = fields.Integer(required=True, metadata={"description": "Decisions entered after the fact."})


class AuditVerifySchema(Schema):
    ok = fields.Boolean(required=True)
    events = fields.Integer(required=True)
    first_broken = fields.Integer(metadata={"description": "Id of the first broken event (only when not ok)."})


class AuditEventQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    actor = Text(validate=validate.Length(min=1, max=64), metadata={"description": "A username, exactly."})
    action = Text(validate=validate.Length(min=1, max=40),
                  metadata={"description": "An action, exactly, e.g. `decision.create`, `token.revoke`."})
    entity = Text(validate=validate.Length(min=1, max=40),
                  metadata={"description": "`decision`, `step`, `attachment`, `user`, `api_token`, …"})
    since = IsoDate(earliest=None, metadata={"type": "string", "format": "date", "pattern": _ANY_DAY,
                                             "description": "First day (Beijing time), `YYYY-MM-DD`, included."})
    until = IsoDate(earliest=None, metadata={"type": "string", "format": "date", "pattern": _ANY_DAY,
                                             "description": "Last day (Beijing time), `YYYY-MM-DD`, included; "
                                                            "not before `since`."})
    page = AsciiInteger(load_default=1, validate=between(1, MAX_PAGE))
    per_page = AsciiInteger(load_default=None, validate=between(1, MAX_PAGE),
                            metadata={"description": "Defaults to 25; capped at the server's MAX_PER_PAGE (100)."})

    @ma.validates_schema
    def _days_in_order(self, data, **_kwargs):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ma.ValidationError(str(_l("Must not be before `since`.")), "until")


class AuditEventSchema(Schema):
    at = fields.String(required=True, metadata={"format": "date-time"})
    actor = fields.String(required=True, metadata={"description": "Username at the time (or `system`)."})
    action = fields.String(required=True, metadata={"example": "token.revoke"})
    entity = fields.String(required=True)
    entity_id = fields.Integer(required=True, allow_none=True)
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True, allow_none=True)
    hash = fields.String(required=True)


class AuditEventPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
