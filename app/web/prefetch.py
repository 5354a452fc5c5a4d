"""A page's first statement, read with the session's row in the same round trip.

Every page first resolves the session (``app.services.sessions``); a cached
page then reads the one statement its cache key is made of (the decision
page's stamp). On PostgreSQL each statement is a round trip, so a view may
register that statement for its endpoint: the session's statement then reads
both, and the view takes the row instead of reading it again. Nothing else
changes: without a registration, or when the session is read some other way,
the view runs its statement itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy import Select, TextualSelect

from app.services.sessions import Companion

_REGISTERED = "prefetch_statements"
_KEPT = "_prefetched"


def register(app: Flask, endpoint: str, statement: Callable[[], Select | TextualSelect],
             params: Callable[[Mapping[str, Any]], dict[str, Any]]) -> None:
    """Read ``statement()`` with the session on ``endpoint``, bound by ``params(view_args)``."""
    app.extensions.setdefault(_REGISTERED, {})[endpoint] = (statement, params)


def companion() -> Companion | None:
    """This request's registered statement, if its endpoint has one."""
    entry = current_app.extensions.get(_REGISTERED, {}).get(request.endpoint)
    if entry is None or request.view_args is None:
        return None
    statement, params = entry
    return Companion(statement(), params(request.view_args))


def keep(row: dict[str, Any] | None) -> None:
    setattr(g, _KEPT, (request.endpoint, dict(request.view_args or {}), row))


def take() -> tuple[bool, dict[str, Any] | None]:
    """``(True, row)`` when the session read this request's statement (``row`` None: it found nothing), once."""
    kept = g.pop(_KEPT, None)
    if kept is None or kept[0] != request.endpoint or kept[1] != (request.view_args or {}):
        return False, None
    return True, kept[2]
