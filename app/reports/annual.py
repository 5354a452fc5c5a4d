"""The annual report page: the paragraph with every number linked to its decisions, the figures, DOCX and XLSX."""

from __future__ import annotations

import io

from flask import abort, render_template, request, send_file
from flask_login import current_user, login_required

from app.services.annual_report import annual_report, statistics_rows, to_docx

from . import exports
from .params import BadArgument, parse_report_args


def register(blueprint) -> None:
    """The annual routes live in the reports blueprint (its query string and scope)."""
    blueprint.add_url_rule("/annual", view_func=login_required(annual_page), endpoint="annual")
    blueprint.add_url_rule("/annual.docx", view_func=login_required(annual_docx), endpoint="annual_docx")
    blueprint.add_url_rule("/annual.xlsx", view_func=login_required(annual_xlsx), endpoint="annual_xlsx")


def _report(strict: bool = False):
    try:
        query = parse_report_args(current_user, request.args, strict=strict)
    except BadArgument:
        abort(400)
    return query, annual_report(current_user, query.year, query.organization.code)


def annual_page():
    """法治政府建设年度报告: the paragraph on major decisions, generated from the record."""
    from .views import _years

    query, report = _report()
    return render_template("reports/annual.html", query=query, report=report, years=_years(query.year),
                           rows=list(statistics_rows(report)))


def _download(data: bytes, name: str, ascii_name: str, mimetype: str):
    response = send_file(io.BytesIO(data), mimetype=mimetype, max_age=0)
    response.headers["Content-Disposition"] = exports.content_disposition(name, ascii_name)
    response.headers["Cache-Control"] = "no-store"
    return response


def annual_docx():
    """The paragraph as a Word document (仿宋, East Asian fonts set: WPS and Word show the Chinese)."""
    _query, report = _report(strict=True)
    name = f"{report.organization.name}{report.year}年度重大行政决策情况.docx"
    return _download(to_docx(report), name, f"{report.organization.code}-{report.year}-annual.docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def annual_xlsx():
    """The figures, one per row (name, value), and the paragraph."""
    from openpyxl import Workbook  # openpyxl loads with the first spreadsheet, not in every worker

    _query, report = _report(strict=True)
    book = Workbook()
    sheet = book.active
    sheet.title = str(report.year)
    sheet.append(["figure", "value"])
    for name, value in statistics_rows(report):
        sheet.append([f"'{name}" if name[:1] in "=+-@" else name, value])
    sheet.append(["text", report.text])
    buffer = io.BytesIO()
    book.save(buffer)
    return _download(buffer.getvalue(), f"{report.organization.name}{report.year}年度决策统计.xlsx",
                     f"{report.organization.code}-{report.year}-annual.xlsx", exports.XLSX_MEDIA_TYPE)
