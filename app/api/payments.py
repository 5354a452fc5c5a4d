"""The money trail: finance-ledger import, the payment cross-check report, the 台账 import (DESIGN §5)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from app.clock import today
from app.services.ledger_import import import_ledger
from app.services.payment_import import import_organization, import_payments
from app.services.payments import payment_report, report_to_dict

from .auth import current_user
from .common import api_blueprint, errors
from .locale import api_locale
from .schemas import AsciiInteger, File, FindingSchema, Schema, between

blueprint = api_blueprint("api-payments", "Finance-ledger import, payment cross-check (PAY-01..04), 台账 import.")

_FLAG = {"truthy": {"true", "1"}, "falsy": {"false", "0", ""}}


class PaymentImportSchema(ma.Schema):
    """Multipart form fields other than these are ignored (browsers add their own)."""

    class Meta:
        unknown = ma.EXCLUDE

    file = File(required=True, metadata={"description": "CSV (UTF-8, UTF-8 with BOM or GB18030) or XLSX."})
    dry_run = fields.Boolean(load_default=False, **_FLAG, metadata={"type": "string", "enum": ["true", "false"]})
    org = fields.String(load_default=None, validate=ma.validate.Length(max=16),
                        metadata={"description": "Organisation code; defaults to the user's own."})


class LedgerImportSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    file = File(required=True, metadata={"description": "The 台账 as XLSX (or CSV) in the layout of the export."})
    year = AsciiInteger(required=True, validate=between(2000, 2100))
    backfill_reason = fields.String(required=True, validate=ma.validate.Length(max=2000),
                                    metadata={"description": "Why the decisions are entered after the fact."})
    dry_run = fields.Boolean(load_default=False, **_FLAG, metadata={"type": "string", "enum": ["true", "false"]})


class RefusalSchema(Schema):
    row = fields.Integer(required=True)
    field = fields.String(required=True)
    message = fields.String(required=True)


class PaymentRowSchema(Schema):
    row = fields.Integer(required=True)
    paid_on = fields.String(required=True, metadata={"format": "date"})
    voucher_no = fields.String(required=True)
    payee = fields.String(required=True)
    amount_cny = fields.String(required=True)
    summary = fields.String(required=True)
    decision_ref = fields.String(allow_none=True)
    already_imported = fields.Boolean(required=True)
    findings = fields.List(fields.Nested(FindingSchema), required=True)


class PaymentImportAnswerSchema(Schema):
    imported = fields.Integer(required=True)
    already_imported = fields.Integer(required=True)
    dry_run = fields.Boolean(required=True)
    refused = fields.List(fields.Nested(RefusalSchema), required=True)
    rows = fields.List(fields.Nested(PaymentRowSchema))


class LedgerImportAnswerSchema(Schema):
    created = fields.Integer(required=True)
    dry_run = fields.Boolean(required=True)
    year = fields.Integer(required=True)
    refused = fields.List(fields.Nested(RefusalSchema), required=True)
    decisions = fields.List(fields.Dict(), metadata={"description": "Dry run: each decision and its findings."})


class PaymentReportQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    year = AsciiInteger(validate=between(2000, 2100), metadata={"description": "Defaults to the current year."})
    org = fields.String(validate=ma.validate.Length(max=16))


class PaymentSchema(Schema):
    id = fields.Integer(required=True)
    paid_on = fields.String(required=True, metadata={"format": "date"})
    voucher_no = fields.String(required=True)
    payee = fields.String(required=True)
    amount_cny = fields.String(required=True)
    summary = fields.String(required=True)
    decision_id = fields.Integer(allow_none=True)


class LinkedDecisionSchema(Schema):
    id = fields.Integer(required=True)
    ref_no = fields.String(required=True)
    title = fields.String(required=True)


class PaymentFindingSchema(Schema):
    rule = fields.String(required=True)
    severity = fields.String(required=True)
    payment = fields.Nested(PaymentSchema, required=True)
    decision = fields.Nested(LinkedDecisionSchema)
    message = fields.String(required=True)
    citation = fields.String(required=True)


class ThresholdSchema(Schema):
    effective_from = fields.String(required=True, metadata={"format": "date"})
    amount_cny = fields.String(required=True)


class PaymentReportSchema(Schema):
    year = fields.Integer(required=True)
    threshold_cny = fields.String(required=True)
    thresholds = fields.List(fields.Nested(ThresholdSchema), required=True)
    payments = fields.Integer(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    findings = fields.List(fields.Nested(PaymentFindingSchema), required=True)


@blueprint.route("/payments/import", methods=["POST"])
@blueprint.arguments(PaymentImportSchema, location="multipart")
@blueprint.response(200, PaymentImportAnswerSchema)
@errors(blueprint, 400, 401, 403, 404, 413)
def import_finance_ledger(args):
    """Import a finance ledger (clerk: own organisation; auditor: any it sees).

    Columns 日期, 凭证号, 收款单位 (or 对方单位), 金额, 摘要, optional 决策编号 (a decision's `ref_no`), or
    `paid_on, voucher_no, payee, amount_cny, summary, decision_ref_no`. If any row is refused, nothing is
    written and `refused` lists every one; a row already imported (same date, voucher, payee and amount) is
    counted in `already_imported`, not written twice. `dry_run=true` writes nothing and answers each row's
    findings in `rows`.
    """
    user = current_user()
    organization = import_organization(user, args.get("org"))
    upload = args["file"]
    result = import_payments(user, organization, upload.stream, upload.filename or "", dry_run=args["dry_run"])
    return result.to_dict(api_locale(), with_rows=args["dry_run"])


@blueprint.route("/reports/payments", methods=["GET"])
@blueprint.arguments(PaymentReportQuerySchema, location="query")
@blueprint.response(200, PaymentReportSchema)
@errors(blueprint, 401, 403, 404, 422)
def payments_report(args):
    """The year's payment findings (PAY-01..04) by rule, with the payment, the linked decision and the citation.

    `threshold_cny` is the organisation's large-fund standard in force at the year's end (or today);
    `thresholds` its history. Without `org`, every organisation the user sees.
    """
    report = payment_report(current_user(), args.get("year") or today().year, args.get("org"))
    return report_to_dict(report, api_locale())


@blueprint.route("/imports/ledger", methods=["POST"])
@blueprint.arguments(LedgerImportSchema, location="multipart")
@blueprint.response(200, LedgerImportAnswerSchema)
@errors(blueprint, 400, 401, 403, 413, 422)
def import_existing_ledger(args):
    """Import an existing 台账 as backfilled decisions of the clerk's organisation (REC-02).

    The layout of `/reports/ledger.xlsx` (an export imports back). If any row is refused (a 编号 already in the
    organisation, an unknown category, a bad date or amount …) nothing is written and `refused` lists every
    one. `dry_run=true` writes nothing and answers each decision it would create with its findings.
    """
    upload = args["file"]
    result = import_ledger(current_user(), upload.stream, upload.filename or "", args["year"],
                           args["backfill_reason"], dry_run=args["dry_run"])
    return result.to_dict(api_locale(), with_rows=args["dry_run"])
