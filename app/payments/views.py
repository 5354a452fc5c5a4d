"""Finance-ledger upload with preview, the payment findings by rule, linking a payment, the 台账 import.

Every upload is read twice by the same service: once as a dry run for the preview (nothing written), then,
on confirmation, for real from the staged copy of the very same file (``app.web.staged``).
"""

from __future__ import annotations

import csv
import io
import tempfile
from urllib.parse import urlparse

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.clock import today
from app.rulebook.rules.payments import PAYMENT_RULES
from app.services import permissions
from app.services.errors import ValidationFailed
from app.services.ledger_import import TEMPLATE_HEADINGS, import_ledger
from app.services.payment_import import import_organization, import_payments
from app.services.payments import load_payment, payment_counts, payment_report, report_organizations
from app.web import staged
from app.web.refusals import answer_refusals

from .forms import ConfirmImportForm, LedgerUploadForm, LinkForm, PaymentUploadForm

blueprint = Blueprint("payments", __name__)

PAYMENTS_PURPOSE, LEDGER_PURPOSE = "payments", "ledger"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@blueprint.app_template_global()
def payment_findings_counts(year: int, organization_ids, stamp=None) -> dict[str, int] | None:
    """The dashboard's line of payment findings (``templates/reports/_payments.html``), under its stamp."""
    return payment_counts(current_user, year, organization_ids, stamp)


@blueprint.app_template_global()
def payment_rule_title(rule: str) -> str:
    found = PAYMENT_RULES.get(rule)
    if found is None:
        return rule
    return found.title_en if _locale() == "en" else found.title_zh


def _year() -> int:
    raw = request.args.get("year", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100 else today().year


# -- findings ----------------------------------------------------------------------------------------------------

@blueprint.route("/payments/")
@login_required
def index():
    """The year's payment findings by rule: the payment, the decision when linked, the citation; link forms."""
    year = _year()
    org = request.args.get("org") or None
    report = payment_report(current_user, year, org)
    organizations = report_organizations(current_user, None)
    by_rule = {rule: [item for item in report.findings if item.finding.rule == rule] for rule in PAYMENT_RULES}
    may_link = {o.id for o in organizations if permissions.can_link_payment(current_user, o.id)}
    return render_template("payments/index.html", report=report, by_rule=by_rule, year=year, org=org,
                           organizations=organizations, rules=PAYMENT_RULES, may_link=may_link,
                           link_form=LinkForm(formdata=None),
                           may_import=any(permissions.can_import_payments(current_user, o.id)
                                          for o in organizations))


def _finding_rows(year: int, org: str | None) -> tuple[list[str], list[list]]:
    report = payment_report(current_user, year, org)
    head = [_("Rule"), _("Severity"), _("Date"), _("Voucher number"), _("Payee"), _("Amount (yuan)"),
            _("Decision"), _("Problem"), _("Legal basis")]
    rows = []
    for item in report.findings:
        p = item.payment
        rows.append([item.finding.rule, item.finding.severity.value, p.paid_on, p.voucher_no, p.payee,
                     p.amount_cny, item.decision.ref_no if item.decision else "",
                     item.finding.message(_locale()), item.finding.citation])
    return head, rows


def _locale() -> str:
    return "en" if str(get_locale() or "zh_CN").startswith("en") else "zh_CN"


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


@blueprint.route("/payments/findings.csv")
@login_required
def findings_csv():
    """The findings for the 审计底稿, as CSV (UTF-8 with BOM, formula-safe)."""
    year = _year()
    head, rows = _finding_rows(year, request.args.get("org") or None)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(head)
    for row in rows:
        writer.writerow([_safe(v) if isinstance(v, str) else ("" if v is None else str(v)) for v in row])
    data = io.BytesIO(("\ufeff" + buffer.getvalue()).encode("utf-8"))
    return send_file(data, mimetype="text/csv", as_attachment=True, download_name=f"payment_findings_{year}.csv",
                     max_age=0)


@blueprint.route("/payments/findings.xlsx")
@login_required
def findings_xlsx():
    """The findings for the 审计底稿, as XLSX."""
    year = _year()
    head, rows = _finding_rows(year, request.args.get("org") or None)
    from openpyxl import Workbook  # openpyxl loads with the first spreadsheet, not in every worker
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    sheet.append(head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(v) for v in row])
        sheet.cell(row=sheet.max_row, column=3).number_format = "yyyy-mm-dd"
        sheet.cell(row=sheet.max_row, column=6).number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    book.save(out)
    out.seek(0)
    return send_file(out, mimetype=XLSX_TYPE, as_attachment=True, download_name=f"payment_findings_{year}.xlsx",
                     max_age=0)


def _back(default: str) -> str:
    target = request.form.get("back") or ""
    parsed = urlparse(target)
    if not target.startswith("/") or target.startswith("//") or parsed.netloc:
        return default
    return target


@blueprint.route("/payments/<id:payment_id>/link", methods=["POST"])
@login_required
def link(payment_id: int):
    """Link a payment to its decision (or unlink it): an audited act of a clerk or an auditor."""
    from app.services.payments import link_payment

    payment = load_payment(current_user, payment_id)
    form = LinkForm()
    back = _back(url_for("payments.index", year=payment.paid_on.year))
    if not form.validate_on_submit():
        flash(_("The decision number is too long."), "danger")
        return redirect(back)
    with answer_refusals(lambda _status, **_kw: redirect(back), form=_Flashed()):
        link_payment(current_user, payment, form.decision_ref.data)
    flash(_("Payment %(voucher)s is linked to %(ref)s.", voucher=payment.voucher_no, ref=form.decision_ref.data)
          if form.decision_ref.data else _("Payment %(voucher)s is no longer linked.", voucher=payment.voucher_no),
          "success")
    return redirect(back)


class _Flashed:
    def apply_errors(self, errors) -> None:
        for message in errors.values():
            flash(message, "danger")


# -- finance-ledger upload ---------------------------------------------------------------------------------------

def _importable() -> list:
    return [o for o in report_organizations_or_own() if permissions.can_import_payments(current_user, o.id)]


def report_organizations_or_own() -> list:
    from app.services.organizations import load_tree

    tree = load_tree()
    return tree.walk(tree.visible_roots(permissions.visible_organization_ids(current_user)))


def _upload_form() -> PaymentUploadForm:
    form = PaymentUploadForm()
    form.org.choices = [(node.code, "\u3000" * node.depth + f"{node.name} ({node.code})") for node in _importable()]
    return form


@blueprint.route("/payments/import", methods=["GET", "POST"])
@login_required
def upload():
    """Upload a finance ledger: every row and its findings are shown before anything is written."""
    form = _upload_form()
    if not form.org.choices:
        abort(403)
    if request.method == "POST" and form.validate_on_submit():
        upload_file = form.file.data
        if upload_file is None or not getattr(upload_file, "filename", ""):
            form.file.errors = [_("Choose a file to upload.")]
            return render_template("payments/import.html", form=form), 422
        organization = import_organization(current_user, form.org.data)
        data = upload_file.read()
        result = import_payments(current_user, organization, io.BytesIO(data), upload_file.filename, dry_run=True)
        token = None if result.refused else staged.stage(data, upload_file.filename, current_user.id,
                                                         PAYMENTS_PURPOSE, org=organization.code)
        return render_template("payments/import.html", form=form, result=result, filename=upload_file.filename,
                               confirm=ConfirmImportForm(formdata=None, token=token), token=token,
                               rules=PAYMENT_RULES), 422 if result.refused else 200
    return render_template("payments/import.html", form=form), 422 if request.method == "POST" else 200


@blueprint.route("/payments/import/confirm", methods=["POST"])
@login_required
def confirm_upload():
    """Import the previewed finance ledger."""
    if not _importable():
        abort(403)
    form = ConfirmImportForm()
    found = staged.load(form.token.data or "", current_user.id, PAYMENTS_PURPOSE) if form.validate_on_submit() else None
    if found is None:
        flash(_("The previewed file is no longer available: upload it again."), "danger")
        return redirect(url_for("payments.upload"))
    data, meta = found
    organization = import_organization(current_user, meta.get("org"))
    result = import_payments(current_user, organization, io.BytesIO(data), meta["filename"])
    if result.refused:  # the ledger changed between preview and confirmation (a decision removed …)
        flash(_("The file can no longer be imported: %(count)d rows are refused.", count=len(result.refused)),
              "danger")
        return redirect(url_for("payments.upload"))
    staged.discard(form.token.data)
    years = sorted({row.paid_on.year for row in result.rows}) or [today().year]
    flash(_("%(count)d payments were imported (%(skipped)d were already in the ledger).", count=result.imported,
            skipped=result.skipped), "success")
    target = "payments.index" if permissions.can_view_payment_report(current_user) else "payments.upload"
    return redirect(url_for(target, year=years[-1], org=organization.code))


# -- 台账 import -------------------------------------------------------------------------------------------------

def _ledger_page(form: LedgerUploadForm, status: int = 200, **context):
    return render_template("payments/ledger.html", form=form, **context), status


@blueprint.route("/imports/ledger", methods=["GET", "POST"])
@login_required
def ledger_upload():
    """Upload an existing 台账: each decision it would create and its findings, before anything is written."""
    if not permissions.can_import_ledger(current_user):
        abort(403)
    form = LedgerUploadForm()
    if request.method == "GET":
        form.year.data = str(today().year - 1)
        return _ledger_page(form)
    if not form.validate_on_submit():
        return _ledger_page(form, 422)
    upload_file = form.file.data
    if upload_file is None or not getattr(upload_file, "filename", ""):
        form.file.errors = [_("Choose a file to upload.")]
        return _ledger_page(form, 422)
    data = upload_file.read()
    year = int(form.year.data) if (form.year.data or "").isascii() and (form.year.data or "").isdigit() else None
    try:
        result = import_ledger(current_user, io.BytesIO(data), upload_file.filename, year,
                               form.backfill_reason.data, dry_run=True)
    except ValidationFailed as error:
        for name, message in error.errors.items():
            getattr(form, name, form.file).errors = [message]
        return _ledger_page(form, 422)
    token = None if result.refused else staged.stage(data, upload_file.filename, current_user.id, LEDGER_PURPOSE,
                                                     year=result.year, reason=form.backfill_reason.data)
    return _ledger_page(form, 422 if result.refused else 200, result=result, filename=upload_file.filename,
                        confirm=ConfirmImportForm(formdata=None, token=token), token=token)


@blueprint.route("/imports/ledger/confirm", methods=["POST"])
@login_required
def ledger_confirm():
    """Create the previewed backfilled decisions."""
    if not permissions.can_import_ledger(current_user):
        abort(403)
    form = ConfirmImportForm()
    found = staged.load(form.token.data or "", current_user.id, LEDGER_PURPOSE) if form.validate_on_submit() else None
    if found is None:
        flash(_("The previewed file is no longer available: upload it again."), "danger")
        return redirect(url_for("payments.ledger_upload"))
    data, meta = found
    result = import_ledger(current_user, io.BytesIO(data), meta["filename"], meta["year"], meta["reason"])
    if result.refused:
        flash(_("The file can no longer be imported: %(count)d rows are refused.", count=len(result.refused)),
              "danger")
        return redirect(url_for("payments.ledger_upload"))
    staged.discard(form.token.data)
    flash(_("%(count)d decisions were entered after the fact from the ledger.", count=result.created), "success")
    return redirect(url_for("decisions.index", year=result.year))


@blueprint.route("/imports/ledger/template.xlsx")
@login_required
def ledger_template():
    """The blank 台账 with the export's headings and a sheet of notes (the derived columns may stay empty)."""
    if not permissions.can_import_ledger(current_user):
        abort(403)
    from openpyxl import Workbook  # openpyxl loads with the first spreadsheet, not in every worker
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(list(TEMPLATE_HEADINGS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    notes = book.create_sheet("填写说明")
    for line in _TEMPLATE_NOTES:
        notes.append([line])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return send_file(out, mimetype=XLSX_TYPE, as_attachment=True, download_name="ledger_template.xlsx", max_age=0)


_TEMPLATE_NOTES = (
    "本模板与“台账导出（XLSX）”的列相同，导出的台账可直接导入。",
    "必填：编号（原台账编号，本单位内不得重复）、事项名称、类别、承办部门。",
    "类别：重大事项决策、重要干部任免、重大项目安排、大额度资金使用。",
    "各程序状态：未开始、进行中、已完成、依法免除；依法免除须填写免除理由和免除法律依据（仅公众参与、专家论证、风险评估可免除）。",
    "日期可写作 2024-06-03、2024/6/3 或 20240603；金额可带千位分隔符。",
    "状态留空时按集体讨论决定推定；是否完整、发现问题、是否补录、单位 四列导入时忽略（由系统重新计算）。",
    "每一行导入为“事后补录”的决策（REC-02），台账未载的事实保持缺失并显示为问题，系统不作推测。",
)
