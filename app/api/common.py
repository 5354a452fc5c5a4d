"""What every API blueprint shares: authentication, JSON errors, documented error answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .auth import authenticate
from .errors import register_blueprint_handlers
from .parser import ApiBlueprint
from .schemas import ErrorSchema

F = TypeVar("F", bound=Callable[..., Any])

#: The path parameter of a decision: a positive 32-bit integer (anything else is 404).
DECISION_ID = "<api_id:decision_id>"

ERROR_DESCRIPTIONS = {
    400: "Malformed JSON, a body that is not a JSON object, or the wrong content type.",
    401: "No bearer token, or an invalid or expired one, or the user was deactivated.",
    403: "The user's role may not do this.",
    404: "No such decision, or it belongs to an organisation the user cannot see.",
    409: "The decision was changed since `version` was read (optimistic lock).",
    413: "The body or the uploaded file is larger than the server accepts.",
    429: "Too many failed logins for this username or from this address; try again after `Retry-After` seconds.",
    422: "Field errors (`fields`), blocker findings of the rulebook (`findings`, with rule ids), "
         "or an action that does not fit the decision's status.",
}


def api_blueprint(name: str, description: str, *, authenticated: bool = True) -> ApiBlueprint:
    """A blueprint under ``/api/v1`` answering every error in JSON; most need a bearer token."""
    blueprint = ApiBlueprint(name, __name__, url_prefix="/api/v1", description=description)
    register_blueprint_handlers(blueprint)
    if authenticated:
        blueprint.before_request(authenticate)
    return blueprint


def errors(blueprint: ApiBlueprint, *codes: int) -> Callable[[F], F]:
    """Document the error answers an endpoint can give (schemathesis holds us to them)."""

    def decorate(func: F) -> F:
        for code in codes:
            func = blueprint.alt_response(code, schema=ErrorSchema, description=ERROR_DESCRIPTIONS[code])(func)
        return func

    return decorate
