"""HTML error pages (the API blueprint registers its own JSON handlers)."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.services.errors import DomainError, RuleBlocked

#: Title and explanation of each status, in the user's language.
MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back, check what you entered and try again.")),
    403: (_l("Not allowed"), _l("Your role does not allow this action.")),
    404: (_l("Not found"), _l("There is no such page or decision, or it belongs to an organisation you cannot see.")),
    405: (_l("Not allowed here"), _l("This address does not accept that kind of request.")),
    409: (
        _l("Changed by someone else"),
        _l("Someone else changed this decision after you opened it. Reload the page and apply your change again."),
    ),
    413: (_l("File too large"), _l("The upload is larger than the server accepts.")),
    422: (_l("Cannot be done now"), _l("The request is not possible in the decision's current state.")),
    429: (_l("Too many attempts"), _l("Too many failed attempts. Wait a few minutes and try again.")),
    500: (
        _l("Something went wrong"),
        _l("The server could not complete the request. Nothing was saved. Please try again later."),
    ),
}
CSRF_MESSAGE = _l("The form has expired or was sent from another page. Reload the page and try again.")

PLAIN_500 = (
    "<!doctype html><meta charset=utf-8><title>500</title>"
    "<h1>500</h1><p>服务器暂时无法完成请求。The server could not complete the request.</p>"
)


def render_error(status: int, detail: object = None, findings=None):
    """The error page; if even that fails (say, the database is down), a plain one."""
    db.session.rollback()
    title, message = MESSAGES.get(status, MESSAGES[500])
    try:
        return render_template(
            "errors/error.html", status=status, title=title, message=message, detail=detail, findings=findings or []
        ), status
    except Exception:  # the error page must never raise in turn
        db.session.rollback()
        return PLAIN_500, status


def upload_too_large(_error: Exception):
    """A body beyond even the upload allowance: the friendly page, with the limit and what to do."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    detail = _("Evidence files may be at most %(mb)d MB. Compress or split the file and upload it again.",
               mb=max(1, limit // (1024 * 1024)))
    return render_error(413, detail)


def register(app: Flask) -> None:
    def page(status: int):
        def handler(error):
            detail = CSRF_MESSAGE if isinstance(error, CSRFError) else None
            return render_error(status, detail)

        return handler

    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, page(status))
    app.register_error_handler(StaleDataError, page(409))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        # Pages that write map these to form errors; this is the fallback (e.g. NotFound → 404).
        status = error.http_status if error.http_status in MESSAGES else 400
        detail = error.message if status in (403, 409, 422) else None
        findings = error.findings if isinstance(error, RuleBlocked) else None
        return render_error(status, detail, findings)
