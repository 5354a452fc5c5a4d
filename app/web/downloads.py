"""Archive downloads shared by the web pages and the API: a package written to a temporary file, then streamed.

A dossier is a write (its production is an audit event) answered to a GET, so
its view is marked ``writes_on_get``: on SQLite the request's transaction then
begins with the write lock (``BEGIN IMMEDIATE``), as every POST's does.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO, Any, TypeVar

from flask import Response, send_file

F = TypeVar("F", bound=Callable[..., Any])


def writes_on_get(view: F) -> F:
    """Mark a GET view that writes (read by ``app.register_request_hooks``)."""
    view.writes_on_get = True  # type: ignore[attr-defined]
    return view


def zip_answer(write: Callable[[IO[bytes]], str]) -> Response:
    """Run ``write(target)`` (it returns the download name) into a temporary file and stream it.

    The file lives on disk, not in memory, and is closed (so removed) once the
    answer has been sent; an exception closes it at once.
    """
    target = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it when the answer has been sent
    try:
        name = write(target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    response = send_file(target, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
