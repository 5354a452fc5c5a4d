"""JSON error answers of the API: ``{"error": {"code", "message", "findings", "fields"?}}``.

Every error raised inside an API view (a domain error of the services, a
validation error of the request schemas, a stale optimistic lock, an HTTP
error, an unexpected exception) becomes this shape; so do unmatched paths and
wrong methods under ``/api/``. The HTML pages keep their own error pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, default_exceptions

from app.extensions import db
from app.rulebook import Finding
from app.services.errors import DomainError, RuleBlocked, ValidationFailed

from .locale import api_locale

API_PREFIX = "/api/"

#: Stable machine-readable codes of the HTTP-level errors.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_attempts",
    500: "internal_error",
}

#: Messages of the HTTP-level errors, in the request's language.
HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    404: _l("There is no such resource, or it belongs to an organisation you cannot see."),
    405: _l("This address does not accept that method."),
    413: _l("The request is larger than the server accepts."),
}


class ApiError(Exception):
    """An error the API layer itself answers (authentication, a malformed body)."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    findings: Sequence[Finding] = (),
    fields: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
):
    """The one error shape; the request's writes are rolled back first."""
    try:
        db.session.rollback()
    except Exception:  # the answer must go out even when the database is gone
        current_app.logger.exception("rollback failed while answering an error")
    locale = api_locale()
    body: dict[str, Any] = {
        "code": code,
        "message": str(message),
        "findings": [finding.to_dict(locale) for finding in findings],
    }
    if fields:
        body["fields"] = {str(name): str(text) for name, text in fields.items()}
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    """Marshmallow's nested messages as ``{"experts[0].name": "…"}``, the services' field naming."""
    if isinstance(messages, Mapping):
        flat: dict[str, str] = {}
        for key, value in messages.items():
            if key == "_schema":
                name = prefix or "body"
            elif isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
        return flat
    if isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "body": " ".join(messages)}
        flat = {}
        for value in messages:
            flat.update(_flatten(value, prefix))
        return flat
    return {prefix or "body": str(messages)}


def _validation_fields(error: HTTPException) -> dict[str, str]:
    """The field errors webargs attached to its 422, without the location level (json, query, …)."""
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    flat: dict[str, str] = {}
    if isinstance(messages, Mapping):
        for _location, by_field in messages.items():
            flat.update(_flatten(by_field))
    return flat


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if status == 422:
        fields = _validation_fields(error)
        return error_response(422, "validation_failed", _("Some fields are not valid."), fields=fields)
    if status >= 500:
        return error_response(status, HTTP_CODES.get(status, "server_error"),
                              _("The server could not complete the request. Nothing was saved."))
    headers = {}
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    code = HTTP_CODES.get(status, error.name.lower().replace(" ", "_"))
    message = HTTP_MESSAGES.get(status) or error.description or error.name
    return error_response(status, code, message, headers=headers)


def handle_domain_error(error: DomainError):
    findings = error.findings if isinstance(error, RuleBlocked) else ()
    fields = error.errors if isinstance(error, ValidationFailed) else None
    return error_response(error.http_status, error.code, error.message, findings=findings, fields=fields)


def handle_api_error(error: ApiError):
    return error_response(error.status, error.code, error.message, headers=error.headers)


def handle_stale(_error: StaleDataError):
    return error_response(409, "conflict", _("The decision was changed by someone else. Reload it and try again."))


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    current_app.logger.exception("unhandled error in %s %s", request.method, request.path)
    return error_response(500, "internal_error", _("The server could not complete the request. Nothing was saved."))


def register_blueprint_handlers(blueprint: Blueprint) -> None:
    """Make every error raised in ``blueprint`` a JSON answer.

    A handler for a status code wins over a handler for a class in Flask, even
    when the class handler is the blueprint's and the code handler the app's,
    so each code gets its own handler here.
    """
    for status in default_exceptions:
        blueprint.register_error_handler(status, handle_http_exception)
    blueprint.register_error_handler(HTTPException, handle_http_exception)
    blueprint.register_error_handler(DomainError, handle_domain_error)
    blueprint.register_error_handler(ApiError, handle_api_error)
    blueprint.register_error_handler(StaleDataError, handle_stale)
    blueprint.register_error_handler(Exception, handle_unexpected)


def register_routing_errors(app: Flask) -> None:
    """Unmatched paths and wrong methods under ``/api/`` answer in JSON, not with the HTML error page.

    Routing errors reach no blueprint's handlers; the request hooks still run
    before Flask raises them, so the answer is given there.
    """

    @app.before_request
    def _api_routing_error():
        error = request.routing_exception
        if error is None or not request.path.startswith(API_PREFIX):
            return None
        if isinstance(error, HTTPException) and error.code in (404, 405):
            return handle_http_exception(error)
        return None
