"""The auditor dashboard and the ledger (台账) exports as CSV and XLSX."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file, stream_with_context
from flask_login import current_user, login_required

from app.clock import today
from app.services.catalogues import catalogue_summary
from app.web.labels import field_label

from . import annual, exports
from .dashboard import build_dashboard, cache_key, incomplete_section, key_stamp
from .params import YEAR_MAX, YEAR_MIN, BadArgument, ReportQuery, parse_report_args

blueprint = Blueprint("reports", __name__, url_prefix="/reports")


def _years(selected: int) -> list[int]:
    """Years offered: next year back to 2000, the selected one always among them."""
    last = min(YEAR_MAX, today().year + 1)
    years = list(range(last, YEAR_MIN - 1, -1))
    if selected not in years:
        years.insert(0, selected)
    return years


@blueprint.route("/dashboard")
@login_required
def dashboard():
    """Completeness of a year's decisions by step, rule and organisation, with charts and the incomplete ones."""
    query = parse_report_args(current_user, request.args)
    key = cache_key(query)
    data = build_dashboard(current_user, query, key)
    incomplete = incomplete_section(query, key, data.report.incomplete, current_app.config["PER_PAGE"])
    return render_template(
        "reports/dashboard.html",
        query=query,
        data=data,
        incomplete=incomplete,
        years=_years(query.year),
        ignored=[field_label(name) for name in query.ignored],
        catalogue=catalogue_summary(query.scope, query.year, key),
        stamp=key_stamp(key),
    )


def _export_query() -> ReportQuery:
    try:
        return parse_report_args(current_user, request.args, strict=True)
    except BadArgument:
        abort(400)


@blueprint.route("/ledger.csv")
@login_required
def export_csv():
    """The year's ledger as CSV (UTF-8 with BOM, CRLF), streamed row batch by row batch."""
    query = _export_query()
    ledger = exports.ledger(current_user, query.year, query.scope, query.organization.code)
    response = Response(
        stream_with_context(exports.csv_chunks(ledger.columns, ledger.rows)), mimetype="text/csv"
    )
    response.headers["Content-Type"] = exports.CSV_MEDIA_TYPE
    response.headers["Content-Disposition"] = exports.content_disposition(
        f"{ledger.filename}.csv", f"{ledger.ascii_filename}.csv"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/ledger.xlsx")
@login_required
def export_xlsx():
    """The year's ledger as an XLSX workbook, written to a temporary file in openpyxl's write-only mode."""
    query = _export_query()
    ledger = exports.ledger(current_user, query.year, query.scope, query.organization.code)
    workbook = exports.write_xlsx(ledger.columns, ledger.rows, ledger.sheet_title)
    response = send_file(workbook, mimetype=exports.XLSX_MEDIA_TYPE, max_age=0)
    response.headers["Content-Disposition"] = exports.content_disposition(
        f"{ledger.filename}.xlsx", f"{ledger.ascii_filename}.xlsx"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


annual.register(blueprint)
