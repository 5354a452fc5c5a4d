"""One request, one transaction: the view's answer decides whether its writes are kept.

Views and API endpoints call a service and answer; the services only flush.
Here, once per request, the transaction ends: an answer below 400 commits, any
other answer and any exception roll back; a request that only reads
(``app.database.begin_reading``) has nothing to commit and its read ends when
the session is closed. A refusal the view wants shown as a
page (``Refused``) is rendered only after the rollback, so the page shows the
record as stored, never the half-done change the service flushed before it
refused. The CLI commands keep their own single ``commit``.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, session
from flask.typing import ResponseReturnValue

from app.database import is_reading
from app.extensions import db


class Refused(Exception):
    """A domain refusal whose page is rendered once the transaction has been rolled back."""

    def __init__(self, answer: Callable[[], ResponseReturnValue]) -> None:
        super().__init__("refused")
        self.answer = answer


def run_in_transaction(app: Flask, dispatch: Callable[[], ResponseReturnValue]) -> Response:
    """Dispatch the view, then commit its writes if it succeeded, else roll them back.

    A failing commit (a stale optimistic lock, a unique constraint lost to a
    concurrent writer) propagates to the error handlers like any exception of
    the view; the success message the view flashed is taken back with it.
    """
    try:
        answer = dispatch()
    except Refused as refusal:
        db.session.rollback()
        return app.make_response(refusal.answer())
    except BaseException:
        db.session.rollback()
        raise
    response = app.make_response(answer)
    if response.status_code >= 400:
        db.session.rollback()
        return response
    if is_reading():
        return response  # nothing to keep (a write was refused): the session's close at teardown ends the read
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        session.pop("_flashes", None)
        raise
    return response
