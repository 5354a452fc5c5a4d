"""The JSON API v1 under ``/api/v1`` (DESIGN §5), documented at ``/api/v1/openapi.json``.

Built with flask-smorest: the marshmallow schemas that validate each request
are the OpenAPI document; a Swagger UI served from this server (no CDN) is at
``/api/v1/docs``. Every view calls the same workflow services as the web pages
and answers; the request commits once (``app.web.transaction``); errors answer
``{"error": {"code", "message", "findings"}}``.
"""

from __future__ import annotations

import warnings

import flask_smorest
from flask import Blueprint, Flask
from werkzeug.routing import IntegerConverter

from app.extensions import csrf

from .errors import register_routing_errors
from .schemas import ErrorSchema

PREFIX = "/api/v1"

DESCRIPTION = """\
The ledger of 三重一大 / 重大行政决策 decisions: create a decision, record its five statutory
procedures, have the legality review signed, submit it for collective discussion, record the
meeting, publish. The rulebook's findings (`rule`, `severity`, `step`, `message`, `citation`) come
with every decision; blocker findings refuse the action they guard with 422.

Authenticate with `POST /api/v1/tokens`, then send `Authorization: Bearer <token>`.
Messages are in Chinese; send `Accept-Language: en` for English.
Errors: `{"error": {"code": str, "message": str, "findings": [finding], "fields"?: {name: message}}}`.
"""


class Api(flask_smorest.Api):
    """flask-smorest's Api, with our error shape and without its app-wide error handler.

    flask-smorest registers a JSON handler for every ``HTTPException`` of the
    whole app; the web pages must keep their HTML error pages, so the API
    blueprints answer their own errors instead (``errors.register_blueprint_handlers``).
    Only the codes each operation documents are in the document: no catch-all
    ``default`` answer, so a schema check can tell an undocumented status.
    """

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        return None


ID_MAX = 2_147_483_647


class ApiIdConverter(IntegerConverter):
    """An id in a path: ASCII digits only (``１`` is not an id), from 1 to 2³¹−1; anything else is 404."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map_, *args, **kwargs) -> None:
        super().__init__(map_, min=1, max=ID_MAX)


def _id_schema(_converter: ApiIdConverter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": ID_MAX}


def _swagger_ui_path():
    """The Swagger UI files shipped by swagger-ui-bundle."""
    with warnings.catch_warnings():
        # swagger-ui-bundle tries an optional import first; a legacy import hook (pygal's) warns on the miss.
        warnings.simplefilter("ignore", ImportWarning)
        from swagger_ui_bundle import swagger_ui_path
    return swagger_ui_path


def init_app(app: Flask) -> Api:
    """Register the API blueprints, the document and the local documentation page."""
    from . import annual, audit_events, catalogues, decisions, dossier, due, payments, reports, steps, tokens

    config = {
        "API_TITLE": "重大决策程序合规台账 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": f"{PREFIX}/docs/static/",
        "API_SPEC_OPTIONS": {
            "info": {"description": DESCRIPTION},
            "security": [{"bearerAuth": []}],
        },
    }
    for key, value in config.items():
        app.config.setdefault(key, value)
    app.url_map.converters["api_id"] = ApiIdConverter
    api = Api(app)
    api.register_converter(ApiIdConverter, _id_schema)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/tokens."}
    )
    for blueprint in (tokens.blueprint, decisions.blueprint, steps.blueprint, reports.blueprint,
                      audit_events.blueprint, dossier.blueprint, payments.blueprint, catalogues.blueprint,
                      catalogues.public_blueprint, annual.blueprint, due.blueprint):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    app.register_blueprint(
        Blueprint("api-docs-static", __name__, static_folder=str(_swagger_ui_path()),
                  static_url_path=f"{PREFIX}/docs/static")
    )
    register_routing_errors(app)
    app.extensions["api"] = api
    return api
