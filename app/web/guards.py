"""Request-level helpers shared by the pages that write: size limits before CSRF, 403 for a role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, request

from app.extensions import csrf

F = TypeVar("F", bound=Callable[..., Any])

#: A draft may hold 500,000 characters; sent as a URL-encoded form a Chinese character takes 9 bytes.
LARGE_FORM = 6 * 1024 * 1024
#: Room for the multipart framing and the small fields around an uploaded file.
UPLOAD_SLACK = 1024 * 1024
#: A page with a file box reads a body up to this many times the upload cap: past the cap a file part is
#: counted, not kept (``app.web.requests.CappedSpool``), so the page answers with the typed text and the message.
OVERSIZE_FACTOR = 5


def form_limits(*, max_form_memory: int | None = None, upload_slack: int | None = None,
                files: bool = False) -> Callable[[F], F]:
    """Set this view's request limits before the body is read, then check the CSRF token.

    The global CSRF check reads the form before any view runs, with the
    application-wide limits: a long draft would exceed Werkzeug's default
    form memory size, and a file just over the upload cap would end in a bare
    413 instead of the form's own message. So these views are exempt from the
    global check and make the same check themselves, after raising the limits.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if max_form_memory is not None:
                request.max_form_memory_size = max_form_memory
            cap = current_app.config.get("MAX_CONTENT_LENGTH")
            if upload_slack is not None and cap:
                request.max_content_length = cap + upload_slack
            if files and cap:
                request.file_part_limit = cap + 1
                request.max_content_length = cap * OVERSIZE_FACTOR + (upload_slack or 0) + (max_form_memory or 0)
            if request.method == "POST" and current_app.config.get("WTF_CSRF_ENABLED", True):
                csrf.protect()
            return view(*args, **kwargs)

        csrf.exempt(wrapper)
        return wrapper  # type: ignore[return-value]

    return decorate


def require(allowed: bool) -> None:
    """Answer 403 unless ``allowed`` (the decision itself was readable, or it would be 404)."""
    if not allowed:
        abort(403)
