"""Web code every blueprint shares: the transaction boundary, refusals, forms, checklist, labels, templating.

Blueprint packages import from here and from the services, never from one
another (``tests/unit/test_imports.py`` checks it).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The session cookie's reader, the HTML error pages, the security headers, the template filters and globals."""
    from . import errors, headers, templating
    from .cookie_session import RememberingSessionInterface

    app.session_interface = RememberingSessionInterface()
    errors.register(app)
    headers.register(app)
    templating.register(app)
