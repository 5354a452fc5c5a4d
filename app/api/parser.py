"""Request parsing: webargs with the API's rules for bodies.

- A JSON body must be sent as ``application/json`` and be an object: anything
  else is a 400 (a wrong content type, malformed JSON, a list, a string).
- An empty body is no body: endpoints whose body is optional accept it.
- ``multipart`` reads form fields and files together (the evidence upload).
"""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from flask import Request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import CombinedMultiDict

from .errors import ApiError


def _bad_request(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


class _Ambiguous(ValueError):
    """JSON that standard parsers read differently: a repeated key, or a NaN/Infinity literal (not JSON)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Ambiguous(key)
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise _Ambiguous(name)


def parse_json(data: bytes) -> Any:
    """Strict JSON: a repeated key or a ``NaN``/``Infinity`` literal is refused, never silently resolved."""
    return json.loads(data, object_pairs_hook=_unique_keys, parse_constant=_no_constant)


class ApiParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {  # noqa: RUF012 - webargs reads it per class
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "multipart": ma.EXCLUDE,
    }
    __location_map__ = {  # noqa: RUF012
        **FlaskParser.__location_map__,
        "multipart": "load_multipart",
    }

    def load_json(self, req: Request, schema: ma.Schema) -> Any:
        data = req.get_data(cache=True)
        if not data.strip():
            return core.missing
        if not is_json_request(req):
            raise _bad_request("bad_content_type", _("The body must be JSON sent as application/json."))
        try:
            parsed = parse_json(data)
        except _Ambiguous:
            raise _bad_request("bad_json", _("The body repeats a key or contains NaN or Infinity.")) from None
        except (ValueError, RecursionError):
            # ValueError covers malformed JSON, bad UTF-8 and integers too long to read.
            raise _bad_request("bad_json", _("The body is not well-formed JSON.")) from None
        if not isinstance(parsed, dict):
            raise _bad_request("bad_json", _("The body must be a JSON object."))
        return parsed

    def load_multipart(self, req: Request, schema: ma.Schema) -> Any:
        if req.mimetype != "multipart/form-data":
            raise _bad_request("bad_content_type", _("The body must be sent as multipart/form-data."))
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint parsing with ``ApiParser``; ``multipart`` documents as multipart/form-data."""

    ARGUMENTS_PARSER = ApiParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {  # noqa: RUF012
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }
